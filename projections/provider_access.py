"""The provider access duty (docs/employers.md): for a school, an academic year and each phase,
the technical education and apprenticeship encounters its pupils attended, and whether the duty
is met. A pupil's encounters follow them from school to school (docs/transfers.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from projections.engagement_rows import as_date
from projections.metrics import year_groups_taught
from projections.store import ViewStore
from tracker.calendar import AcademicYear
from tracker.rulesets import PROVIDER_ACCESS_KINDS

PHASES = {"8-9": (8, 9), "10-11": (10, 11), "12-13": (12, 13)}
TWO = 2  # encounters the duty asks for in each phase
_KINDS = tuple(sorted(PROVIDER_ACCESS_KINDS))

# The pupils on roll are read first and named in the next two reads: joined to their year groups
# and encounters in one statement, the views as known at a position (docs/time.md) were planned as
# a hash join over every encounter in the region (423 ms a school against 9 ms as of a date: the
# planner cannot tell how few pupils the union of a table and its history yields).
_ON_ROLL = (
    "SELECT DISTINCT upn FROM {enrolments} WHERE school_urn = ? AND enrolled_on <= ? "
    "AND (left_on IS NULL OR ? <= left_on)"
)
_YEAR_GROUPS = "SELECT upn, from_year, year_group FROM {year_groups} WHERE upn IN ({in})"
_ATTENDED = (
    "SELECT upn, occurred_on FROM {encounters} WHERE upn IN ({in}) "
    "AND occurred_on <= :as_of AND kind IN (:kind_0, :kind_1)"
)
_OFFERED = (
    "SELECT DISTINCT a.id, a.academic_year FROM {activities} a "
    "JOIN {provider_offers} o ON o.activity_id = a.id "
    "WHERE a.school_urn = ? AND a.retracted_reason IS NULL AND a.occurred_on <= ? "
    "AND o.year_group IN (12, 13)"
)


@dataclass
class Phase:
    """One phase of the duty at one school in one year."""

    phase: str
    taught: bool  # False: the school has none of these year groups (no sixth form, say)
    pupils: int | None  # on roll in the phase's year groups
    pupils_with_two: int | None  # of them, those who attended two or more in the phase
    final_year_pupils: int | None  # in the phase's last year: the duty is judged on them
    final_year_with_two: int | None
    offered: int  # encounters offered to the year groups (counted for Years 12-13)
    met: bool | None  # None where the school does not teach the phase
    suppressed: dict[str, str] = field(default_factory=dict)


@dataclass
class ProviderAccess:
    urn: str
    year: str
    as_of: date
    phases: list[Phase]
    known_at: datetime | None = None  # the figures as the views stood then (docs/time.md)


def provider_access(store: ViewStore, urn: str, year: AcademicYear, as_of: date) -> ProviderAccess:
    on_roll = [upn for (upn,) in store.query(_ON_ROLL, (urn, as_of, as_of))]
    groups = _year_groups(_of_pupils(store, _YEAR_GROUPS, on_roll))
    kinds = {"as_of": as_of, "kind_0": _KINDS[0], "kind_1": _KINDS[1]}
    attended = _of_pupils(store, _ATTENDED, on_roll, kinds)
    counts = _counts_in_phase(groups, attended)
    offered = _offered_in_phase(store, urn, year, as_of)
    first, last = year_groups_taught(store, year, [urn]).get(urn, (0, -1))
    phases = [
        _phase(name, span, year, groups, counts, offered, first <= span[1] and span[0] <= last)
        for name, span in PHASES.items()
    ]
    return ProviderAccess(urn=urn, year=str(year), as_of=as_of, phases=phases)


def _of_pupils(store: ViewStore, template: str, upns: list[str], params=None) -> list[tuple]:
    """A read's rows for every one of `upns` (`IN ({in})`, in chunks)."""
    return [
        row
        for statement, bound in store.membership(template, upns, params)
        for row in store.query(statement, bound)
    ]


def _year_groups(rows: list[tuple]) -> dict[str, list[tuple[int, int]]]:
    """Each pupil's recorded year groups as (from_year, year_group), oldest first."""
    groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for upn, from_year, year_group in rows:
        groups[upn].append((from_year, year_group))
    return {upn: sorted(set(spans)) for upn, spans in groups.items()}


def year_group_in(spans: list[tuple[int, int]], year: int) -> int | None:
    """A pupil's year group in an academic year: the latest recorded, moved up a year a year."""
    before = [(from_year, group) for from_year, group in spans if from_year <= year]
    if not before:
        return None
    from_year, group = before[-1]
    return group + (year - from_year)


def _counts_in_phase(groups, attended) -> dict[tuple[str, str], int]:
    """(UPN, phase) -> encounters the pupil attended while in that phase's year groups."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for upn, occurred_on in attended:
        when = AcademicYear.containing(as_date(occurred_on)).start_year
        group = year_group_in(groups.get(upn, []), when)
        for name, span in PHASES.items():
            if group is not None and span[0] <= group <= span[1]:
                counts[(upn, name)] += 1
    return counts


def _offered_in_phase(store: ViewStore, urn: str, year: AcademicYear, as_of: date) -> int:
    """Encounters offered to Years 12-13 in this year or the one before: the span of the phase
    for this year's Year 13."""
    rows = store.query(_OFFERED, (urn, as_of))
    return sum(1 for _, academic_year in rows if year.start_year - 1 <= academic_year)


def _phase(name, span, year, groups, counts, offered, taught) -> Phase:
    in_phase = [
        u
        for u, s in groups.items()
        if span[0] <= (year_group_in(s, year.start_year) or 0) <= span[1]
    ]
    final = [u for u in in_phase if year_group_in(groups[u], year.start_year) == span[1]]
    with_two = [u for u in in_phase if counts.get((u, name), 0) >= TWO]
    final_with_two = [u for u in final if u in set(with_two)]
    sixth_form = span == PHASES["12-13"]
    met = None
    if taught:
        # Judged on the phase's last year; a school with nobody in it yet has nothing to judge.
        met = (
            offered >= TWO if sixth_form else (len(final_with_two) == len(final) if final else None)
        )
    return Phase(
        phase=name,
        taught=taught,
        pupils=len(in_phase),
        pupils_with_two=len(with_two),
        final_year_pupils=len(final),
        final_year_with_two=len(final_with_two),
        offered=offered if sixth_form else 0,
        met=met,
    )


@dataclass
class SchoolDuty:
    urn: str
    met: dict[str, bool | None]


@dataclass
class PhaseCount:
    phase: str
    schools_meeting: int
    schools_applicable: int  # those with pupils to judge, or a sixth form, in the phase


@dataclass
class HubProviderAccess:
    code: str
    year: str
    as_of: date
    schools: list[SchoolDuty]
    phases: list[PhaseCount]
    known_at: datetime | None = None


def hub_provider_access(
    store: ViewStore, code: str, schools: list[str], year: AcademicYear, as_of: date
) -> HubProviderAccess:
    """Each member school's duty per phase, and how many meet it."""
    rows = [
        SchoolDuty(urn, {p.phase: p.met for p in provider_access(store, urn, year, as_of).phases})
        for urn in schools
    ]
    return HubProviderAccess(
        code=code,
        year=str(year),
        as_of=as_of,
        schools=rows,
        phases=[
            PhaseCount(
                p, sum(r.met[p] is True for r in rows), sum(r.met[p] is not None for r in rows)
            )
            for p in PHASES
        ],
    )
