"""Employer engagement figures for a hub, a school or the nation, in one academic year, as on a
date: employers engaged, encounters, pupils and schools reached, by sector and size; repeat and
new employers; the school x sector grid; placements hosted per employer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from projections.engagement_pupils import pupils_reached
from projections.engagement_rows import UNKNOWN, Delivery, Facts
from projections.kept import KeptUntilWritten
from projections.store import ViewStore
from tracker.calendar import AcademicYear
from tracker.organisations import SIC_SECTIONS


@dataclass
class Reach:
    """What a set of deliveries reached."""

    employers: int
    encounters: int
    pupils: int | None  # None once withheld from a hub (projections/small_numbers.py)
    schools: int


@dataclass
class EmployerRow:
    id: str
    name: str
    sector: str | None
    size: str | None
    encounters: int
    schools: int
    placements: int | None  # None once withheld from a hub (projections/engagement_privacy.py)
    years_engaged: list[str]
    repeat: bool
    new_this_year: bool


@dataclass
class SectorCell:
    sector: str
    encounters: int  # 0: a gap to fill


@dataclass
class GridRow:
    """A school's encounters in each SIC section in the year."""

    urn: str
    sectors: list[SectorCell]

    def encounters_in(self, sector: str) -> int:
        return next(cell.encounters for cell in self.sectors if cell.sector == sector)


@dataclass
class Engagement:
    year: str
    as_of: date
    totals: Reach
    by_sector: dict[str, Reach]
    by_size: dict[str, Reach]
    repeat_employers: int
    new_employers: int
    employers: list[EmployerRow]
    grid: list[GridRow]
    suppressed: dict[str, str] = field(default_factory=dict)
    known_at: datetime | None = None  # the figures as the views stood then (docs/time.md)


# A hub's year takes about a second to count over the region; asked again with nothing written,
# or as known at a position asked before, it is answered from memory (projections/kept.py).
# Callers never change an answer: the hub's view of it is a copy
# (projections/engagement_privacy.py).
_KEPT = KeptUntilWritten()


def engagement(
    store: ViewStore, schools: list[str] | None, year: AcademicYear, as_of: date
) -> Engagement:
    """The figures over `schools` (None: every school) for `year`, on `as_of`."""
    key = (None if schools is None else tuple(schools), str(year), as_of)
    return _KEPT.get(store, key, lambda: computed(store, schools, year, as_of))


def computed(
    store: ViewStore, schools: list[str] | None, year: AcademicYear, as_of: date
) -> Engagement:
    """The figures counted afresh from the views."""
    facts = Facts(store, as_of, schools, pupils=False)
    delivered = facts.in_year(year.start_year)
    rows = _employer_rows(facts, delivered, year.start_year)
    reached = pupils_reached(store, facts, delivered, schools, year)
    return Engagement(
        year=str(year),
        as_of=as_of,
        totals=_reach(facts, delivered, reached.total),
        by_sector=_grouped(
            facts, delivered, lambda d: facts.sector_of(d.employer_id), reached.by_sector
        ),
        by_size=_grouped(facts, delivered, lambda d: facts.size_of(d.employer_id), reached.by_size),
        repeat_employers=sum(row.repeat for row in rows),
        new_employers=sum(row.new_this_year for row in rows),
        employers=rows,
        grid=_grid(facts, delivered, schools),
    )


def _reach(facts: Facts, delivered: list[Delivery], pupils: int | None = None) -> Reach:
    """`pupils` when counted already; else counted from the pupils Facts read."""
    if pupils is None:
        pupils = len(set().union(*(facts.pupils.get(d.source_id, set()) for d in delivered)))
    return Reach(
        employers=len({d.employer_id for d in delivered}),
        encounters=len(delivered),
        pupils=pupils,
        schools=len({d.school_urn for d in delivered}),
    )


def _grouped(
    facts: Facts, delivered: list[Delivery], key, pupils: dict[str, int]
) -> dict[str, Reach]:
    groups: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in delivered:
        groups[key(delivery) or UNKNOWN].append(delivery)
    return {name: _reach(facts, groups[name], pupils.get(name, 0)) for name in sorted(groups)}


def _employer_rows(facts: Facts, delivered: list[Delivery], year: int) -> list[EmployerRow]:
    years: dict[str, set[int]] = defaultdict(set)
    for delivery in facts.deliveries:
        if delivery.academic_year <= year:
            years[delivery.employer_id].add(delivery.academic_year)
    by_employer: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in delivered:
        by_employer[delivery.employer_id].append(delivery)
    rows = [_row(facts, e, ds, sorted(years[e]), year) for e, ds in by_employer.items()]
    return sorted(rows, key=lambda row: (row.name.casefold(), row.id))


def _row(
    facts: Facts, employer: str, delivered: list[Delivery], years: list[int], year: int
) -> EmployerRow:
    schools = len({d.school_urn for d in delivered})
    return EmployerRow(
        id=employer,
        name=facts.name_of(employer),
        sector=facts.sector_of(employer),
        size=facts.size_of(employer),
        encounters=len(delivered),
        schools=schools,
        placements=sum(d.is_placement for d in delivered),
        years_engaged=[str(AcademicYear(y)) for y in years],
        # Came back: in two or more years so far, or with two or more schools this year.
        repeat=len(years) >= 2 or schools >= 2,
        new_this_year=years == [year],
    )


def _grid(facts: Facts, delivered: list[Delivery], schools: list[str] | None) -> list[GridRow]:
    counts: dict[str, dict[str, int]] = {
        urn: dict.fromkeys(SIC_SECTIONS, 0)
        for urn in (schools if schools is not None else {d.school_urn for d in delivered})
    }
    for delivery in delivered:
        sector = facts.sector_of(delivery.employer_id)
        if sector and delivery.school_urn in counts:
            counts[delivery.school_urn][sector] += 1
    return [
        GridRow(urn, [SectorCell(s, n) for s, n in counts[urn].items()]) for urn in sorted(counts)
    ]


@dataclass
class HistoryRow:
    """An employer's encounters at one school in one academic year."""

    year: str
    urn: str
    encounters: int
    placements: int | None  # None once withheld from a hub (projections/engagement_privacy.py)
    pupils: int | None


@dataclass
class EmployerHistory:
    id: str
    name: str
    sector: str | None
    size: str | None
    merged_into: str | None
    names: list[str]
    history: list[HistoryRow]
    suppressed: dict[str, str] = field(default_factory=dict)
    known_at: datetime | None = None


def employer_history(
    store: ViewStore, employer_id: str, as_of: date, schools: list[str] | None
) -> EmployerHistory | None:
    """The employer's encounters by year and school (with every duplicate merged into it)."""
    facts = Facts(store, as_of, schools)
    organisation = facts.register.get(employer_id)
    if organisation is None:
        return None
    groups: dict[tuple[int, str], list[Delivery]] = defaultdict(list)
    for delivery in facts.deliveries:
        if delivery.employer_id == employer_id:
            groups[(delivery.academic_year, delivery.school_urn)].append(delivery)
    history = [
        HistoryRow(
            year=str(AcademicYear(year)),
            urn=urn,
            encounters=len(delivered),
            placements=sum(d.is_placement for d in delivered),
            pupils=_reach(facts, delivered).pupils,
        )
        for (year, urn), delivered in sorted(groups.items())
    ]
    return EmployerHistory(
        id=organisation.id,
        name=organisation.name,
        sector=facts.sector_of(organisation.id),
        size=organisation.size,
        merged_into=organisation.merged_into,
        names=organisation.names,
        history=history,
    )
