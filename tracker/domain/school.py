"""A school or college: its registration, Careers Leader, checklist and hub membership."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from tracker.calendar import AcademicYear, check_year_group
from tracker.domain.base import TrackerAggregate, stable_id
from tracker.errors import AlreadyExists, InvalidValue, OutOfOrder, RuleBroken
from tracker.rulesets import DEFAULT_YEAR_GROUPS


@dataclass(frozen=True)
class HubSpan:
    """A stretch of membership of one hub; `left_on` is the last day, None while current."""

    hub_code: str
    joined_on: date
    left_on: date | None = None

    def covers(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


def year_groups_in(
    school_type: str, ranges: list[tuple[int | None, int, int]], year: int
) -> tuple[int, int]:
    """The range in force in the academic year starting in `year`: the one set latest for the latest
    start on or before it (a range set later for the same start corrects the earlier one)."""
    in_force = [
        (start or 0, order, first, last)
        for order, (start, first, last) in enumerate(ranges)
        if (start or 0) <= year
    ]
    return max(in_force)[2:] if in_force else DEFAULT_YEAR_GROUPS[school_type]


class School(TrackerAggregate):
    """One establishment, known by its URN."""

    @staticmethod
    def create_id(urn: str) -> UUID:
        return stable_id("school", urn)

    @event("Registered")
    def __init__(self, urn: str, name: str, type: str, la_code: str, laestab: str) -> None:
        self.urn = urn
        self.name = name
        self.type = type
        self.la_code = la_code
        self.laestab = laestab
        self.careers_leader: str | None = None
        self.criteria: dict[str, bool] = {}
        self.hub_spans: list[HubSpan] = []
        # (from academic year, or None for "from the start"; first NCY; last NCY), in the order set
        self.year_group_ranges: list[tuple[int | None, int, int]] = []

    # --- the year groups it teaches ---------------------------------------------------

    def year_groups_in(self, year: AcademicYear) -> tuple[int, int]:
        """(first, last) year group taught in `year`: the latest range set for it, else the
        type's."""
        return year_groups_in(self.type, self.year_group_ranges, year.start_year)

    def set_year_groups(self, first: int, last: int, from_year: AcademicYear | None) -> None:
        """Teach years `first` to `last` from `from_year` on (None: since the school was
        registered)."""
        first, last = (
            check_year_group(first, "first_year_group"),
            check_year_group(last, "last_year_group"),
        )
        if first > last:
            raise InvalidValue(
                f"first_year_group {first} is after last_year_group {last}", "first_year_group"
            )
        start = from_year.start_year if from_year else None
        later = any((begins or 0) > (start or 0) for begins, _, _ in self.year_group_ranges)
        if (
            later
            or not self.year_group_ranges
            or year_groups_in(self.type, self.year_group_ranges, start or 0) != (first, last)
        ):
            self._year_groups_set(first, last, start)

    @event("YearGroupsSet")
    def _year_groups_set(self, first: int, last: int, from_year: int | None) -> None:
        self.year_group_ranges.append((from_year, first, last))

    @event("CareersLeaderAppointed")
    def appoint_careers_leader(self, name: str, email: str | None, appointed_on: date) -> None:
        self.careers_leader = name

    def change_criterion(
        self, benchmark: int, code: str, met: bool, evidence: str, changed_on: date
    ) -> None:
        """Mark one checklist criterion met or unmet, with the evidence for it."""
        if met:
            self._criterion_met(benchmark, code, evidence, changed_on)
        else:
            self._criterion_unmet(benchmark, code, evidence, changed_on)

    @event("CriterionMet")
    def _criterion_met(self, benchmark: int, code: str, evidence: str, changed_on: date) -> None:
        self.criteria[code] = True

    @event("CriterionUnmet")
    def _criterion_unmet(self, benchmark: int, code: str, evidence: str, changed_on: date) -> None:
        self.criteria[code] = False

    # --- hub membership -------------------------------------------------------------

    @property
    def current_span(self) -> HubSpan | None:
        last = self.hub_spans[-1] if self.hub_spans else None
        return last if last and last.left_on is None else None

    def is_member_of(self, hub_code: str, joined_on: date) -> bool:
        """True when this exact membership is already recorded (a repeated PUT)."""
        span = self.current_span
        return span is not None and span.hub_code == hub_code and span.joined_on == joined_on

    def join_hub(self, hub_code: str, joined_on: date) -> None:
        self.check_free_to_join(joined_on)
        self._joined_hub(hub_code, joined_on)

    def check_free_to_join(self, joined_on: date) -> None:
        span = self.current_span
        if span is not None:
            raise AlreadyExists(
                f"school {self.urn} is already in hub {span.hub_code} since {span.joined_on}; "
                "record leaving it first",
                "urn",
            )
        if self.hub_spans and joined_on <= self.hub_spans[-1].left_on:
            raise RuleBroken(
                f"school {self.urn} was in hub {self.hub_spans[-1].hub_code} until "
                f"{self.hub_spans[-1].left_on}; joined_on must be after that",
                "joined_on",
            )

    @event("JoinedHub")
    def _joined_hub(self, hub_code: str, joined_on: date) -> None:
        self.hub_spans.append(HubSpan(hub_code, joined_on))

    def leave_hub(self, hub_code: str, left_on: date) -> None:
        span = self.current_span
        if span is None or span.hub_code != hub_code:
            raise OutOfOrder(f"school {self.urn} is not a member of hub {hub_code}", "urn")
        if left_on < span.joined_on:
            raise OutOfOrder(
                f"left_on {left_on} is before the school joined on {span.joined_on}", "left_on"
            )
        self._left_hub(hub_code, left_on)

    @event("LeftHub")
    def _left_hub(self, hub_code: str, left_on: date) -> None:
        joined = self.hub_spans.pop()
        self.hub_spans.append(HubSpan(hub_code, joined.joined_on, left_on))
