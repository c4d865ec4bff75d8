"""A pupil: identity, and their enrolments at schools over time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from tracker.calendar import AcademicYear, check_year_group, year_group_for_birth, year_group_in
from tracker.domain.base import TrackerAggregate, stable_id
from tracker.errors import (
    AlreadyExists,
    EnrolmentRefused,
    Forbidden,
    InvalidValue,
    OutOfOrder,
    RuleBroken,
)
from tracker.names import same_name


@dataclass(frozen=True)
class Enrolment:
    """A stretch on one school's roll; `left_on` is the last day, None while on roll."""

    school_urn: str
    enrolled_on: date
    left_on: date | None = None


@dataclass(frozen=True)
class Identity:
    """Who an enrolling school says a pupil is."""

    given_name: str
    family_name: str
    date_of_birth: date


class Student(TrackerAggregate):
    """The only aggregate whose events hold a pupil's name and date of birth (sealed:
    tracker/identity.py)."""

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
        self.needs: tuple[bool, bool] = (
            False,
            False,
        )  # (SEN, pupil premium) as the current school records them
        self.groups: dict[
            int, str
        ] = {}  # the current school's registration group, by academic year

    @property
    def current_enrolment(self) -> Enrolment | None:
        last = self.enrolments[-1] if self.enrolments else None
        return last if last and last.left_on is None else None

    def check_known_to(self, school_urn: str | None) -> None:
        """A school may act on a pupil who is, or has been, on its roll (None: any school may)."""
        if school_urn is not None and all(e.school_urn != school_urn for e in self.enrolments):
            raise Forbidden(f"pupil {self.upn}")

    def check_held_by(self, school_urn: str | None) -> None:
        """A school may change the pupil's shared record (their year group) only while they are on
        its roll: once they have moved on, the record counts towards another school's figures."""
        current = self.current_enrolment
        if school_urn is not None and (current is None or current.school_urn != school_urn):
            raise Forbidden(f"pupil {self.upn}")

    @property
    def left_on(self) -> date | None:
        """The last day on the last school's roll; None while on roll (or never enrolled)."""
        return (
            None if not self.enrolments or self.current_enrolment else self.enrolments[-1].left_on
        )

    def enrol(
        self,
        school_urn: str,
        as_given: Identity,
        enrolled_on: date,
        year_group: int,
        academic_year: int,
        sen: bool,
        pupil_premium: bool,
    ) -> None:
        self.check_free_to_enrol(school_urn, as_given, enrolled_on)
        self._enrolled(
            school_urn,
            enrolled_on,
            year_group,
            academic_year,
            sen,
            pupil_premium,
            as_given.given_name,
            as_given.family_name,
        )

    def check_free_to_enrol(self, school_urn: str, as_given: Identity, enrolled_on: date) -> None:
        """Only this school's own pupil gets a specific answer; every other refusal is the same one.
        A record with no enrolments yet is the one this enrolment registers."""
        current = self.current_enrolment
        if current is not None and current.school_urn == school_urn:
            raise AlreadyExists(
                f"{self.upn} is already on roll at this school since {current.enrolled_on}", "upn"
            )
        if self.enrolments and (
            current is not None
            or not self.is_identified_by(as_given)
            or not self.enrolments[-1].left_on < enrolled_on
        ):
            raise EnrolmentRefused(self.upn)

    def is_identified_by(self, as_given: Identity) -> bool:
        """UPN, date of birth and family name: a pseudonymised pupil has no name left to match."""
        return self.date_of_birth == as_given.date_of_birth and same_name(
            self.family_name, as_given.family_name
        )

    class Enrolled(TrackerAggregate.Event):
        """Version 2 keeps the names the enrolling school gave, so each school sees its own
        spelling."""

        class_version = 2
        school_urn: str
        enrolled_on: date
        year_group: int
        academic_year: int
        sen: bool
        pupil_premium: bool
        given_name: str | None
        family_name: str | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state.update(given_name=None, family_name=None)  # enrolled before the names were kept

    @event(Enrolled)
    def _enrolled(
        self,
        school_urn: str,
        enrolled_on: date,
        year_group: int,
        academic_year: int,
        sen: bool,
        pupil_premium: bool,
        given_name: str | None,
        family_name: str | None,
    ) -> None:
        self.enrolments.append(Enrolment(school_urn, enrolled_on))
        self.year_group, self.year_group_year = year_group, academic_year
        self.needs, self.groups = (sen, pupil_premium), {}

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

    # --- what the school's MIS says of the pupil this year -----------------------------------

    def check_on_roll_at(self, school_urn: str) -> None:
        current = self.current_enrolment
        if current is None or current.school_urn != school_urn:
            raise OutOfOrder(f"{self.upn} is not on roll at {school_urn}", "upn")

    def assign_group(self, school_urn: str, group: str, academic_year: int) -> None:
        """The registration group (form) the school puts the pupil in for a year."""
        self.check_on_roll_at(school_urn)
        if self.groups.get(academic_year) != group:
            self._group_assigned(school_urn, group, academic_year)

    @event("GroupAssigned")
    def _group_assigned(self, school_urn: str, group: str, academic_year: int) -> None:
        self.groups[academic_year] = group

    def record_needs(self, school_urn: str, sen: bool, pupil_premium: bool) -> None:
        """SEN and pupil premium as the school now records them, where they differ from before."""
        self.check_on_roll_at(school_urn)
        if sen != self.needs[0]:
            self._sen_changed(school_urn, sen)
        if pupil_premium != self.needs[1]:
            self._pupil_premium_changed(school_urn, pupil_premium)

    @event("SenChanged")
    def _sen_changed(self, school_urn: str, sen: bool) -> None:
        self.needs = (sen, self.needs[1])

    @event("PupilPremiumChanged")
    def _pupil_premium_changed(self, school_urn: str, pupil_premium: bool) -> None:
        self.needs = (self.needs[0], pupil_premium)

    def update_destination(self, school_urn: str, destination: str, recorded_on: date) -> None:
        """A later word of where a leaver of `school_urn` went (schools follow leavers up for three
        years)."""
        leaving = next((e for e in reversed(self.enrolments) if e.school_urn == school_urn), None)
        if leaving is None or leaving.left_on is None:
            raise OutOfOrder(f"{self.upn} has not left {school_urn}", "upn")
        if recorded_on < leaving.left_on:
            raise OutOfOrder(
                f"recorded_on {recorded_on} is before leaving on {leaving.left_on}", "recorded_on"
            )
        if self.destinations.get(school_urn) != destination:
            self._destination_recorded(school_urn, leaving.left_on, destination, recorded_on)

    @event("DestinationRecorded")
    def _destination_recorded(
        self, school_urn: str, left_on: date, destination: str, recorded_on: date
    ) -> None:
        self.destinations[school_urn] = destination

    # --- the year group ---------------------------------------------------------------------

    @staticmethod
    def check_age_fits(year_group: int, date_of_birth: date, year: AcademicYear) -> None:
        """One year either side of the age-expected group: pupils are held back or moved up."""
        expected = year_group_for_birth(date_of_birth, year)
        if abs(year_group - expected) > 1:
            raise InvalidValue(
                f"a pupil born {date_of_birth} is expected in Year {expected} "
                f"in {year}, not Year {year_group}",
                "year_group",
            )

    def year_group_in(self, year: AcademicYear) -> int | None:
        """The year group in `year`, one up a year from the latest recorded (None: none is)."""
        if self.year_group is None:
            return None
        return year_group_in(self.year_group, AcademicYear(self.year_group_year), year)

    def change_year_group(
        self, year_group: int, year: AcademicYear, this_year: AcademicYear
    ) -> None:
        """Correct the year group from `year` on: a year that has started, and not one before the
        latest record's (the pupil keeps only the latest; an earlier year's would overwrite it)."""
        if year > this_year:
            raise InvalidValue(f"{year} has not started", "year")
        if self.year_group_year is not None and year.start_year < self.year_group_year:
            raise InvalidValue(
                "a year group can only be changed for the current or a later year", "year"
            )
        self._year_group_changed(check_year_group(year_group), year.start_year)

    @event("YearGroupChanged")
    def _year_group_changed(self, year_group: int, academic_year: int) -> None:
        self.year_group, self.year_group_year = year_group, academic_year

    def erase(self, requested_by: str | None, reason: str, today: date) -> None:
        """Erase the identity at the request of a school that held the pupil (None: the tracker's
        own operator or its retention rule); a second request changes nothing."""
        if requested_by is not None and all(e.school_urn != requested_by for e in self.enrolments):
            raise RuleBroken(
                f"{requested_by} never had {self.upn} on its roll; only a school that did "
                "may ask for the identity to be erased",
                "requested_by",
            )
        self.check_left("erased", today)
        if not self.erased:
            self._identity_erased(requested_by, reason)

    def erase_after_retention(self, cutoff: date, years: int) -> None:
        """The retention rule: a leaver's identity is erased once they left on or before
        `cutoff`."""
        if self.left_on is None or self.left_on > cutoff:
            raise RuleBroken(
                f"{self.upn} is still on roll"
                if self.left_on is None
                else f"{self.upn} left on {self.left_on}, less than {years} years ago",
                "upn",
            )
        if not self.erased:
            self._identity_erased(None, f"retention: left on {self.left_on}, kept {years} years")

    def check_left(self, what: str, today: date) -> None:
        """Gone from every roll before `today` (a leaving may be recorded ahead, for 31 August)."""
        last = self.enrolments[-1] if self.enrolments else None
        if last is not None and (last.left_on is None or last.left_on >= today):
            raise RuleBroken(
                f"{self.upn} is still on roll at {last.school_urn}"
                + (f" until {last.left_on}" if last.left_on else "")
                + f"; only a pupil who has left can be {what}",
                "upn",
            )

    @event("IdentityErased")
    def _identity_erased(self, requested_by: str | None, reason: str) -> None:
        # Recording this event destroys the pupil's key in the same transaction
        # (tracker/identity.py).
        self.given_name = self.family_name = self.date_of_birth = None
        self.erased = True

    @event("IdentityPseudonymised")
    def _identity_pseudonymised(self) -> None:
        """No longer recorded (an erasure is `IdentityErased`); kept so that older logs still
        read."""
        self.given_name = self.family_name = self.date_of_birth = None
        self.erased = True
