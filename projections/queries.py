"""Every read the API and dashboard make, from the view tables only (never from aggregates)."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict
from datetime import date, datetime, timezone
from typing import Any, Callable

from projections import destinations, pupil_status
from projections.metrics import (
    SchoolFigures, hub_members, school_figures, schools_in_any_hub, summarise, year_group_figures,
)
from projections.replay import position_known_at, replay_schools
from projections.runner import TRACKING_NAME, wait_for_position
from projections.store import ViewStore
from tracker.calendar import AcademicYear, default_as_of
from tracker.rulesets import rule_set_for


Shown = Callable[[dict[str, Any]], dict[str, Any]]  # what the caller may see of an answer


class Reads:
    """Queries over one view store; `known_at` answers replay the log into scratch views first."""

    def __init__(self, app: Any, store: ViewStore, today: Callable[[], date] = date.today,
                 comparison_max_age: float = 5.0):
        self.app = app
        self.store = store
        self.today = today
        self.comparison_max_age = comparison_max_age
        self._national: dict[date, tuple[int, float, dict[str, SchoolFigures]]] = {}
        self._national_lock = threading.Lock()
        self._refreshing: set[date] = set()
        self._computing = threading.Lock()
        self._summaries: dict[date, tuple[dict, dict[str, Any]]] = {}
        self._schools = SchoolFiguresCache()

    # --- freshness ---------------------------------------------------------------------

    def position(self) -> int:
        return self.store.position(TRACKING_NAME)

    def wait_for(self, min_position: int | None, timeout: float = 2.0) -> bool:
        """Read-your-writes: True once the views include `min_position`."""
        return not min_position or wait_for_position(self.store, min_position, timeout)

    def lag(self) -> dict[str, Any]:
        """How far the views trail the log: in events, and in seconds since the oldest one not yet applied."""
        head = self.app.recorder.max_notification_id() or 0
        position = self.position()
        waiting = self.app.recorder.select_notifications(start=position + 1, limit=1) if head > position else []
        seconds = 0.0
        if waiting:
            oldest = self.app.mapper.to_domain_event(waiting[0]).timestamp
            seconds = max(0.0, (datetime.now(timezone.utc) - oldest).total_seconds())
        return {"head": head, "position": position, "events": max(head - position, 0),
                "seconds": round(seconds, 3)}

    # --- figures -----------------------------------------------------------------------

    def _as_of(self, as_of: date | None, year: AcademicYear | None = None) -> date:
        if as_of is not None:
            return as_of
        return default_as_of(year, self.today()) if year else self.today()

    def _scoped(self, urns: list[str], known_at: datetime | None) -> ViewStore:
        if known_at is None:
            return self.store
        return replay_schools(self.app, self.store, urns, position_known_at(self.store, known_at))

    def school_status(self, urn: str, year: AcademicYear | None = None, as_of: date | None = None,
                      known_at: datetime | None = None) -> dict[str, Any] | None:
        """Per benchmark for one school, and by year group."""
        as_of = self._as_of(as_of, year)
        if known_at is None:
            figures = self._schools.figures(self.store, as_of, [urn]).get(urn)
            by_year_group = self._schools.by_year_group(self.store, as_of, urn)
        else:
            store = self._scoped([urn], known_at)
            figures = school_figures(store, as_of, [urn]).get(urn)
            by_year_group = year_group_figures(store, as_of, urn)
        if figures is None:
            return None
        return {**_header(as_of, known_at), **_school_row(figures), "by_year_group": by_year_group}

    def hub_metrics(self, code: str, as_of: date | None = None,
                    known_at: datetime | None = None) -> dict[str, Any] | None:
        """The hub's figures, with national and non-hub beside them, and a row per member school."""
        hub = self.hub(code)
        if hub is None:
            return None
        as_of = self._as_of(as_of)
        members = hub_members(self.store, code, as_of)
        if known_at is None:
            figures = self._schools.figures(self.store, as_of, members)
        else:
            figures = school_figures(self._scoped(members, known_at), as_of, members) if members else {}
        result = {**_header(as_of, known_at), "hub": hub, **summarise(list(figures.values())),
                  "school_rows": [_school_row(f) for f in figures.values()]}
        if known_at is None:
            result.update(self._comparisons(as_of))
        else:  # a replay covers the hub's own schools only
            result.update(national=None, non_hub=None)
        return result

    def _comparisons(self, as_of: date) -> dict[str, Any]:
        """National and non-hub beside a hub, summarised once per computation of every school's
        figures: summarising the nation costs tens of milliseconds, and a warm hub read should
        cost what its own schools cost. Memberships are read with the figures they are used with."""
        position, everyone = self._all_schools(as_of, self.comparison_max_age)
        cached = self._summaries.get(as_of)
        if cached is not None and cached[0] is everyone:
            return cached[1]
        in_hubs = schools_in_any_hub(self.store, as_of)
        comparisons = {"national": {**summarise(list(everyone.values())), "position": position},
                       "non_hub": {**summarise([f for urn, f in everyone.items() if urn not in in_hubs]),
                                   "position": position}}
        self._summaries[as_of] = (everyone, comparisons)
        if len(self._summaries) > 32:
            self._summaries.pop(next(iter(self._summaries)), None)
        return comparisons

    def _all_schools(self, as_of: date, max_age: float) -> tuple[int, dict[str, SchoolFigures]]:
        """Every school's figures on `as_of`, and the view position they were computed at.

        Reused while the views have not moved, or for `max_age` seconds when they have: beside
        a hub's own (always exact) figures, a national comparison a few seconds old saves
        scanning every pupil in the country on every request. Its position says how old.
        Past that age, the comparison we have is still answered at once while one thread
        computes its successor, so requests under steady writes never queue behind it.
        """
        position, now = self.position(), time.monotonic()
        with self._national_lock:
            cached = self._national.get(as_of)
            if cached is not None and (cached[0] == position or now - cached[1] <= max_age):
                return cached[0], cached[2]
            if cached is not None and max_age > 0:
                self._refresh_later(as_of)
                return cached[0], cached[2]
        with self._computing:  # one computation at a time; those waiting reuse its result
            with self._national_lock:
                cached = self._national.get(as_of)
            if cached is not None and cached[0] == self.position():
                return cached[0], cached[2]
            return self._compute_all_schools(as_of)

    def _compute_all_schools(self, as_of: date) -> tuple[int, dict[str, SchoolFigures]]:
        position = self.position()  # read first: the figures are at least this fresh
        everyone = self._schools.figures(self.store, as_of, None)
        with self._national_lock:
            self._national[as_of] = (position, time.monotonic(), everyone)
            if len(self._national) > 32:
                self._national.pop(next(iter(self._national)))
        return position, everyone

    def _refresh_later(self, as_of: date) -> None:
        """Called holding the national lock: start one background computation for the date."""
        if as_of in self._refreshing:
            return
        self._refreshing.add(as_of)

        def refresh() -> None:
            try:
                with self._computing:
                    self._compute_all_schools(as_of)
            finally:
                with self._national_lock:
                    self._refreshing.discard(as_of)
        threading.Thread(target=refresh, name="national-refresh", daemon=True).start()

    def figures_by_school(self, as_of: date, urns: list[str] | None = None) -> dict[str, SchoolFigures]:
        """Each school's figures on `as_of` (every school when `urns` is None), from the per-school cache."""
        return self._schools.figures(self.store, as_of, urns)

    def national_metrics(self, as_of: date | None = None) -> dict[str, Any]:
        """Exact: the national figures at the views' current position."""
        as_of = self._as_of(as_of)
        position, everyone = self._all_schools(as_of, max_age=0.0)
        in_hubs = schools_in_any_hub(self.store, as_of)
        return {**_header(as_of, None), **summarise(list(everyone.values())), "position": position,
                "non_hub": summarise([f for urn, f in everyone.items() if urn not in in_hubs])}

    def hub_series(self, code: str, year: AcademicYear | None = None, dates: list[date] | None = None,
                   shown: Callable[[dict[str, Any]], dict[str, Any]] = lambda metrics: metrics
                   ) -> dict[str, Any] | None:
        """The hub's figures at each termly snapshot of a year (those already reached) and any dates asked;
        `shown` makes each date's figures what the caller may see (small numbers withheld from hubs)."""
        year = year or AcademicYear.containing(self.today())
        wanted = sorted({d for d in year.snapshot_dates() if d <= self.today()} | set(dates or ()))
        points = [self.hub_metrics(code, as_of=d) for d in wanted]
        if points and points[0] is None:
            return None
        if self.hub(code) is None:
            return None
        return {"hub": code, "year": str(year), "points": [_series_point(shown(p)) for p in points]}

    def hub_years(self, code: str, since: AcademicYear | None = None, shown: Shown = lambda figures: figures
                  ) -> dict[str, Any] | None:
        """The hub's figures at the end of each academic year recorded, and as of today for this one;
        `shown` makes each year's figures what the caller may see."""
        if self.hub(code) is None:
            return None
        members = hub_members(self.store, code, self.today())
        points = [self.hub_metrics(code, as_of=self._year_end(year)) for year in self._years(members, since)]
        return {"hub": code, "years": [_year_point(shown(point)) for point in points]}

    def school_years(self, urn: str, since: AcademicYear | None = None, shown: Shown = lambda figures: figures
                     ) -> dict[str, Any] | None:
        """The school's figures at the end of each academic year recorded, and as of today for this one."""
        if self.school(urn) is None:
            return None
        points = [self.school_status(urn, as_of=self._year_end(year)) for year in self._years([urn], since)]
        return {"urn": urn, "years": [_year_point(shown(point)) for point in points]}

    def _years(self, urns: list[str], since: AcademicYear | None) -> list[AcademicYear]:
        """From `since` (default: the year of the schools' first activity) to this year, ten at most."""
        this_year = AcademicYear.containing(self.today())
        if since is None and urns:
            first = self.store.query(f"SELECT MIN(occurred_on) FROM {{activities}} WHERE school_urn IN "
                                     f"({', '.join('?' * len(urns))})", urns)[0][0]
            since = AcademicYear.containing(first if isinstance(first, date) else date.fromisoformat(first)) \
                if first else this_year
        start = max((since or this_year).start_year, this_year.start_year - 9)
        return [AcademicYear(year) for year in range(start, this_year.start_year + 1)]

    def _year_end(self, year: AcademicYear) -> date:
        return min(year.end, self.today())

    # --- things ------------------------------------------------------------------------

    def destinations(self, urns: list[str], cohort: AcademicYear | None, as_of: date | None,
                     with_leavers: bool) -> dict[str, Any]:
        """Where the schools' leavers of a cohort went (default: last year's), as known by `as_of`;
        `with_leavers` adds each leaver and their next follow-up, for the school that holds them."""
        as_of = self._as_of(as_of)
        cohort = cohort or AcademicYear.containing(as_of).previous()
        found = destinations.leavers(self.store, urns, cohort, as_of)
        result = {**destinations.report(found, cohort, as_of), "schools": len(urns)}
        if with_leavers:
            result["follow_ups"] = destinations.follow_up_list(found, as_of)
        return result

    def pupil_benchmarks(self, upn: str, as_of: date | None, school: str | None,
                         known_at: datetime | None = None) -> list[dict[str, Any]]:
        """The pupil's status on each of benchmarks 5 to 8 at the school they are on roll at on `as_of`
        (for a school, at that school only), as known at `known_at`; none where they are on no roll then
        (or outside its year groups)."""
        as_of = self._as_of(as_of)
        store = self._scoped(self.pupil_schools(upn), known_at)
        urn = school or next(iter(store.query(
            "SELECT school_urn FROM {enrolments} WHERE upn = ? AND enrolled_on <= ? AND (left_on IS NULL OR "
            "? <= left_on)", (upn, as_of, as_of))), (None,))[0]
        found = self.school(urn) if urn else None
        rows = pupil_status.on_roll(store, urn, as_of, [upn]) if found else []
        return [asdict(status) for row in rows for status in pupil_status.statuses(row, as_of, found["type"])]

    def roll(self, urn: str, as_of: date | None, wanted: pupil_status.RollFilter, after: str | None,
             limit: int) -> dict[str, Any] | None:
        """A page of the school's roll with each pupil's benchmark status, filtered as the school asks."""
        found = self.school(urn)
        if found is None:
            return None
        as_of = self._as_of(as_of)
        items, cursor = pupil_status.roll(self.store, urn, found["type"], as_of, wanted, after, limit,
                                          identities_of=self.app.identities_of)  # names: from the log
        return {"as_of": as_of.isoformat(), "items": items, "next": cursor}

    def hub_members(self, code: str, as_of: date | None = None) -> list[str]:
        return hub_members(self.store, code, self._as_of(as_of))

    def hub(self, code: str) -> dict[str, Any] | None:
        rows = self.store.query("SELECT code, name, area, wave FROM {hubs} WHERE code = ?", (code,))
        return dict(zip(("code", "name", "area", "wave"), rows[0])) if rows else None

    def school(self, urn: str) -> dict[str, Any] | None:
        rows = self.store.query("SELECT urn, name, type, la_code, laestab, careers_leader FROM {schools} "
                                "WHERE urn = ?", (urn,))
        return dict(zip(("urn", "name", "type", "la_code", "laestab", "careers_leader"), rows[0])) if rows else None

    def hub_of_school(self, urn: str, as_of: date | None = None) -> str | None:
        as_of = self._as_of(as_of)
        rows = self.store.query("SELECT hub_code FROM {memberships} WHERE urn = ? AND joined_on <= ? "
                                "AND (left_on IS NULL OR ? <= left_on)", (urn, as_of, as_of))
        return rows[0][0] if rows else None

    def activity_school(self, activity_id: str) -> str | None:
        rows = self.store.query("SELECT school_urn FROM {activities} WHERE id = ?", (activity_id,))
        return rows[0][0] if rows else None

    def placement_school(self, placement_id: str) -> str | None:
        rows = self.store.query("SELECT school_urn FROM {placements} WHERE id = ?", (placement_id,))
        return rows[0][0] if rows else None

    def pupil_schools(self, upn: str) -> list[str]:
        """Every school the pupil has been on roll at, oldest first."""
        return [row[0] for row in self.store.query(
            "SELECT school_urn FROM {enrolments} WHERE upn = ? ORDER BY enrolled_on", (upn,))]


