"""Use cases for the turn of the academic year and after it: the rollover, where pupils past a school's
last year leave, and the follow-up of where leavers went."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.calendar import AcademicYear, year_group_in
from tracker.commands import Changes, use_case
from tracker.domain.student import Student
from tracker.errors import InvalidValue
from tracker.identifiers import validate_upn, validate_urn
from tracker.rules import check_scope_pupil
from tracker.validation import check_destination


@dataclass(frozen=True)
class Rollover:
    """What the rollover into `year` does at one school: who leaves, on the last day of the year before."""

    school_urn: str
    year: str
    left_on: str
    leavers: list[str] = field(default_factory=list)


class Years:
    """Mixed into `Tracker`: these methods are its use cases."""

    def rollover_leavers(self, urn: str, year: str) -> Rollover:
        """Who would leave `urn` at the start of `year`: pupils on roll on 31 August whose year group in
        `year` is past the last the school teaches then. Reads only: the dry run."""
        urn, new_year = validate_urn(urn), self._rollover_year(year)
        return Rollover(urn, str(new_year), new_year.previous().end.isoformat(),
                        [student.upn for student in self._leavers(urn, new_year)])

    @use_case(commutative=True)
    def roll_over(self, urn: str, year: str) -> Changes:
        """Record those leavings, each as the pupil's own event; run again, it finds nobody and stores nothing.
        Its id is the leavers' UPNs, space-separated, so a retry with the same key reports the same leavers."""
        urn, new_year = validate_urn(urn), self._rollover_year(year)
        roll, last_day = self._roll(urn), new_year.previous().end
        leavers = self._leavers(urn, new_year)
        for student in leavers:
            student.leave(urn, last_day, None)
            roll.discharge(student.upn, last_day)
        return Changes([*leavers, roll] if leavers else [], " ".join(student.upn for student in leavers))

    @use_case(commutative=True)
    def record_destination(self, urn: str, upn: str, destination: str, recorded_on: date | None = None) -> Changes:
        """Where a leaver of `urn` went, as the school learnt it on `recorded_on` (default today)."""
        urn, student = validate_urn(urn), self._student(validate_upn(upn))
        check_scope_pupil(student, urn)
        if check_destination(destination) is None:
            raise InvalidValue("destination is required", "destination")
        student.update_destination(urn, destination, self._check_not_future("recorded_on", recorded_on or self.today()))
        return Changes([student], student.upn)

    def _rollover_year(self, year: str) -> AcademicYear:
        new_year = AcademicYear.parse(year, "year")
        if new_year > AcademicYear.containing(self.today()).next():
            raise InvalidValue(f"{new_year} is more than a year away: roll over one year at a time", "year")
        return new_year

    def _leavers(self, urn: str, new_year: AcademicYear) -> list[Student]:
        _first, last = self._school(urn).year_groups_in(new_year)
        last_day = new_year.previous().end
        on_roll = [self._student(upn) for upn in self._roll(urn).on_roll(last_day)]
        return [student for student in on_roll
                if student.current_enrolment is not None and student.current_enrolment.school_urn == urn
                and student.year_group is not None
                and year_group_in(student.year_group, AcademicYear(student.year_group_year), new_year) > last]
