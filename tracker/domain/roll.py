"""A school's roll: which pupils were on it, over which dates."""

from __future__ import annotations

import copy
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import TrackerAggregate, stable_id
from tracker.errors import NotOnRoll


class Roll(TrackerAggregate):
    """The school's register of admissions, kept beside each `Student`'s own record.

    Recording an activity for 180 pupils must check every attendee was on roll on the
    day; one roll answers that in a single read, where 180 students would take 180.
    """

    @staticmethod
    def create_id(urn: str) -> UUID:
        return stable_id("roll", urn)

    @event("Opened")
    def __init__(self, urn: str) -> None:
        self.urn = urn
        # upn -> ((admitted_on, discharged_on or None), ...), oldest first; tuples, so copies can
        # share them
        self.spans: dict[str, tuple[tuple[date, date | None], ...]] = {}

    def __deepcopy__(self, memo: dict) -> "Roll":
        # The library copies cached aggregates before each command; a roll of 1,500 pupils
        # deep-copied took most of an activity's recording time. Its values are immutable.
        clone = copy.copy(self)
        clone.spans = dict(self.spans)
        clone._pending_events = list(self._pending_events)
        return clone

    @event("PupilAdmitted")
    def admit(self, upn: str, admitted_on: date) -> None:
        self.spans[upn] = self.spans.get(upn, ()) + ((admitted_on, None),)

    @event("PupilDischarged")
    def discharge(self, upn: str, discharged_on: date) -> None:
        *earlier, (admitted_on, _) = self.spans[upn]
        self.spans[upn] = (*earlier, (admitted_on, discharged_on))

    def is_on_roll(self, upn: str, day: date) -> bool:
        """Dates are inclusive: the admission day and the last day both count."""
        return any(
            start <= day and (end is None or day <= end) for start, end in self.spans.get(upn, ())
        )

    def on_roll(self, day: date) -> list[str]:
        """Every UPN on this roll on `day`, in UPN order."""
        return sorted(upn for upn in self.spans if self.is_on_roll(upn, day))

    def absent_on(self, upns: list[str], day: date) -> list[str]:
        """The UPNs in `upns` that were not on this roll on `day`."""
        return [upn for upn in upns if not self.is_on_roll(upn, day)]

    def check_on_roll(self, upns: list[str], day: date, field: str) -> None:
        """Refuse the UPNs in `upns` not on this roll on `day`, each named under `field`."""
        absent = self.absent_on(upns, day)
        if absent:
            raise NotOnRoll(absent, self.urn, day, field)
