"""A Careers Hub: a named group of schools led by a Hub Lead."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import TrackerAggregate, stable_id


class Hub(TrackerAggregate):
    """A hub is registered once; its membership is recorded on each school.

    Membership lives on `School` because "a school is in at most one hub at a time"
    is a rule about one school, so one aggregate can keep it without races.
    """

    @staticmethod
    def create_id(code: str) -> UUID:
        return stable_id("hub", code)

    @event("Registered")
    def __init__(self, code: str, name: str, area: str, wave: int | None) -> None:
        self.code = code
        self.name = name
        self.area = area
        self.wave = wave
