"""A pupil: identity, and their enrolments at schools over time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import TrackerAggregate, stable_id
from tracker.errors import AlreadyExists, OutOfOrder, RuleBroken


@dataclass(frozen=True)
class Enrolment:
    """A stretch on one school's roll; `left_on` is the last day, None while on roll."""

    school_urn: str
    enrolled_on: date
    left_on: date | None = None

    def overlaps_from(self, day: date) -> bool:
        return self.left_on is None or day <= self.left_on


class Student(TrackerAggregate):
    """The only aggregate whose events hold a pupil's name and date of birth (sealed: tracker/identity.py)."""

    @staticmethod
    def create_id(upn: str) -> UUID:
        return stable_id("student", upn)

    @event("Registered")
    def __init__(self, upn: str, given_name: str, family_name: str, date_of_birth: date) -> None:
        self.upn = upn
        self.given_name: str | None = given_name
        self.family_name: str | None = family_name
        self.date_of_birth = date_of_birth
        self.enrolments: list[Enrolment] = []
        self.year_group: int | None = None
        self.year_group_year: int | None = None  # start year of the academic year it was set for
        self.erased = False
        self.destinations: dict[str, str | None] = {}  # the latest known for each school left

    @property
    def current_enrolment(self) -> Enrolment | None:
        last = self.enrolments[-1] if self.enrolments else None
        return last if last and last.left_on is None else None

    @property
    def left_on(self) -> date | None:
        """The last day on the last school's roll; None while on roll (or never enrolled)."""
        return None if not self.enrolments or self.current_enrolment else self.enrolments[-1].left_on

    def enrol(
        self, school_urn: str, enrolled_on: date, year_group: int, academic_year: int,
        sen: bool, pupil_premium: bool,
    ) -> None:
        self.check_free_to_enrol(school_urn, enrolled_on)
        self._enrolled(school_urn, enrolled_on, year_group, academic_year, sen, pupil_premium)

    def check_free_to_enrol(self, school_urn: str, enrolled_on: date) -> None:
        current = self.current_enrolment
        if current is not None:
            where = "this school" if current.school_urn == school_urn else current.school_urn
            raise AlreadyExists(
                f"{self.upn} is already on roll at {where} since {current.enrolled_on}"
                + ("" if current.school_urn == school_urn else "; that school must record leaving first"),
                "upn",
            )
        if self.enrolments and not enrolled_on > self.enrolments[-1].left_on:
            raise RuleBroken(
                f"{self.upn} was on roll at {self.enrolments[-1].school_urn} until "
                f"{self.enrolments[-1].left_on}; enrolled_on must be after that",
                "enrolled_on",
            )

    @event("Enrolled")
    def _enrolled(
        self, school_urn: str, enrolled_on: date, year_group: int, academic_year: int,
        sen: bool, pupil_premium: bool,
    ) -> None:
        self.enrolments.append(Enrolment(school_urn, enrolled_on))
        self.year_group, self.year_group_year = year_group, academic_year

    def leave(self, school_urn: str, left_on: date, destination: str | None) -> None:
        current = self.current_enrolment
        if current is None or current.school_urn != school_urn:
            raise OutOfOrder(f"{self.upn} is not on roll at {school_urn}", "upn")
        if left_on < current.enrolled_on:
            raise OutOfOrder(
                f"left_on {left_on} is before enrolment on {current.enrolled_on}", "left_on"
            )
        self._left(school_urn, left_on, destination)

    @event("Left")
    def _left(self, school_urn: str, left_on: date, destination: str | None) -> None:
        self.enrolments[-1] = replace(self.enrolments[-1], left_on=left_on)
        self.destinations[school_urn] = destination

    def update_destination(self, school_urn: str, destination: str, recorded_on: date) -> None:
        """A later word of where a leaver of `school_urn` went (schools follow leavers up for three years)."""
        leaving = next((e for e in reversed(self.enrolments) if e.school_urn == school_urn), None)
        if leaving is None or leaving.left_on is None:
            raise OutOfOrder(f"{self.upn} has not left {school_urn}", "upn")
        if recorded_on < leaving.left_on:
            raise OutOfOrder(f"recorded_on {recorded_on} is before leaving on {leaving.left_on}", "recorded_on")
        if self.destinations.get(school_urn) != destination:
            self._destination_recorded(school_urn, leaving.left_on, destination, recorded_on)

    @event("DestinationRecorded")
    def _destination_recorded(self, school_urn: str, left_on: date, destination: str, recorded_on: date) -> None:
        self.destinations[school_urn] = destination

    @event("YearGroupChanged")
    def change_year_group(self, year_group: int, academic_year: int) -> None:
        self.year_group, self.year_group_year = year_group, academic_year

    def check_identity_kept(self) -> None:
        """A pupil whose identity was erased is not taken on again: nobody could say who they are."""
        if self.erased:
            raise RuleBroken(f"the identity of {self.upn} was erased; they cannot be enrolled again", "upn")

    def erase(self, requested_by: str | None, reason: str, today: date) -> None:
        """Erase the identity at the request of a school that held the pupil (None: the tracker's own
        operator or its retention rule); a second request changes nothing."""
        if requested_by is not None and all(e.school_urn != requested_by for e in self.enrolments):
            raise RuleBroken(f"{requested_by} never had {self.upn} on its roll; only a school that did "
                             "may ask for the identity to be erased", "requested_by")
        self.check_left("erased", today)
        if not self.erased:
            self._identity_erased(requested_by, reason)

    def erase_after_retention(self, cutoff: date, years: int) -> None:
        """The retention rule: a leaver's identity is erased once they left on or before `cutoff`."""
        if self.left_on is None or self.left_on > cutoff:
            raise RuleBroken(f"{self.upn} is still on roll" if self.left_on is None else
                             f"{self.upn} left on {self.left_on}, less than {years} years ago", "upn")
        if not self.erased:
            self._identity_erased(None, f"retention: left on {self.left_on}, kept {years} years")

    def check_left(self, what: str, today: date) -> None:
        """Gone from every roll before `today` (a leaving may be recorded ahead, for 31 August)."""
        last = self.enrolments[-1] if self.enrolments else None
        if last is not None and (last.left_on is None or last.left_on >= today):
            raise RuleBroken(
                f"{self.upn} is still on roll at {last.school_urn}"
                + (f" until {last.left_on}" if last.left_on else "") + f"; only a pupil who has left can be {what}",
                "upn",
            )

    @event("IdentityErased")
    def _identity_erased(self, requested_by: str | None, reason: str) -> None:
        # Recording this event destroys the pupil's key in the same transaction (tracker/identity.py).
        self.given_name = self.family_name = self.date_of_birth = None
        self.erased = True

    @event("IdentityPseudonymised")
    def _identity_pseudonymised(self) -> None:
        """No longer recorded (an erasure is `IdentityErased`); kept so that older logs still read."""
        self.given_name = self.family_name = self.date_of_birth = None
        self.erased = True
