"""Every read the API, the dashboard and the command line make, from the view tables only (never
from aggregates): the figures here, the other reads in projections/lookups.py. Answers are typed
values (projections/answers.py); what is kept between reads is in projections/caches.py."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any, Callable

from projections.answers import (
    Header,
    SchoolRow,
    SchoolStatus,
    SchoolYear,
    SchoolYears,
    YearGroupRow,
    attributes,
    in_utc,
)
from projections.caches import MAX_DATES, DerivedCache, EverySchoolCache, SchoolFiguresCache
from projections.hub_answers import (
    HubMetrics,
    HubSeries,
    HubYear,
    HubYears,
    NationalMetrics,
    SeriesPoint,
    Summary,
)
from projections.lookups import Lookups
from projections.metrics import (
    SchoolFigures,
    hub_members,
    school_figures,
    schools_in_any_hub,
    year_group_figures,
)
from projections.rows import stamp
from projections.store import ViewStore, any_of
from tracker.calendar import AcademicYear

Shown = Callable[[Any], Any]  # what the caller may see of an answer: small numbers withheld


def everything(answer: Any) -> Any:
    return answer


class Reads(Lookups):
    """The figures of metrics.md over one view store, as of any date and as known at any time."""

    def __init__(
        self,
        app: Any,
        store: ViewStore,
        today: Callable[[], date] = date.today,
        comparison_max_age: float = 5.0,
    ):
        super().__init__(app, store, today)
        self.comparison_max_age = comparison_max_age
        self.per_school = SchoolFiguresCache()
        self.every_school = EverySchoolCache(store, self.per_school, self.position)
        self._comparisons = DerivedCache()
        self._known: dict[tuple[int | None, date], dict[str, SchoolFigures]] = {}
        self._known_lock = threading.Lock()

    def school_status(
        self,
        urn: str,
        year: AcademicYear | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> SchoolStatus | None:
        """Per benchmark for one school, and by year group."""
        as_of = self._as_of(as_of, year)
        if known_at is None:
            figures = self.per_school.figures(self.store, as_of, [urn]).get(urn)
            row = self.per_school.row(figures, as_of) if figures else None
            by_year_group = self.per_school.by_year_group(self.store, as_of, urn)
        else:
            store = self.views(known_at)
            figures = school_figures(store, as_of, [urn]).get(urn)
            row = SchoolRow.of(figures) if figures else None
            by_year_group = year_group_figures(store, as_of, urn)
        if row is None:
            return None
        return SchoolStatus(
            **Header.at(as_of, known_at),
            **attributes(row),
            by_year_group=tuple(YearGroupRow(**group) for group in by_year_group),
        )

    def hub_metrics(
        self, code: str, as_of: date | None = None, known_at: datetime | None = None
    ) -> HubMetrics | None:
        """The hub's figures, with national and non-hub beside them, and a row per member school."""
        hub = self.hub(code, known_at)
        if hub is None:
            return None
        as_of = self._as_of(as_of)
        if known_at is None:
            members = hub_members(self.store, code, as_of)
            figures = self.per_school.figures(self.store, as_of, members)
            rows = tuple(self.per_school.row(f, as_of) for f in figures.values())
            national, non_hub = self._beside_hubs(as_of)
        else:  # the members, their figures and the comparison all as known then
            known = self.views(known_at)
            everyone = self._known_everyone(known, as_of)
            members = hub_members(known, code, as_of)
            figures = {urn: everyone[urn] for urn in members if urn in everyone}
            rows = tuple(SchoolRow.of(f) for f in figures.values())
            national, non_hub = _national_and_non_hub(known, as_of, everyone)
        summary = Summary.of(list(figures.values()))
        return HubMetrics(
            **Header.at(as_of, known_at),
            **attributes(summary),
            hub=hub,
            school_rows=rows,
            national=national,
            non_hub=non_hub,
        )

    def _known_everyone(self, known: ViewStore, as_of: date) -> dict[str, SchoolFigures]:
        """Every school's figures on `as_of` in views read as known at a position: kept by
        (position, date), since what was known at a past position never changes, and apart from
        the current figures' caches, so the two never mix."""
        key = (known.known_position, as_of)
        everyone = self._known.get(key)
        if everyone is None:
            everyone = school_figures(known, as_of)
            with self._known_lock:
                self._known[key] = everyone
                if len(self._known) > MAX_DATES:
                    self._known.pop(next(iter(self._known)))
        return everyone

    def _beside_hubs(self, as_of: date) -> tuple[Summary, Summary]:
        """National and non-hub, summarised once per computation of every school's figures.
        Memberships are read with the figures they are used with."""
        position, everyone = self.every_school.figures(as_of, self.comparison_max_age)

        def summarised() -> tuple[Summary, Summary]:
            in_hubs = schools_in_any_hub(self.store, as_of)
            return (
                Summary.of(list(everyone.values()), position),
                Summary.of([f for urn, f in everyone.items() if urn not in in_hubs], position),
            )

        return self._comparisons.get(as_of, everyone, summarised)

    def school_rows(self, as_of: date, urns: list[str] | None = None) -> list[SchoolRow]:
        """Each school's row on `as_of` (every school's when `urns` is None), in URN order: what
        a hub's figures list, and the export writes."""
        return [
            self.per_school.row(figures, as_of)
            for figures in self.per_school.figures(self.store, as_of, urns).values()
        ]

    def figures_by_school(
        self, as_of: date, urns: list[str] | None = None
    ) -> dict[str, SchoolFigures]:
        """Each school's figures on `as_of` (every school when `urns` is None), from the
        per-school cache."""
        return self.per_school.figures(self.store, as_of, urns)

    def national_metrics(
        self, as_of: date | None = None, known_at: datetime | None = None
    ) -> NationalMetrics:
        """Exact: the national figures at the views' current position, or as known at a time."""
        as_of = self._as_of(as_of)
        if known_at is None:
            position, everyone = self.every_school.figures(as_of, max_age=0.0)
            store = self.store
        else:
            store = self.views(known_at)
            position, everyone = store.known_position, self._known_everyone(store, as_of)
        in_hubs = schools_in_any_hub(store, as_of)
        national = Summary.of(list(everyone.values()), position)
        non_hub = Summary.of([f for urn, f in everyone.items() if urn not in in_hubs])
        return NationalMetrics(
            **Header.at(as_of, known_at), **attributes(national), non_hub=non_hub
        )

    def hub_series(
        self,
        code: str,
        year: AcademicYear | None = None,
        dates: list[date] | None = None,
        shown: Shown = everything,
        known_at: datetime | None = None,
    ) -> HubSeries | None:
        """The hub's figures at each termly snapshot of a year (those already reached) and any dates
        asked, as known at `known_at` if given; `shown` makes each date's figures what the caller
        may see."""
        if self.hub(code, known_at) is None:
            return None
        year = year or AcademicYear.containing(self.today())
        wanted = sorted({d for d in year.snapshot_dates() if d <= self.today()} | set(dates or ()))
        points = [self.hub_metrics(code, as_of=d, known_at=known_at) for d in wanted]
        return HubSeries(
            hub=code,
            year=year,
            known_at=in_utc(known_at),
            points=tuple(SeriesPoint.of(shown(point)) for point in points),
        )

    def hub_years(
        self,
        code: str,
        since: AcademicYear | None = None,
        shown: Shown = everything,
        known_at: datetime | None = None,
    ) -> HubYears | None:
        """The hub's figures at the end of each academic year recorded, and as of today for this
        one, as known at `known_at` if given; `shown` makes each year's figures what the caller
        may see."""
        if self.hub(code, known_at) is None:
            return None
        members = self.hub_members(code, self.today(), known_at)
        points = [
            self.hub_metrics(code, as_of=self._year_end(year), known_at=known_at)
            for year in self._years(members, since, known_at)
        ]
        return HubYears(hub=code, years=tuple(HubYear.of(shown(point)) for point in points))

    def school_years(
        self,
        urn: str,
        since: AcademicYear | None = None,
        shown: Shown = everything,
        known_at: datetime | None = None,
    ) -> SchoolYears | None:
        """The school's figures at the end of each academic year recorded, and as of today for
        this one, as known at `known_at` if given."""
        if self.school(urn, known_at) is None:
            return None
        points = [
            self.school_status(urn, as_of=self._year_end(year), known_at=known_at)
            for year in self._years([urn], since, known_at)
        ]
        return SchoolYears(urn=urn, years=tuple(SchoolYear.of(shown(point)) for point in points))

    def _years(
        self, urns: list[str], since: AcademicYear | None, known_at: datetime | None = None
    ) -> list[AcademicYear]:
        """From `since` (default: the year of the schools' first activity recorded by `known_at`)
        to this year, ten at most."""
        this_year = AcademicYear.containing(self.today())
        if since is None and urns:
            since = self._first_year(urns, known_at) or this_year
        start = max((since or this_year).start_year, this_year.start_year - 9)
        return [AcademicYear(year) for year in range(start, this_year.start_year + 1)]

    def _first_year(self, urns: list[str], known_at: datetime | None) -> AcademicYear | None:
        """The year of the schools' first activity recorded by `known_at`, if any. Activities are
        not versioned: one amended since is taken at its date as now, which moves only where the
        trend starts, never a figure."""
        marks, named_urns = any_of("urn", urns)
        recorded_by = " AND recorded_at <= :recorded_by" if known_at else ""
        first = self.store.query(
            f"SELECT MIN(occurred_on) FROM {{activities}} WHERE school_urn IN ({marks})"
            + recorded_by,
            {**named_urns, **({"recorded_by": stamp(known_at)} if known_at else {})},
        )[0][0]
        if not first:
            return None
        return AcademicYear.containing(
            first if isinstance(first, date) else date.fromisoformat(first)
        )

    def _year_end(self, year: AcademicYear) -> date:
        return min(year.end, self.today())


def _national_and_non_hub(
    store: ViewStore, as_of: date, everyone: dict[str, SchoolFigures]
) -> tuple[Summary, Summary]:
    in_hubs = schools_in_any_hub(store, as_of)
    return (
        Summary.of(list(everyone.values()), store.known_position),
        Summary.of([f for urn, f in everyone.items() if urn not in in_hubs], store.known_position),
    )
