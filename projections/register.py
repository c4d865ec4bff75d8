"""Reads of the register of organisations: each one as registered or as named on activities,
matching a typed name, and which organisation each counts as on a date once duplicates merge."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from projections.store import ViewStore
from tracker.organisations import normalised_name

DETAILS = ("sector", "size", "companies_house", "postcode_area", "provider_type", "ukprn")
TYPED_DETAILS = ("sector", "size", "provider_type")  # what an activity may say of its organisation


@dataclass
class Organisation:
    """One organisation of the register, registered or known only from the names typed."""

    id: str
    role: str
    name: str
    registered: bool
    sector: str | None = None
    size: str | None = None
    companies_house: str | None = None
    postcode_area: str | None = None
    provider_type: str | None = None
    ukprn: str | None = None
    names: list[str] = field(default_factory=list)  # every spelling typed on an activity
    merged_into: str | None = None


def organisations(store: ViewStore, as_of: date) -> dict[str, Organisation]:
    """Every organisation, by id, with where each was merged on `as_of`."""
    found = {row[0]: _registered(row) for row in store.query(_REGISTERED)}
    typed: dict[str, Counter] = {}
    details: dict[str, dict[str, Counter]] = {}
    for organisation_id, role, name, *typed_details, times in store.query(_TYPED):
        typed.setdefault(organisation_id, Counter())[name] += times
        found.setdefault(organisation_id, Organisation(organisation_id, role, name, False))
        kept = details.setdefault(organisation_id, {key: Counter() for key in TYPED_DETAILS})
        for key, value in zip(TYPED_DETAILS, typed_details, strict=True):
            if value:
                kept[key][value] += times
    for organisation_id, spellings in typed.items():
        _name_from_typing(found[organisation_id], spellings)
        if not found[organisation_id].registered:
            _details_from_typing(found[organisation_id], details[organisation_id])
    for duplicate, into in merged_on(store, as_of).items():
        if duplicate in found:
            found[duplicate].merged_into = into
    return found


_REGISTERED = (
    "SELECT id, role, name, sector, size, companies_house, postcode_area, provider_type, ukprn "
    "FROM {organisations}"
)
# Counted in the database: a region names its few employers on 76,000 activities, and reading
# each row took 100 ms of a hub's employer figures.
_TYPED = (
    "SELECT organisation_id, role, name, sector, size, provider_type, COUNT(*) FROM {counterparts} "
    "GROUP BY organisation_id, role, name, sector, size, provider_type"
)


def _registered(row: tuple) -> Organisation:
    organisation_id, role, name, *details = row
    return Organisation(
        organisation_id, role, name, True, **dict(zip(DETAILS, details, strict=True))
    )


def _name_from_typing(organisation: Organisation, spellings: Counter) -> None:
    """An organisation never registered goes by its most typed spelling (ties: the first in
    alphabetical order), so every store names it alike."""
    organisation.names = sorted(spellings)
    if not organisation.registered:
        organisation.name = min(spellings, key=lambda name: (-spellings[name], name))


def _details_from_typing(organisation: Organisation, typed: dict[str, Counter]) -> None:
    """An organisation never registered has the sector, size and type most often typed with it
    (ties: the first in alphabetical order); none where none was typed."""
    for key, values in typed.items():
        if values:
            setattr(organisation, key, min(values, key=lambda value: (-values[value], value)))


def merged_on(store: ViewStore, as_of: date) -> dict[str, str]:
    """Each organisation merged into another on `as_of`, and the one it was merged into."""
    latest: dict[str, tuple[int, str | None]] = {}
    rows = store.query(
        "SELECT duplicate_id, version, into_id FROM {merges} WHERE changed_on <= ?", (as_of,)
    )
    for duplicate, version, into in rows:
        if duplicate not in latest or latest[duplicate][0] < version:
            latest[duplicate] = (version, into)
    return {duplicate: into for duplicate, (_, into) in latest.items() if into is not None}


def resolver(merges: dict[str, str]):
    """id -> the organisation it counts as: the end of its chain of merges."""

    def resolve(organisation_id: str) -> str:
        seen = {organisation_id}
        while (into := merges.get(organisation_id)) is not None and into not in seen:
            organisation_id = into
            seen.add(into)
        return organisation_id

    return resolve


def matching(store: ViewStore, text: str, as_of: date, role: str | None = None) -> list:
    """Organisations whose name matches `text`: the same matched form first, then those whose
    matched name contains it; a duplicate merged away is left out for the one it was merged into."""
    wanted = normalised_name(text)
    candidates = [
        o
        for o in organisations(store, as_of).values()
        if o.merged_into is None and role in (None, o.role)
    ]
    exact = [o for o in candidates if _matches(o, lambda form: form == wanted)]
    partial = [o for o in candidates if o not in exact and _matches(o, lambda f: wanted in f)]
    return sorted(exact, key=_by_name) + sorted(partial, key=_by_name)


def _matches(organisation: Organisation, test) -> bool:
    return any(test(normalised_name(name)) for name in [organisation.name, *organisation.names])


def _by_name(organisation: Organisation) -> tuple[str, str]:
    return (organisation.name.casefold(), organisation.id)
