"""Academic years, year groups, counting windows and snapshots."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.calendar import (
    OUTSIDE_YEARS,
    YEAR_GROUPS,
    YEARS,
    AcademicYear,
    check_not_future,
    check_year_group,
    default_as_of,
    in_calendar,
    ks5_window_start,
    year_group_for_birth,
    year_group_in,
)
from tracker.errors import FutureDate, InvalidAcademicYear, InvalidValue, InvalidYearGroup

Y2018 = AcademicYear(2018)


def test_academic_year_runs_from_1_september_to_31_august():
    assert (Y2018.start, Y2018.end) == (date(2018, 9, 1), date(2019, 8, 31))


@pytest.mark.parametrize(
    "start_year, text", [(2018, "2018/19"), (1999, "1999/00"), (2009, "2009/10")]
)
def test_academic_year_is_written_with_two_digits_after_the_slash(start_year, text):
    assert str(AcademicYear(start_year)) == text
    assert AcademicYear.parse(text) == AcademicYear(start_year)


@given(st.integers(YEARS.start, YEARS.stop - 1))
def test_every_academic_year_parses_back_from_its_text(start_year):
    assert AcademicYear.parse(str(AcademicYear(start_year))) == AcademicYear(start_year)


@pytest.mark.parametrize("text", ["0000/01", "1899/00", "2200/01", "9999/00"])
def test_a_year_outside_the_years_the_tracker_deals_in_is_refused(text):
    with pytest.raises(InvalidAcademicYear):
        AcademicYear.parse(text)


def test_a_date_outside_those_years_is_refused_by_name():
    with pytest.raises(InvalidValue) as refused:
        check_not_future("enrolled_on", date(1, 1, 1), date(2019, 7, 15))
    assert refused.value.field == "enrolled_on"


@pytest.mark.parametrize(
    "text",
    [
        "2018/20",
        "2018/18",
        "2018-19",
        "2018/2019",
        "18/19",
        "2018",
        "",
        "2018/1",
        "2018/19 ",
        "２０１８/19",
        None,
        2018,
        "1999/100",
    ],
)
def test_anything_but_a_year_and_the_next_is_refused(text):
    with pytest.raises(InvalidAcademicYear) as error:
        AcademicYear.parse(text, field="from_year")
    assert error.value.field == "from_year"


@pytest.mark.parametrize(
    "day, start_year",
    [
        (date(2018, 9, 1), 2018),
        (date(2019, 8, 31), 2018),
        (date(2019, 9, 1), 2019),
        (date(2019, 1, 1), 2018),
        (date(2018, 8, 31), 2017),
    ],
)
def test_the_year_containing_a_date_turns_over_on_1_september(day, start_year):
    assert AcademicYear.containing(day) == AcademicYear(start_year)


def test_a_year_contains_its_first_and_last_days_and_nothing_outside():
    assert date(2018, 9, 1) in Y2018
    assert date(2019, 8, 31) in Y2018
    assert date(2018, 8, 31) not in Y2018
    assert date(2019, 9, 1) not in Y2018


def test_years_step_forward_and_back_and_sort_in_order():
    assert Y2018.next() == AcademicYear(2019)
    assert Y2018.previous() == AcademicYear(2017)
    assert sorted([AcademicYear(2020), Y2018, AcademicYear(2019)]) == [
        Y2018,
        AcademicYear(2019),
        AcademicYear(2020),
    ]
    assert Y2018 < Y2018.next()


def test_snapshots_are_the_ends_of_the_three_terms():
    assert Y2018.snapshot_dates() == [date(2018, 12, 31), date(2019, 3, 31), date(2019, 7, 31)]


def test_counting_window_stops_at_the_as_of_date_or_the_end_of_the_year():
    assert Y2018.counting_window(date(2019, 1, 31)) == (date(2018, 9, 1), date(2019, 1, 31))
    assert Y2018.counting_window(date(2020, 1, 1)) == (date(2018, 9, 1), date(2019, 8, 31))


@pytest.mark.parametrize(
    "born, year_group",
    [
        (date(2007, 1, 1), 7),
        (date(2007, 8, 31), 7),
        (date(2007, 9, 1), 6),
        (date(2006, 9, 1), 7),
        (date(2006, 8, 31), 8),
        (date(2003, 9, 1), 10),
        (date(2000, 9, 1), 13),
    ],
)
def test_year_group_comes_from_the_age_on_31_august_before_the_year(born, year_group):
    assert year_group_for_birth(born, Y2018) == year_group


def test_a_leap_day_birthday_counts_as_reached_by_31_august():
    assert year_group_for_birth(date(2008, 2, 29), AcademicYear(2019)) == 7


@given(born=st.dates(date(1990, 1, 1), date(2020, 12, 31)))
def test_pupil_starts_year_7_in_the_year_after_their_11th_birthday(born):
    eleventh = date(
        born.year + 11, born.month, 28 if (born.month, born.day) == (2, 29) else born.day
    )
    first_year_starting_after = AcademicYear.containing(eleventh).next()
    assert first_year_starting_after.start > eleventh
    assert first_year_starting_after.previous().start <= eleventh
    assert year_group_for_birth(born, first_year_starting_after) == 7


@given(born=st.dates(date(1990, 1, 1), date(2020, 12, 31)), start_year=st.integers(2000, 2040))
def test_year_group_goes_up_by_one_each_year(born, start_year):
    year = AcademicYear(start_year)
    assert year_group_for_birth(born, year.next()) == year_group_for_birth(born, year) + 1


def test_year_group_advances_one_a_year_from_when_it_was_recorded():
    assert year_group_in(7, Y2018, AcademicYear(2022)) == 11
    assert year_group_in(11, Y2018, Y2018) == 11
    assert year_group_in(9, Y2018, AcademicYear(2016)) == 7


def test_default_as_of_is_today_while_the_year_runs():
    assert default_as_of(Y2018, date(2019, 3, 1)) == date(2019, 3, 1)


def test_default_as_of_is_the_last_day_once_the_year_is_over():
    assert default_as_of(Y2018, date(2021, 1, 1)) == date(2019, 8, 31)


def test_default_as_of_is_the_first_day_of_a_year_not_yet_begun():
    assert default_as_of(AcademicYear(2019), date(2019, 3, 1)) == date(2019, 9, 1)


def test_a_date_after_today_is_refused_naming_its_field():
    check_not_future("occurred_on", date(2019, 7, 15), today=date(2019, 7, 15))
    with pytest.raises(FutureDate) as error:
        check_not_future("occurred_on", date(2019, 7, 16), today=date(2019, 7, 15))
    assert error.value.field == "occurred_on"
    assert "2019-07-16" in error.value.message


@pytest.mark.parametrize("year_group, start_year", [(11, 2019), (12, 2018), (13, 2017), (7, 2023)])
def test_ks5_window_starts_in_the_year_the_pupil_is_in_year_12(year_group, start_year):
    assert ks5_window_start(year_group, Y2018) == date(start_year, 9, 1)


def test_year_groups_run_from_1_to_14():
    assert list(YEAR_GROUPS) == list(range(1, 15))
    assert check_year_group(1) == 1
    assert check_year_group(14) == 14


@pytest.mark.parametrize("value", [0, 15, -7, "7", 7.0, True, None])
def test_year_group_outside_1_to_14_or_not_a_whole_number_is_refused(value):
    with pytest.raises(InvalidYearGroup) as error:
        check_year_group(value, field="new_year_group")
    assert error.value.field == "new_year_group"


@pytest.mark.parametrize(
    "moment, expected",
    [
        (date(1900, 1, 1), True),
        (datetime(2199, 12, 31, 23, 59), True),
        (date(1899, 12, 31), False),
        (datetime(2200, 1, 1), False),
    ],
)
def test_dates_and_moments_are_in_the_calendar_from_1900_to_2199(moment, expected):
    assert in_calendar(moment) is expected
    assert OUTSIDE_YEARS == "must be in the years 1900 to 2199"
