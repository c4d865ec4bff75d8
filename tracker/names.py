"""How two spellings of a pupil's name are compared when a second school enrols them."""

from __future__ import annotations

import unicodedata

# Latin letters Unicode does not split into a base letter and a mark, so NFKD alone keeps them.
_UNSPLIT = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def name_key(name: str) -> str:
    """The name as compared: case, accents, spaces, hyphens, apostrophes and other marks set aside.

    Schools copy names from different systems: "O'Brien", "O’BRIEN" and "obrien", or
    "Smith-Jones" and "Smith Jones", are one family name; "Zoë" and "Zoe" one given name.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold().translate(_UNSPLIT))
    return "".join(character for character in decomposed if character.isalnum())


def same_name(recorded: str | None, given: str) -> bool:
    """Whether `given` spells the recorded name; a name with no letters at all matches nothing."""
    key = name_key(recorded) if recorded is not None else ""
    return bool(key) and key == name_key(given)
