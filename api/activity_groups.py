"""Whole year groups and registration groups on the activity form: their pupils, from the school's
roll on the activity's date, put in the attendee list for the Careers Leader to check."""

from __future__ import annotations

import re
from datetime import date

from flask import g

from api.accesslog import log_read
from api.services import services
from projections.pupil_status import upns_on_roll
from tracker.calendar import AcademicYear
from tracker.identifiers import is_digits

MOST_GROUPS = 20  # each group is a read of the roll's UPNs: a whole school's forms, and no more
_SEPARATORS = re.compile(r"[\s,;]+")


def chosen(form) -> bool:
    """Whether the form names any group: a Record with groups chosen fills them in first, so
    nobody is recorded without being shown."""
    return bool(form.getlist("year_groups") or form.get("groups", "").strip())


def fill(form, urn: str, occurred_on: date | None) -> None:
    """Add the pupils of the chosen groups to the attendee list and clear the choice, or say
    beside the field which group has nobody on roll that day."""
    years = _year_groups(form)
    names = [name for name in _SEPARATORS.split(form.values.get("groups", "")) if name]
    if not (years or names):
        form.refuse("year_groups", "Choose a year group or type a registration group to fill in.")
    if len(names) > MOST_GROUPS:
        form.refuse("groups", f"Type at most {MOST_GROUPS} registration groups at once.")
    if occurred_on is None or form.errors:
        return
    names = _as_the_mis_names_them(form, urn, occurred_on, names)
    if form.errors:
        return
    found = {year: _pupils(urn, occurred_on, year_group=year) for year in years}
    found |= {name: _pupils(urn, occurred_on, group=name) for name in names}
    _refuse_empty(form, [y for y in years if not found[y]], "year_groups", "Year ", occurred_on)
    _refuse_empty(form, [n for n in names if not found[n]], "groups", "", occurred_on)
    if form.errors:
        return
    typed = form.values.get("attendees", "").split()
    added = [upn for upns in found.values() for upn in upns if upn not in typed]
    attendees = list(dict.fromkeys(typed + added))
    log_read(services().store, added, g.access.subject, str(g.access.scope))
    form.values.setlist("attendees", ["\n".join(attendees)])
    form.values.setlist("year_groups", [])
    form.values.setlist("groups", [""])
    what = ", ".join([f"Year {y}" for y in years] + names)
    count = len(set(added))
    form.notice = (
        f"{count} pupil{'' if count == 1 else 's'} on roll on {occurred_on} added from {what}: "
        f"{len(attendees)} in the list. Check it, then Record."
    )


def _as_the_mis_names_them(form, urn: str, day: date, typed: list[str]) -> list[str]:
    """The school's own spelling of each typed group ("9a" finds "9A"); a name two of its groups
    share but for case is refused beside the field, not guessed at."""
    spelled: dict[str, list[str]] = {}
    for name in _group_names(urn, day):
        spelled.setdefault(_folded(name), []).append(name)
    names = []
    for name in typed:
        found = spelled.get(_folded(name), [name])  # unknown: kept, and said empty below
        if name in found:  # typed as the MIS has it: no guess
            found = [name]
        elif len(found) > 1:
            form.refuse("groups", f"{name} could be {' or '.join(found)}: type it as the MIS does.")
        names.append(found[0])
    return list(dict.fromkeys(names))


def _folded(name: str) -> str:
    return "".join(name.split()).casefold()


def _group_names(urn: str, day: date) -> list[str]:
    """The registration groups the school's roll names in the academic year of `day`."""
    rows = services().store.query(
        "SELECT DISTINCT group_name FROM {groups} WHERE school_urn = ? AND academic_year = ? "
        "AND group_name IS NOT NULL ORDER BY group_name",
        (urn, AcademicYear.containing(day).start_year),
    )
    return [name for (name,) in rows]


def _year_groups(form) -> list[int]:
    years = []
    for text in form.values.getlist("year_groups"):
        if not (is_digits(text) and 1 <= int(text) <= 14):
            form.refuse("year_groups", "A year group is a number from 1 to 14.")
        elif int(text) not in years:
            years.append(int(text))
    return years


def _refuse_empty(form, empty: list, name: str, prefix: str, day: date) -> None:
    if empty:
        which = ", ".join(f"{prefix}{group}" for group in empty)
        form.refuse(name, f"Nobody was on roll in {which} on {day}: check the group and the date.")


def _pupils(
    urn: str, day: date, year_group: int | None = None, group: str | None = None
) -> list[str]:
    """The UPNs on roll on `day` in the group: the pupils the roll page lists under that filter,
    read without the benchmarks and names the fill does not need."""
    return upns_on_roll(services().store, urn, day, year_group, group)
