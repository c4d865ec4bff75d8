"""Identifiers of schools and pupils: URN, LA code, LAESTAB and the UPN with its check letter."""

from __future__ import annotations

from functools import lru_cache

from tracker.errors import InvalidLAESTAB, InvalidUPN, InvalidURN, InvalidValue

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def is_digits(text: str, count: int | None = None) -> bool:
    """Only the digits 0 to 9, and `count` of them where given."""
    # isascii(): str.isdigit() also accepts "²" and "١٢٣", which int() rejects or no register holds.
    return (count is None or len(text) == count) and text.isascii() and text.isdigit()


def _value(character: str) -> int:
    # A temporary UPN ends in a letter, which counts by its place in the check-letter table.
    return int(character) if character.isdigit() else CHECK_LETTERS.index(character)


@lru_cache(maxsize=200_000)  # the same pupils are named again and again, 30 to an activity
def upn_check_letter(body: str) -> str:
    """The check letter for UPN characters 2–13."""
    if len(body) != 12:  # zip() would otherwise weigh a short body without complaint
        raise ValueError(f"a UPN body has 12 characters, got {len(body)}: {body!r}")
    total = sum(weight * _value(ch) for weight, ch in zip(range(2, 14), body, strict=True))
    return CHECK_LETTERS[total % 23]


def _upn_problem(upn: str) -> str | None:
    if len(upn) != 13:
        return f"must be 13 characters, got {len(upn)}"
    if not is_digits(upn[1:12]):
        return "characters 2–12 must be digits"
    if not (is_digits(upn[12]) or upn[12] in CHECK_LETTERS):
        return f"the last character must be a digit, or for a temporary UPN one of {CHECK_LETTERS}"
    expected = upn_check_letter(upn[1:])
    if upn[0] != expected:
        return f"check letter should be {expected}"
    return None


def validate_upn(text: object, field: str = "upn") -> str:
    """The UPN, upper-cased and trimmed, or `InvalidUPN` saying what is wrong with it."""
    if not isinstance(text, str):
        raise InvalidUPN(text, "must be text", field)
    upn = text.strip().upper()
    problem = _upn_problem(upn)
    if problem:
        raise InvalidUPN(text, problem, field)
    return upn


def _digits(text: object, count: int) -> str | None:
    value = str(text).strip() if isinstance(text, (str, int)) and not isinstance(text, bool) else ""
    return value if is_digits(value, count) else None


def validate_urn(text: object, field: str = "urn") -> str:
    """Six digits, 100000–999999, from text or an int; or `InvalidURN`."""
    urn = _digits(text, 6)
    if urn is None or urn[0] == "0":
        raise InvalidURN(text, field)
    return urn


def validate_la_code(text: object, field: str = "la_code") -> str:
    """A local authority's 3-digit code; or `InvalidValue`."""
    code = _digits(text, 3)
    if code is None:
        raise InvalidValue(f"{text!r} is not a local authority code: expected 3 digits", field)
    return code


def validate_laestab(text: object, field: str = "laestab", la_code: str | None = None) -> str:
    """LA code + establishment number, 7 digits, agreeing with `la_code` when given."""
    laestab = _digits(text, 7)
    if laestab is None:
        raise InvalidLAESTAB(text, "expected 7 digits", field)
    if la_code is not None and laestab[:3] != la_code:
        raise InvalidLAESTAB(text, f"its first 3 digits should be the LA code {la_code}", field)
    return laestab


def make_upn(la_code: str, establishment: str, year: int, serial: int) -> str:
    """A valid permanent UPN, for synthetic pupils."""
    _check_upn_parts(la_code, establishment, year, serial)
    body = f"{la_code}{establishment}{year:02d}{serial:03d}"
    return upn_check_letter(body) + body


def _check_upn_parts(la_code: str, establishment: str, year: int, serial: int) -> None:
    # Out-of-range parts would silently build a 14-character or unparseable "UPN".
    validate_la_code(la_code)
    if not (isinstance(establishment, str) and is_digits(establishment, 4)):
        raise InvalidValue(
            f"{establishment!r} is not a 4-digit establishment number", "establishment"
        )
    for name, value, top in (("year", year, 99), ("serial", serial, 999)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise InvalidValue(
                f"{name} must be a whole number from 0 to {top}; got {value!r}", name
            )