class SchoolFiguresCache:
    """Each school's figures per as-of date, kept until the school's version moves on.

    A school's version is the last view position at which anything bearing on its figures
    changed (`school_versions`), so a hit is exactly what a fresh computation would give.
    """

    def __init__(self, maxsize: int = 20_000):
        self.maxsize = maxsize
        self._entries: dict[tuple, tuple[int, Any]] = {}
        self._lock = threading.Lock()

    def figures(self, store: ViewStore, as_of: date, urns: list[str] | None) -> dict[str, SchoolFigures]:
        versions = _versions(store, urns)
        with self._lock:
            fresh = {urn: self._entries.get((urn, as_of)) for urn in versions}
        stale = [urn for urn, hit in fresh.items() if hit is None or hit[0] != versions[urn]]
        computed = school_figures(store, as_of, stale) if stale else {}
        with self._lock:
            for urn, figures in computed.items():
                self._entries[(urn, as_of)] = (versions[urn], figures)
            if len(self._entries) > self.maxsize:
                self._entries.clear()  # simple and rare: the next reads refill it
        return {urn: computed[urn] if urn in computed else fresh[urn][1]
                for urn in sorted(versions) if urn in computed or fresh[urn]}

    def by_year_group(self, store: ViewStore, as_of: date, urn: str) -> list[dict[str, Any]]:
        """The school's year-group figures, kept in the same way."""
        version = _versions(store, [urn]).get(urn, 0)
        key = ("by_year_group", urn, as_of)
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        rows = year_group_figures(store, as_of, urn)
        with self._lock:
            self._entries[key] = (version, rows)
        return rows


