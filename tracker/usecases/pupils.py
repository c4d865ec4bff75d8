"""Use cases for pupils: enrolment (one or many), leaving, year groups (erasure: usecases/erasure.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from tracker.calendar import AcademicYear, check_year_group
from tracker.commands import Changes, use_case
from tracker.domain.roll import Roll
from tracker.domain.student import Student
from tracker.errors import InvalidValue
from tracker.identifiers import validate_upn, validate_urn
from tracker.rules import check_age_fits, check_scope_pupil
from tracker.stores import existing_aggregates
from tracker.validation import check_destination, check_text


class Pupils:
    """Mixed into `Tracker`: these methods are its use cases."""

    @use_case(commutative=True)
    def enrol_pupil(self, urn: str, upn: str, given_name: str, family_name: str,
                    date_of_birth: date, year_group: int, enrolled_on: date,
                    sen: bool = False, pupil_premium: bool = False) -> Changes:
        urn, roll = validate_urn(urn), self._roll(validate_urn(urn))
        student = self._enrolled_student(roll, urn, upn, given_name, family_name, date_of_birth, year_group,
                                         enrolled_on, sen, pupil_premium)
        return Changes([student, roll], student.upn)

    @use_case(commutative=True)
    def enrol_pupils(self, urn: str, pupils: list[dict[str, Any]]) -> Changes:
        """Enrol many pupils in one transaction (imports, demos, bulk loads): all or none."""
        urn = validate_urn(urn)
        upns = [validate_upn(pupil.get("upn")) for pupil in pupils]
        if len(set(upns)) != len(upns):
            raise InvalidValue("a UPN appears twice in the batch", "upn")
        roll, students = self._roll(urn), []
        # One query for the whole batch, not one per pupil: most pupils in a bulk load are new.
        registered = existing_aggregates(self.recorder, [Student.create_id(upn) for upn in upns])
        for upn, pupil in zip(upns, pupils):
            known = Student.create_id(upn) in registered
            students.append(self._enrolled_student(roll, urn, **pupil, registered=known))
        return Changes([*students, roll], str(len(students)))

    def _enrolled_student(self, roll: Roll, urn: str, upn: str, given_name: str, family_name: str,
                          date_of_birth: date, year_group: int, enrolled_on: date, sen: bool = False,
                          pupil_premium: bool = False, registered: bool = True) -> Student:
        upn = validate_upn(upn)
        student = self._student_to_enrol(upn, given_name, family_name, date_of_birth, registered)
        enrolled_on = self._check_not_future("enrolled_on", enrolled_on)
        year = AcademicYear.containing(enrolled_on)
        check_age_fits(check_year_group(year_group), date_of_birth, year)
        student.enrol(urn, enrolled_on, year_group, year.start_year, bool(sen), bool(pupil_premium))
        roll.admit(upn, enrolled_on)
        return student

    def _student_to_enrol(self, upn: str, given_name: str, family_name: str, date_of_birth: date,
                          registered: bool = True) -> Student:
        """The pupil's record, or a new one; `registered=False` says the store is known to have none."""
        given_name, family_name = check_text("given_name", given_name), check_text("family_name", family_name)
        self._check_not_future("date_of_birth", date_of_birth)
        if not registered:
            return Student(upn, given_name, family_name, date_of_birth)
        try:
            student: Student = self.repository.get(Student.create_id(upn))
        except AggregateNotFoundError:
            return Student(upn, given_name, family_name, date_of_birth)
        student.check_identity_kept()
        if student.date_of_birth != date_of_birth:
            raise InvalidValue(f"{upn} is registered with a different date of birth", "date_of_birth")
        return student

    @use_case(commutative=True)
    def record_leaving(self, urn: str, upn: str, left_on: date, destination: str | None = None) -> Changes:
        upn, urn = validate_upn(upn), validate_urn(urn)
        student = self._student(upn)
        check_scope_pupil(student, urn)
        student.leave(urn, self._check_by_year_end("left_on", left_on),
                      check_destination(destination))
        roll = self._roll(urn)
        roll.discharge(upn, left_on)
        return Changes([student, roll], upn)

    @use_case(commutative=False)
    def change_year_group(self, upn: str, year_group: int, year: str,
                          within_school: str | None = None) -> Changes:
        student = self._student(validate_upn(upn))
        check_scope_pupil(student, within_school)
        academic_year = AcademicYear.parse(year)
        if academic_year > AcademicYear.containing(self.today()):
            raise InvalidValue(f"{academic_year} has not started", "year")
        if student.year_group_year is not None and academic_year.start_year < student.year_group_year:
            raise InvalidValue("a year group can only be changed for the current or a later year", "year")
        student.change_year_group(check_year_group(year_group), academic_year.start_year)
        return Changes([student], student.upn)
