"""An activity: one thing that happened on one date at one school, for a list of pupils."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from tracker.domain.base import TrackerAggregate
from tracker.errors import InvalidValue, Retracted, RuleBroken
from tracker.rulesets import PROVIDER_ACCESS_KINDS

AMENDABLE = ("title", "occurred_on", "employer", "provider", "meaningful", "criteria")
ONE_PUPIL_KINDS = frozenset({"guidance_meeting"})  # personal guidance is one pupil's interview


class Activity(TrackerAggregate):
    """A careers fair for 180 pupils is one activity with 180 UPNs, not 180 events."""

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event("Recorded")
    def __init__(
        self,
        school_urn: str,
        kind: str,
        title: str,
        occurred_on: date,
        employer: dict[str, Any] | None,
        provider: dict[str, Any] | None,
        meaningful: bool | None,
        criteria: dict[str, bool] | None,
        attendees: list[str],
    ) -> None:
        self.school_urn = school_urn
        self.kind = kind
        self.title = title
        self.occurred_on = occurred_on
        self.employer = employer
        self.provider = provider
        self.meaningful = meaningful
        self.criteria = criteria
        self.attendees = list(attendees)
        self.retracted_because: str | None = None
        self.offered_to: list[int] = []

    @staticmethod
    def check_attendees(kind: str, attendees: list[str]) -> None:
        """Before recording: a guidance meeting is for exactly one pupil."""
        if kind in ONE_PUPIL_KINDS and len(attendees) != 1:
            raise InvalidValue(f"a {kind} is for exactly one pupil", "attendees")

    @property
    def is_retracted(self) -> bool:
        return self.retracted_because is not None

    def check_not_retracted(self) -> None:
        if self.is_retracted:
            raise Retracted(self.id)

    def change_attendees(self, add: list[str], remove: list[str]) -> None:
        """Add and remove attendees; already-present additions are not recorded twice."""
        self.check_not_retracted()
        strangers = [upn for upn in remove if upn not in self.attendees]
        if strangers:
            raise RuleBroken("; ".join(f"{upn} is not an attendee" for upn in strangers), "remove")
        new = [upn for upn in dict.fromkeys(add) if upn not in self.attendees]
        if new:
            self._attendees_added(new)
        if remove:
            self._attendees_removed(list(dict.fromkeys(remove)))

    @event("AttendeesAdded")
    def _attendees_added(self, upns: list[str]) -> None:
        self.attendees.extend(upns)

    @event("AttendeesRemoved")
    def _attendees_removed(self, upns: list[str]) -> None:
        gone = set(upns)
        self.attendees = [upn for upn in self.attendees if upn not in gone]

    def amend(self, changes: dict[str, Any], reason: str | None) -> None:
        """Correct details; `changes` holds only the fields that differ."""
        self.check_not_retracted()
        self._amended(reason=reason, **{name: changes.get(name) for name in AMENDABLE})

    @event("Amended")
    def _amended(
        self,
        title: str | None,
        occurred_on: date | None,
        employer: dict[str, Any] | None,
        provider: dict[str, Any] | None,
        meaningful: bool | None,
        criteria: dict[str, bool] | None,
        reason: str | None,
    ) -> None:
        given = dict(
            title=title,
            occurred_on=occurred_on,
            employer=employer,
            provider=provider,
            meaningful=meaningful,
            criteria=criteria,
        )
        for name, value in given.items():
            if value is not None:
                setattr(self, name, value)

    def offer_to_year_groups(self, year_groups: list[int]) -> None:
        """Record that a provider encounter was offered to whole year groups (the provider access
        duty asks that two be offered to Years 12-13); groups already recorded are not again."""
        self.check_not_retracted()
        if self.kind not in PROVIDER_ACCESS_KINDS:
            raise RuleBroken(f"a {self.kind} is not a provider encounter", "year_groups")
        new = [group for group in dict.fromkeys(year_groups) if group not in self.offered_to]
        if new:
            self._offered_to_year_groups(sorted(new))

    @event("OfferedToYearGroups")
    def _offered_to_year_groups(self, year_groups: list[int]) -> None:
        self.offered_to = sorted({*self.offered_to, *year_groups})

    def retract(self, reason: str) -> None:
        self.check_not_retracted()
        self._retracted(reason)

    @event("Retracted")
    def _retracted(self, reason: str) -> None:
        self.retracted_because = reason
