"""The academic calendar: years from 1 September, year groups, counting windows, snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.errors import FutureDate, InvalidAcademicYear, InvalidValue, InvalidYearGroup
from tracker.identifiers import is_digits

YEAR_GROUPS = range(1, 15)
# The years the tracker deals in. Outside them, dates are typing mistakes or probes, and the
# calendar arithmetic (the year before, a day 120 days back, UTC) would leave Python's range.
YEARS = range(1900, 2200)
OUTSIDE_YEARS = f"must be in the years {YEARS.start} to {YEARS.stop - 1}"


def in_calendar(moment: date) -> bool:
    """Whether a date, or a moment, falls in the years the tracker deals in (YEARS)."""
    return moment.year in YEARS


@dataclass(frozen=True, order=True)
class AcademicYear:
    """1 September to 31 August, written `2018/19`."""

    start_year: int

    @property
    def start(self) -> date:
        return date(self.start_year, 9, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 8, 31)

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @classmethod
    def parse(cls, text: object, field: str = "year") -> AcademicYear:
        """`2018/19` and nothing else: the second part must be the year after the first."""
        first, _, second = text.partition("/") if isinstance(text, str) else ("", "", "")
        if (
            not (is_digits(first, 4) and is_digits(second, 2))
            or int(second) != (int(first) + 1) % 100
            or int(first) not in YEARS
        ):
            raise InvalidAcademicYear(text, field)
        return cls(int(first))

    @classmethod
    def containing(cls, day: date) -> AcademicYear:
        return cls(day.year if day.month >= 9 else day.year - 1)

    def next(self) -> AcademicYear:
        return AcademicYear(self.start_year + 1)

    def previous(self) -> AcademicYear:
        return AcademicYear(self.start_year - 1)

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def snapshot_dates(self) -> list[date]:
        """The termly snapshots: end of the autumn, spring and summer terms."""
        return [
            date(self.start_year, 12, 31),
            date(self.start_year + 1, 3, 31),
            date(self.start_year + 1, 7, 31),
        ]

    def counting_window(self, as_of: date) -> tuple[date, date]:
        """ "This year" as seen on `as_of`: from 1 September to `as_of` or 31 August."""
        return self.start, min(as_of, self.end)


def year_group_for_birth(date_of_birth: date, year: AcademicYear) -> int:
    """NCY = age on the 31 August before the year starts, minus 4."""
    before = date(year.start_year, 8, 31)
    birthday_to_come = (before.month, before.day) < (date_of_birth.month, date_of_birth.day)
    return before.year - date_of_birth.year - birthday_to_come - 4


def year_group_in(year_group: int, recorded_in: AcademicYear, wanted: AcademicYear) -> int:
    """Pupils move up one year group each academic year."""
    return year_group + (wanted.start_year - recorded_in.start_year)


def default_as_of(year: AcademicYear, today: date) -> date:
    """Today while the year runs; its last day once it is over; its first before it begins."""
    return min(max(today, year.start), year.end)


def check_not_future(field: str, value: date, today: date) -> None:
    """Refuse a date after today: nothing is recorded before it has happened."""
    check_in_calendar(field, value)
    if value > today:
        raise FutureDate(field, value, today)


def check_in_calendar(field: str, value: date) -> date:
    """Refuse a date outside the years the tracker deals in (see YEARS)."""
    if not in_calendar(value):
        raise InvalidValue(
            f"{field} {value.isoformat()} is outside {YEARS.start}–{YEARS.stop - 1}", field
        )
    return value


def ks5_window_start(year_group: int, in_year: AcademicYear) -> date:
    """1 September of the academic year in which the pupil was (or will be) in Year 12."""
    return date(in_year.start_year + (12 - year_group), 9, 1)


def check_year_group(value: object, field: str = "year_group") -> int:
    """A National Curriculum year, 1 to 14; `True` is not a year group."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in YEAR_GROUPS:
        raise InvalidYearGroup(f"{field} must be a whole number from 1 to 14; got {value!r}", field)
    return value
