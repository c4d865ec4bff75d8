"""Use cases for the turn of the academic year and after it: the rollover, where pupils past a
school's last year leave, and the follow-up of where leavers went."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.calendar import AcademicYear
from tracker.commands import Changes, use_case
from tracker.domain.student import Student
from tracker.errors import InvalidValue
from tracker.identifiers import validate_upn, validate_urn
from tracker.validation import check_destination, check_text


@dataclass(frozen=True)
class Rollover:
    """What the rollover into `year` does at one school: who leaves, on the last day of the year
    before."""

    school_urn: str
    year: str
    left_on: str
    leavers: list[str] = field(default_factory=list)


class Years:
    """Mixed into `Tracker`: these methods are its use cases."""

    def rollover_leavers(self, urn: str, year: str) -> Rollover:
        """Who would leave `urn` at the start of `year`: pupils on roll on 31 August whose year
        group in `year` is past the last the school teaches then. Reads only: the dry run."""
        urn, new_year = validate_urn(urn), self._rollover_year(year)
        return Rollover(
            urn,
            str(new_year),
            new_year.previous().end.isoformat(),
            [student.upn for student in self._leavers(urn, new_year)],
        )

    @use_case(commutative=True, writes_roll=True)
    def roll_over(self, urn: str, year: str) -> Changes:
        """Record those leavings, each as the pupil's own event; run again, it finds nobody and
        stores nothing. Its id is the leavers' UPNs, space-separated, so a retry with the same key
        reports the same leavers."""
        urn, new_year = validate_urn(urn), self._rollover_year(year)
        roll, last_day = self._roll(urn), new_year.previous().end
        leavers = self._leavers(urn, new_year)
        for student in leavers:
            student.leave(urn, last_day, None)
            roll.discharge(student.upn, last_day)
        return Changes(
            [*leavers, roll] if leavers else [], " ".join(student.upn for student in leavers)
        )

    @use_case(commutative=True)
    def record_destination(
        self, urn: str, upn: str, destination: str, recorded_on: date | None = None
    ) -> Changes:
        """Where a leaver of `urn` went, as the school learnt it on `recorded_on` (default
        today)."""
        urn, student = validate_urn(urn), self._student(validate_upn(upn))
        student.check_known_to(urn)
        if check_destination(destination) is None:
            raise InvalidValue("destination is required", "destination")
        student.update_destination(
            urn, destination, self._check_not_future("recorded_on", recorded_on or self.today())
        )
        return Changes([student], student.upn)

    @use_case(commutative=True, writes_roll=True)
    def record_leavers(self, urn: str, upns: list[str], left_on: date) -> Changes:
        """Several pupils leave `urn` on one day, all or none (a full roll without them): no
        destination yet."""
        urn, roll = validate_urn(urn), self._roll(validate_urn(urn))
        left_on = self._check_by_year_end("left_on", left_on)
        students = [self._student(validate_upn(upn)) for upn in upns]
        for student in students:
            student.leave(urn, left_on, None)
            roll.discharge(student.upn, left_on)
        return Changes([*students, roll] if students else [], " ".join(upns))

    def on_roll(self, urn: str, day: date) -> list[str]:
        """The UPNs on the school's roll on `day`."""
        return self._roll(validate_urn(urn)).on_roll(day)

    @use_case(commutative=True)
    def update_roll_details(
        self,
        urn: str,
        upn: str,
        year: str,
        group: str | None = None,
        sen: bool | None = None,
        pupil_premium: bool | None = None,
    ) -> Changes:
        """What an MIS roll says of a pupil on roll here: their group for `year`, SEN and pupil
        premium. Only what differs is recorded; nothing differing, nothing is stored."""
        urn, student = validate_urn(urn), self._student(validate_upn(upn))
        academic_year = AcademicYear.parse(year, "year")
        if group is not None:
            student.assign_group(
                urn, check_text("group", group, max_length=20), academic_year.start_year
            )
        if sen is not None or pupil_premium is not None:
            old_sen, old_pp = student.needs
            student.record_needs(
                urn,
                old_sen if sen is None else bool(sen),
                old_pp if pupil_premium is None else bool(pupil_premium),
            )
        student.check_on_roll_at(urn)
        return Changes([student] if student.pending_events else [], student.upn)

    @use_case(commutative=True)
    def record_destinations(
        self, urn: str, destinations: dict[str, str], recorded_on: date
    ) -> Changes:
        """Where several leavers of `urn` went, as learnt on one day (a follow-up round), all or
        none."""
        urn, recorded_on = validate_urn(urn), self._check_not_future("recorded_on", recorded_on)
        students = []
        for upn, destination in destinations.items():
            student = self._student(validate_upn(upn))
            student.check_known_to(urn)
            if check_destination(destination) is None:
                raise InvalidValue("destination is required", "destination")
            student.update_destination(urn, destination, recorded_on)
            students.append(student)
        return Changes(students, str(len(students)))

    def _rollover_year(self, year: str) -> AcademicYear:
        new_year = AcademicYear.parse(year, "year")
        if new_year > AcademicYear.containing(self.today()).next():
            raise InvalidValue(
                f"{new_year} is more than a year away: roll over one year at a time", "year"
            )
        return new_year

    def _leavers(self, urn: str, new_year: AcademicYear) -> list[Student]:
        _first, last = self._school(urn).year_groups_in(new_year)
        last_day = new_year.previous().end
        on_roll = [self._student(upn) for upn in self._roll(urn).on_roll(last_day)]
        return [
            student
            for student in on_roll
            if student.current_enrolment is not None
            and student.current_enrolment.school_urn == urn
            and (year_group := student.year_group_in(new_year)) is not None
            and year_group > last
        ]
