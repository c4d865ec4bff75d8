"""What the reads keep between requests: each school's figures, and every school's for the national
comparison (refreshed behind the readers), both answered exactly as a fresh computation would be."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any, Callable

from projections.answers import SchoolRow
from projections.metrics import SchoolFigures, school_figures, year_group_figures
from projections.store import ViewStore, any_of

MAX_DATES = 32  # as-of dates whose every-school figures are kept; the oldest asked goes first


class SchoolFiguresCache:
    """Each school's figures per as-of date, kept until the school's version moves on.

    A school's version is the last view position at which anything bearing on its figures
    changed (`school_versions`), so a hit is exactly what a fresh computation would give.
    """

    def __init__(self, maxsize: int = 20_000):
        self.maxsize = maxsize
        self._entries: dict[tuple, tuple[int, Any]] = {}
        self._rows: dict[tuple[str, date], tuple[SchoolFigures, SchoolRow]] = {}
        self._lock = threading.Lock()

    def figures(
        self, store: ViewStore, as_of: date, urns: list[str] | None
    ) -> dict[str, SchoolFigures]:
        versions = _versions(store, urns)
        with self._lock:
            fresh = {urn: self._entries.get((urn, as_of)) for urn in versions}
        stale = [urn for urn, hit in fresh.items() if hit is None or hit[0] != versions[urn]]
        # Every school stale (a national read from nothing): read them all unnamed, since naming
        # each of 4,503 URNs in every statement costs more than the filter saves.
        every = urns is None and len(stale) == len(versions)
        computed = school_figures(store, as_of, None if every else stale) if stale else {}
        with self._lock:
            for urn, figures in computed.items():
                self._entries[(urn, as_of)] = (versions[urn], figures)
            if len(self._entries) > self.maxsize:
                self._entries.clear()  # simple and rare: the next reads refill it
                self._rows.clear()
        return {
            urn: computed[urn] if urn in computed else fresh[urn][1]
            for urn in sorted(versions)
            if urn in computed or fresh[urn]
        }

    def holds(self, urn: str, as_of: date) -> bool:
        """Whether a school's figures on a date are kept (at whatever version)."""
        with self._lock:
            return (urn, as_of) in self._entries

    def row(self, figures: SchoolFigures, as_of: date) -> SchoolRow:
        """The school's row as answered, built once for each computation of its figures (this
        cache's): a hub's 40 rows of 8 benchmarks cost as much to build as to read."""
        key = (figures.urn, as_of)
        hit = self._rows.get(key)
        if hit is not None and hit[0] is figures:
            return hit[1]
        row = SchoolRow.of(figures)
        with self._lock:
            self._rows[key] = (figures, row)
        return row

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
        rows = store.query(
            "SELECT s.urn, COALESCE(v.position, 0) FROM {schools} s "
            "LEFT JOIN {school_versions} v ON v.urn = s.urn"
        )
    elif not urns:
        return {}
    else:
        marks, named_urns = any_of("urn", urns)
        rows = store.query(
            f"SELECT s.urn, COALESCE(v.position, 0) FROM {{schools}} s LEFT JOIN "
            f"{{school_versions}} v ON v.urn = s.urn WHERE s.urn IN ({marks})",
            named_urns,
        )
    return dict(rows)


EverySchool = tuple[int, dict[str, SchoolFigures]]  # the view position, and every school's figures


class EverySchoolCache:
    """Every school's figures on an as-of date, and the view position they were computed at.

    Reused while the views have not moved, or for `max_age` seconds when they have: beside a
    hub's own (always exact) figures, a national comparison a few seconds old saves scanning
    every pupil in the country on every request. Its position says how old. Past that age, the
    comparison we have is still answered at once while one thread computes its successor, so
    requests under steady writes never queue behind it.
    """

    def __init__(self, store: ViewStore, schools: SchoolFiguresCache, position: Callable[[], int]):
        self.store = store
        self.schools = schools
        self.position = position
        self._answers: dict[date, tuple[int, float, dict[str, SchoolFigures]]] = {}
        self._lock = threading.Lock()
        self._refreshing: set[date] = set()
        self._computing = threading.Lock()

    def figures(self, as_of: date, max_age: float) -> EverySchool:
        position, now = self.position(), time.monotonic()
        with self._lock:
            cached = self._answers.get(as_of)
            if cached is not None and (cached[0] == position or now - cached[1] <= max_age):
                return cached[0], cached[2]
            if cached is not None and max_age > 0:
                self._refresh_later(as_of)
                return cached[0], cached[2]
        with self._computing:  # one computation at a time; those waiting reuse its result
            with self._lock:
                cached = self._answers.get(as_of)
            if cached is not None and cached[0] == self.position():
                return cached[0], cached[2]
            return self._compute(as_of)

    def clear(self) -> None:
        """Forget every answer: the next read of each date computes it (from the per-school
        cache)."""
        with self._lock:
            self._answers.clear()

    def _compute(self, as_of: date) -> EverySchool:
        position = self.position()  # read first: the figures are at least this fresh
        everyone = self.schools.figures(self.store, as_of, None)
        with self._lock:
            self._answers[as_of] = (position, time.monotonic(), everyone)
            if len(self._answers) > MAX_DATES:
                self._answers.pop(next(iter(self._answers)))
        return position, everyone

    def _refresh_later(self, as_of: date) -> None:
        """Called holding the lock: start one background computation for the date."""
        if as_of in self._refreshing:
            return
        self._refreshing.add(as_of)

        def refresh() -> None:
            try:
                with self._computing:
                    self._compute(as_of)
            finally:
                with self._lock:
                    self._refreshing.discard(as_of)

        threading.Thread(target=refresh, name="national-refresh", daemon=True).start()


class DerivedCache:
    """One value derived from each computation of every school's figures, per as-of date:
    summarising the nation costs tens of milliseconds, and a warm hub read should cost what its
    own schools cost."""

    def __init__(self) -> None:
        self._values: dict[date, tuple[dict[str, SchoolFigures], Any]] = {}

    def get(
        self, as_of: date, everyone: dict[str, SchoolFigures], derive: Callable[[], Any]
    ) -> Any:
        cached = self._values.get(as_of)
        if cached is not None and cached[0] is everyone:
            return cached[1]
        value = derive()
        self._values[as_of] = (everyone, value)
        if len(self._values) > MAX_DATES:
            self._values.pop(next(iter(self._values)), None)
        return value
