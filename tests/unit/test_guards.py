"""The guards on the aggregates, asked directly: each refuses before any event is pending."""

from __future__ import annotations

from datetime import date

import pytest

from tests.scenarios import SCHOOL_A, SCHOOL_B, UPN
from tracker.calendar import AcademicYear
from tracker.domain.activity import Activity
from tracker.domain.roll import Roll
from tracker.domain.student import Identity, Student
from tracker.errors import Forbidden, InvalidValue, NotOnRoll

P1, P2, P3 = UPN["p1"], UPN["p2"], UPN["p3"]
BORN = date(2006, 1, 15)  # Year 8 in 2018/19
YEAR = AcademicYear(2018)


def roll_of_school_a() -> Roll:
    roll = Roll(SCHOOL_A)
    roll.admit(P1, date(2018, 9, 3))
    roll.admit(P2, date(2018, 9, 3))
    roll.discharge(P2, date(2019, 2, 28))
    return roll


def student_at_school_a(year_group: int = 8) -> Student:
    student = Student(P1, "P1", "Pupil", BORN)
    as_given = Identity("P1", "Pupil", BORN)
    student.enrol(SCHOOL_A, as_given, date(2018, 9, 3), year_group, 2018, False, False)
    return student


def refused(error: type[Exception], aggregate, guard, *args) -> Exception:
    """Run a guard that must refuse, and check it left no event pending on `aggregate`."""
    pending = len(aggregate.pending_events) if aggregate is not None else 0
    with pytest.raises(error) as refusal:
        guard(*args)
    assert (len(aggregate.pending_events) if aggregate is not None else 0) == pending
    return refusal.value


# --- the roll ------------------------------------------------------------------------------------


def test_a_roll_refuses_every_pupil_not_on_it_that_day_naming_each_under_the_field():
    roll = roll_of_school_a()
    refusal = refused(
        NotOnRoll, roll, roll.check_on_roll, [P1, P2, P3], date(2019, 3, 1), "attendees"
    )
    assert refusal.errors == {
        "attendees": [
            f"{P2} is not on roll at {SCHOOL_A} on 2019-03-01",
            f"{P3} is not on roll at {SCHOOL_A} on 2019-03-01",
        ]
    }
    assert refusal.upns == [P2, P3]


def test_a_roll_counts_the_day_of_admission_and_the_last_day_as_on_roll():
    roll = roll_of_school_a()
    roll.check_on_roll([P1, P2], date(2018, 9, 3), "attendees")
    roll.check_on_roll([P2], date(2019, 2, 28), "attendees")
    refusal = refused(NotOnRoll, roll, roll.check_on_roll, [P1], date(2018, 9, 2), "add")
    assert refusal.field == "add"


# --- the activity --------------------------------------------------------------------------------


def test_a_guidance_meeting_is_for_exactly_one_pupil():
    for attendees in ([P1, P2], []):
        refusal = refused(
            InvalidValue, None, Activity.check_attendees, "guidance_meeting", attendees
        )
        assert refusal.field == "attendees"
        assert refusal.message == "a guidance_meeting is for exactly one pupil"
    Activity.check_attendees("guidance_meeting", [P1])


def test_every_other_kind_of_activity_may_have_many_pupils():
    Activity.check_attendees("careers_fair", [P1, P2, P3])
    Activity.check_attendees("university_visit", [P1, P2])


# --- the student's year group --------------------------------------------------------------------


@pytest.mark.parametrize("year_group", [7, 8, 9])
def test_a_year_group_one_either_side_of_the_pupils_age_fits(year_group):
    Student.check_age_fits(year_group, BORN, YEAR)


@pytest.mark.parametrize("year_group", [6, 10])
def test_a_year_group_two_from_the_pupils_age_is_refused_saying_which_was_expected(year_group):
    refusal = refused(InvalidValue, None, Student.check_age_fits, year_group, BORN, YEAR)
    assert refusal.field == "year_group"
    assert refusal.message == (
        f"a pupil born 2006-01-15 is expected in Year 8 in 2018/19, not Year {year_group}"
    )


def test_a_year_group_cannot_be_changed_for_a_year_that_has_not_started():
    student = student_at_school_a()
    refusal = refused(InvalidValue, student, student.change_year_group, 9, YEAR.next(), YEAR)
    assert (refusal.field, refusal.message) == ("year", "2019/20 has not started")


def test_a_year_group_cannot_be_changed_for_a_year_before_the_latest_recorded():
    student = student_at_school_a()
    refusal = refused(InvalidValue, student, student.change_year_group, 7, YEAR.previous(), YEAR)
    assert refusal.field == "year"
    assert refusal.message == "a year group can only be changed for the current or a later year"


def test_a_year_group_outside_1_to_14_is_refused_after_the_year_is_found_good():
    student = student_at_school_a()
    refusal = refused(InvalidValue, student, student.change_year_group, 15, YEAR, YEAR)
    assert refusal.field == "year_group"


def test_a_changed_year_group_moves_up_one_a_year_from_the_year_it_was_changed_for():
    student = student_at_school_a()
    student.change_year_group(9, YEAR, YEAR)
    assert student.year_group_in(YEAR) == 9
    assert student.year_group_in(AcademicYear(2020)) == 11


def test_a_pupil_with_no_year_group_recorded_has_none_in_any_year():
    assert Student(P1, "P1", "Pupil", BORN).year_group_in(YEAR) is None


# --- which school may act on the student ---------------------------------------------------------


def test_a_school_that_once_had_the_pupil_may_act_on_them_and_another_may_not():
    student = student_at_school_a()
    student.leave(SCHOOL_A, date(2019, 1, 4), None)
    student.check_known_to(SCHOOL_A)
    student.check_known_to(None)
    refusal = refused(Forbidden, student, student.check_known_to, SCHOOL_B)
    assert refusal.message == f"pupil {P1} is outside your scope"


def test_only_the_school_holding_the_pupil_now_may_change_their_shared_record():
    student = student_at_school_a()
    student.check_held_by(SCHOOL_A)
    student.check_held_by(None)
    refused(Forbidden, student, student.check_held_by, SCHOOL_B)
    student.leave(SCHOOL_A, date(2019, 1, 4), None)
    refused(Forbidden, student, student.check_held_by, SCHOOL_A)
