"""Use cases for pupils: enrolment (one or many), leaving, year groups (erasure:
usecases/erasure.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from tracker.calendar import AcademicYear, check_year_group
from tracker.commands import Changes, use_case
from tracker.domain.roll import Roll
from tracker.domain.student import Identity, Student
from tracker.errors import InvalidValue, PupilNotFound
from tracker.identifiers import validate_upn, validate_urn
from tracker.validation import check_destination, check_text


class Pupils:
    """Mixed into `Tracker`: these methods are its use cases."""

    @use_case(commutative=True, writes_roll=True)
    def enrol_pupil(
        self,
        urn: str,
        upn: str,
        given_name: str,
        family_name: str,
        date_of_birth: date,
        year_group: int,
        enrolled_on: date,
        sen: bool = False,
        pupil_premium: bool = False,
    ) -> Changes:
        urn, roll = validate_urn(urn), self._roll(validate_urn(urn))
        student = self._enrolled_student(
            roll,
            urn,
            upn,
            given_name,
            family_name,
            date_of_birth,
            year_group,
            enrolled_on,
            sen,
            pupil_premium,
        )
        return Changes([student, roll], student.upn)

    @use_case(commutative=True, writes_roll=True)
    def enrol_pupils(self, urn: str, pupils: list[dict[str, Any]]) -> Changes:
        """Enrol many pupils in one transaction (imports, demos, bulk loads): all or none."""
        urn = validate_urn(urn)
        upns = [validate_upn(pupil.get("upn")) for pupil in pupils]
        if len(set(upns)) != len(upns):
            raise InvalidValue("a UPN appears twice in the batch", "upn")
        roll, students = self._roll(urn), []
        # One query for the whole batch, not one per pupil: most pupils in a bulk load are new.
        registered = self.recorder.existing_aggregates([Student.create_id(upn) for upn in upns])
        for upn, pupil in zip(upns, pupils, strict=True):
            known = Student.create_id(upn) in registered
            students.append(self._enrolled_student(roll, urn, **pupil, registered=known))
        return Changes([*students, roll], str(len(students)))

    def _enrolled_student(
        self,
        roll: Roll,
        urn: str,
        upn: str,
        given_name: str,
        family_name: str,
        date_of_birth: date,
        year_group: int,
        enrolled_on: date,
        sen: bool = False,
        pupil_premium: bool = False,
        registered: bool = True,
    ) -> Student:
        # Every value is checked before the stored record is read, so what a refusal says
        # depends on what was sent, never on what another school holds.
        upn, as_given = validate_upn(upn), self._identity(given_name, family_name, date_of_birth)
        enrolled_on = self._check_not_future("enrolled_on", enrolled_on)
        year = AcademicYear.containing(enrolled_on)
        Student.check_age_fits(check_year_group(year_group), date_of_birth, year)
        student = self._student_to_enrol(upn, as_given, registered)
        student.enrol(
            urn, as_given, enrolled_on, year_group, year.start_year, bool(sen), bool(pupil_premium)
        )
        roll.admit(upn, enrolled_on)
        return student

    def _identity(self, given_name: str, family_name: str, date_of_birth: date) -> Identity:
        given_name, family_name = (
            check_text("given_name", given_name),
            check_text("family_name", family_name),
        )
        return Identity(
            given_name, family_name, self._check_not_future("date_of_birth", date_of_birth)
        )

    def _student_to_enrol(self, upn: str, as_given: Identity, registered: bool = True) -> Student:
        """The pupil's record, or a new one; `registered=False` says the store is known to have
        none."""
        if registered:
            try:
                return self.repository.get(Student.create_id(upn))
            except AggregateNotFoundError:
                pass
        return Student(upn, as_given.given_name, as_given.family_name, as_given.date_of_birth)

    def registered_elsewhere(self, urn: str, upn: str) -> bool:
        """Whether enrolling `upn` at `urn` would reach for a pupil registered and not on roll
        here."""
        try:
            student = self._student(validate_upn(upn))
        except PupilNotFound:
            return False
        current = student.current_enrolment
        return current is None or current.school_urn != validate_urn(urn)

    @use_case(commutative=True, writes_roll=True)
    def record_leaving(
        self, urn: str, upn: str, left_on: date, destination: str | None = None
    ) -> Changes:
        upn, urn = validate_upn(upn), validate_urn(urn)
        student = self._student(upn)
        student.check_known_to(urn)
        student.leave(
            urn, self._check_by_year_end("left_on", left_on), check_destination(destination)
        )
        roll = self._roll(urn)
        roll.discharge(upn, left_on)
        return Changes([student, roll], upn)

    @use_case(commutative=False)
    def change_year_group(
        self, upn: str, year_group: int, year: str, within_school: str | None = None
    ) -> Changes:
        student = self._student(validate_upn(upn))
        student.check_held_by(within_school)
        student.change_year_group(
            year_group, AcademicYear.parse(year), AcademicYear.containing(self.today())
        )
        return Changes([student], student.upn)
