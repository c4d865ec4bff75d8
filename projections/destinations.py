"""Where each leaving cohort went: counts and shares per destination, the unknown, and follow-ups
due.

A leaver is followed up on the 1 October after leaving (the September guarantee's check) and one,
two and three years after leaving (the 2024 Benchmark 3 asks for three years of destinations). A
leaver whose latest word of a destination is older than the last of those dates to have passed is
"not followed up" (docs/years.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.store import ViewStore, any_of
from tracker.calendar import AcademicYear
from tracker.rulesets import DESTINATIONS


@dataclass(frozen=True)
class Leaver:
    upn: str
    school_urn: str
    left_on: date
    destination: (
        str  # one of DESTINATIONS; "unknown" where none (or an old free-text one) was recorded
    )
    recorded_on: date

    def follow_ups(self) -> list[date]:
        """The 1 October after leaving, then one, two and three years after leaving."""
        left = self.left_on
        october = date(left.year if left < date(left.year, 10, 1) else left.year + 1, 10, 1)
        return [october, *(_years_after(left, n) for n in (1, 2, 3))]

    def followed_up(self, as_of: date) -> bool:
        due = [day for day in self.follow_ups() if day <= as_of]
        return not due or self.recorded_on >= due[-1]

    def next_follow_up(self, as_of: date) -> date | None:
        return next((day for day in self.follow_ups() if day > as_of), None)


def _years_after(day: date, years: int) -> date:
    return date(day.year + years, day.month, 28 if (day.month, day.day) == (2, 29) else day.day)


def leavers(
    store: ViewStore, schools: list[str], cohort: AcademicYear, as_of: date
) -> list[Leaver]:
    """The schools' leavers in the cohort (left in that academic year, by `as_of`), each with the
    latest destination recorded by `as_of`."""
    if not schools:
        return []
    marks, named_schools = any_of("school", schools)
    rows = store.query(
        "SELECT upn, school_urn, left_on, destination, recorded_on FROM {destinations} "
        f"WHERE school_urn IN ({marks}) AND left_on >= :start AND left_on <= :end "
        "AND left_on <= :as_of AND recorded_on <= :as_of ORDER BY recorded_on",
        {**named_schools, "start": cohort.start, "end": cohort.end, "as_of": as_of},
    )
    latest = {
        (upn, urn, left_on): Leaver(
            upn,
            urn,
            _day(left_on),
            where if where in DESTINATIONS else "unknown",
            _day(recorded_on),
        )
        for upn, urn, left_on, where, recorded_on in rows
    }
    return sorted(
        latest.values(), key=lambda leaver: (leaver.school_urn, leaver.upn, leaver.left_on)
    )


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def report(found: list[Leaver], cohort: AcademicYear, as_of: date) -> dict[str, Any]:
    """Counts and shares per destination, how many are unknown, and how many are not followed up."""
    counts = {where: sum(leaver.destination == where for leaver in found) for where in DESTINATIONS}
    return {
        "cohort": str(cohort),
        "as_of": as_of.isoformat(),
        "leavers": len(found),
        "destinations": [
            {
                "destination": where,
                "count": n,
                "share": round(100 * n / len(found), 1) if found else None,
            }
            for where, n in counts.items()
        ],
        "unknown": counts["unknown"],
        "not_followed_up": sum(not leaver.followed_up(as_of) for leaver in found),
    }


def follow_up_list(found: list[Leaver], as_of: date) -> list[dict[str, Any]]:
    """Each leaver, for the school that holds them: what is known, and when to ask next."""
    return [
        {
            "upn": leaver.upn,
            "left_on": leaver.left_on.isoformat(),
            "destination": leaver.destination,
            "recorded_on": leaver.recorded_on.isoformat(),
            "followed_up": leaver.followed_up(as_of),
            "next_follow_up": (due := leaver.next_follow_up(as_of)) and due.isoformat(),
        }
        for leaver in found
    ]