def _versions(store: ViewStore, urns: list[str] | None) -> dict[str, int]:
    if urns is None:
        rows = store.query("SELECT s.urn, COALESCE(v.position, 0) FROM {schools} s "
                           "LEFT JOIN {school_versions} v ON v.urn = s.urn")
    elif not urns:
        return {}
    else:
        rows = store.query(f"SELECT s.urn, COALESCE(v.position, 0) FROM {{schools}} s LEFT JOIN "
                           f"{{school_versions}} v ON v.urn = s.urn WHERE s.urn IN ({', '.join('?' * len(urns))})",
                           urns)
    return dict(rows)


def _header(as_of: date, known_at: datetime | None) -> dict[str, Any]:
    year = AcademicYear.containing(as_of)
    return {"as_of": as_of.isoformat(), "year": str(year), "rule_set": rule_set_for(year).name,
            "known_at": known_at.astimezone(timezone.utc).isoformat() if known_at else None}


def _school_row(figures: SchoolFigures) -> dict[str, Any]:
    return {"urn": figures.urn, "name": figures.name, "type": figures.type,
            "benchmarks": [f.as_dict() for f in figures.benchmarks.values()],
            "benchmarks_achieved": figures.benchmarks_achieved}


def _year_point(figures: dict[str, Any]) -> dict[str, Any]:
    """One year's figures for the trend (a hub's keep national and non-hub beside them), without the rows."""
    return {key: value for key, value in figures.items() if key not in ("school_rows", "by_year_group", "hub")}


def _series_point(metrics: dict[str, Any]) -> dict[str, Any]:
    keep = ("as_of", "schools", "every_student_employer_encounters", "every_student_workplace_experience",
            "mean_benchmarks_achieved", "pct_schools_achieving", "pupil_coverage", "pupils_measured", "pupils_met")
    point = {key: metrics[key] for key in keep}
    point["national"] = {key: metrics["national"][key] for key in keep if key != "as_of"}
    for part, source in ((point, metrics), (point["national"], metrics["national"])):
        if "suppressed" in source:  # what a hub token was not shown, of the figures kept here
            part["suppressed"] = {name: why for name, why in source["suppressed"].items()
                                  if name.partition(".")[0] in keep}
    return point
