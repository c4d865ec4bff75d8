"""A pupil's milestone and employer dates, tallied one encounter at a time in any order."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable

from tracker.calendar import AcademicYear, ks5_window_start


def nth(dates: list[date], n: int) -> date | None:
    return dates[n - 1] if len(dates) >= n else None


def ks5_start(year_groups: list[tuple[int, int]]) -> date | None:
    """When the pupil's Year 12 starts, by their latest recorded year group."""
    if not year_groups:
        return None
    from_year, year_group = max(year_groups)
    return ks5_window_start(year_group, AcademicYear(from_year))


def _keep_first_two(dates: list[date], occurred_on: date) -> None:
    if len(dates) < 2:
        dates.append(occurred_on)
        dates.sort()
    elif occurred_on < dates[1]:
        dates[1] = occurred_on
        dates.sort()


class Tally:
    """Every milestone is the first or second date of its kind, or the first on or after the day
    Year 12 starts, and every employer date the first or second of its year: so an encounter
    added moves at most those, whatever the order encounters come in. A page computes a pupil's
    rows at each position that touched them; with a tally each position costs the encounters it
    added, where recounting costs every encounter the pupil has (docs/time.md)."""

    def __init__(self, start: date | None, encounters: Iterable[tuple]):
        self.start = start
        self._firsts: dict[str, list[date]] = defaultdict(list)  # by category: the first two
        self._employer: dict[int, list[date]] = {}  # by academic year: the first two
        self._from_start: dict[str, date] = {}  # by category: the first on or after `start`
        self.add(encounters)

    def add(self, encounters: Iterable[tuple]) -> None:
        """Counted encounters (occurred_on, academic year, kind, category)."""
        for occurred_on, year, kind, category in encounters:
            _keep_first_two(self._firsts[category], occurred_on)
            if kind == "university_visit":
                _keep_first_two(self._firsts["university"], occurred_on)
            if category == "employer":
                _keep_first_two(self._employer.setdefault(year, []), occurred_on)
            if self.start is not None and self.start <= occurred_on:
                if occurred_on < self._from_start.get(category, date.max):
                    self._from_start[category] = occurred_on

    def milestones(self) -> tuple:
        """The milestone columns' dates, in the table's order."""
        firsts = self._firsts
        return (
            nth(firsts["workplace"], 1),
            nth(firsts["workplace"], 2),
            nth(firsts["fe"], 1),
            nth(firsts["he"], 1),
            nth(firsts["university"], 2),
            nth(firsts["guidance"], 1),
            self.start,
            self._from_start.get("workplace"),
            self._from_start.get("guidance"),
        )

    def rows(self, upn: str, year_groups: list, enrolments: list) -> tuple[list, list, int]:
        """The pupil's milestone rows (one per enrolment) and employer rows, and their latest
        employer year (0 if none)."""
        employer_rows = [(upn, year, on[0], nth(on, 2)) for year, on in self._employer.items()]
        latest = max(self._employer, default=None)
        employer = (latest, *self._employer[latest]) if latest is not None else (None,)
        employer += (None,) * (3 - len(employer))
        if not year_groups:  # a pupil with no year group is in no school's figures
            return [], employer_rows, latest or 0
        dates, year_group = self.milestones(), max(year_groups)
        rows = [(upn, *enrolment, *dates, *year_group, *employer) for enrolment in enrolments]
        return rows, employer_rows, latest or 0
