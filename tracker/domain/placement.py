"""A work-experience placement for one pupil: arranged, confirmed, completed or cancelled."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from tracker.domain.base import TrackerAggregate
from tracker.errors import InvalidValue, OutOfOrder

# The employer's answer, on completion, to "would you host another student?".
NOT_ASKED = "not_asked"
HOST_ANSWERS = ("yes", "no", NOT_ASKED)

# Which states each step may follow: confirmation is optional, completion and
# cancellation are final.
MAY_FOLLOW = {
    "confirmed": {"arranged"},
    "completed": {"arranged", "confirmed"},
    "cancelled": {"arranged", "confirmed"},
}
# A placement is confirmed once these are done (domain.md); a school may record other checks too.
CONFIRMING_CHECKS = ("safeguarding", "risk_assessment")


class Placement(TrackerAggregate):
    """Only a completed placement counts towards Benchmark 6, on its completion date."""

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event("Arranged")
    def __init__(
        self,
        school_urn: str,
        upn: str,
        kind: str,
        employer: dict[str, Any],
        starts_on: date,
        ends_on: date,
    ) -> None:
        self.school_urn = school_urn
        self.upn = upn
        self.kind = kind
        self.employer = employer
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.state = "arranged"

    def check_may(self, step: str) -> None:
        if self.state not in MAY_FOLLOW[step]:
            raise OutOfOrder(f"a {self.state} placement cannot be {step}", "state")

    def confirm(self, checks: dict[str, bool]) -> None:
        self.check_may("confirmed")
        self.check_confirming(checks)
        self._confirmed(checks)

    @staticmethod
    def check_confirming(checks: dict[str, bool]) -> None:
        missing = [name for name in CONFIRMING_CHECKS if checks.get(name) is not True]
        if missing:
            raise InvalidValue(
                "a placement is confirmed once its safeguarding and risk assessment checks are "
                f"done: {' and '.join(missing)} not done",
                "checks",
            )

    @event("Confirmed")
    def _confirmed(self, checks: dict[str, bool]) -> None:
        self.state = "confirmed"

    def complete(self, completed_on: date, hours: float, would_host: str = NOT_ASKED) -> None:
        self.check_may("completed")
        if completed_on < self.starts_on:
            raise OutOfOrder(
                f"completed_on {completed_on} is before the placement starts on {self.starts_on}",
                "completed_on",
            )
        self._completed(completed_on, hours, would_host)

    class Completed(TrackerAggregate.Event):
        """Version 2 keeps the employer's answer to "would you host another student?"."""

        class_version = 2
        completed_on: date
        hours: float
        would_host: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state.update(would_host=NOT_ASKED)  # completed before the question was recorded

    @event(Completed)
    def _completed(self, completed_on: date, hours: float, would_host: str) -> None:
        self.state = "completed"
        self.completed_on = completed_on

    def cancel(self, reason: str) -> None:
        self.check_may("cancelled")
        self._cancelled(reason)

    @event("Cancelled")
    def _cancelled(self, reason: str) -> None:
        self.state = "cancelled"
