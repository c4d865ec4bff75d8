"""The answers the reads give, as typed values: the API's schemas (api/schemas.py) dump them, the
dashboard's templates read their attributes, and small numbers are withheld from them by
`dataclasses.replace` (projections/small_numbers.py)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timezone
from typing import Any, Mapping

from projections.metrics import Figure, SchoolFigures
from tracker.calendar import AcademicYear
from tracker.rulesets import rule_set_for

ByBenchmark = Mapping[str, Any]  # a figure per benchmark, keyed by its number ("1" to "8")
Withheld = Mapping[str, str]  # hub tokens only: each figure withheld (shown as null) and why


@dataclass(frozen=True)
class Answer:
    """The base of every answer: a frozen value whose fields callers read as attributes."""


def attributes(answer: Any) -> dict[str, Any]:
    """An answer's fields, one level deep (`dataclasses.asdict` copies every nested value)."""
    return {field.name: getattr(answer, field.name) for field in fields(answer)}


# --- a school's figures ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Benchmark(Answer):
    """One benchmark at one school: the counts, and what they make."""

    benchmark: int
    measured: int | None
    met: int | None
    coverage: float | None
    score: float | None
    achieved: bool
    applicable: bool
    suppressed: Withheld | None = None

    @classmethod
    def of(cls, figure: Figure) -> Benchmark:
        return cls(
            benchmark=figure.benchmark,
            measured=figure.measured,
            met=figure.met,
            coverage=figure.coverage,
            score=figure.score,
            achieved=figure.achieved,
            applicable=figure.applicable,
        )


@dataclass(frozen=True, kw_only=True)
class SchoolRow(Answer):
    """A school and each of its benchmarks: a row of a hub's table, or of the export."""

    urn: str
    name: str
    type: str
    benchmarks: tuple[Benchmark, ...]
    benchmarks_achieved: int

    @classmethod
    def of(cls, figures: SchoolFigures) -> SchoolRow:
        return cls(
            urn=figures.urn,
            name=figures.name,
            type=figures.type,
            benchmarks=tuple(Benchmark.of(f) for f in figures.benchmarks.values()),
            benchmarks_achieved=figures.benchmarks_achieved,
        )


@dataclass(frozen=True, kw_only=True)
class YearGroupRow(Answer):
    """One year group of a school: BM5 measured and met, and how many already meet BM6-8 by 16."""

    year_group: int
    pupils: int | None
    bm5_measured: int | None
    bm5_met: int | None
    bm6_by_16: int | None
    bm7_by_16: int | None
    bm8_by_16: int | None
    suppressed: Withheld | None = None


@dataclass(frozen=True, kw_only=True)
class Header(Answer):
    """The date figures are for, its year and rule set, and the time they are as known at."""

    as_of: date
    year: AcademicYear
    rule_set: str
    known_at: datetime | None

    @staticmethod
    def at(as_of: date, known_at: datetime | None) -> dict[str, Any]:
        """The header's fields, for the answer that starts with them."""
        year = AcademicYear.containing(as_of)
        return {
            "as_of": as_of,
            "year": year,
            "rule_set": rule_set_for(year).name,
            "known_at": in_utc(known_at),
        }


def in_utc(known_at: datetime | None) -> datetime | None:
    """A time an answer is as known at, as every answer echoes it: in UTC."""
    return known_at.astimezone(timezone.utc) if known_at else None


@dataclass(frozen=True, kw_only=True)
class SchoolStatus(Header, SchoolRow):
    by_year_group: tuple[YearGroupRow, ...]


@dataclass(frozen=True, kw_only=True)
class SchoolYear(Header, SchoolRow):
    """A school's figures at the end of one academic year."""

    @classmethod
    def of(cls, status: SchoolStatus) -> SchoolYear:
        return cls(
            **{name: value for name, value in attributes(status).items() if name != "by_year_group"}
        )


@dataclass(frozen=True, kw_only=True)
class SchoolYears(Answer):
    urn: str
    years: tuple[SchoolYear, ...]


# --- things ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class School(Answer):
    urn: str
    name: str
    type: str
    la_code: str
    laestab: str
    careers_leader: str | None


@dataclass(frozen=True, kw_only=True)
class SchoolDetails(School):
    hub: str | None  # the hub it is a member of today


@dataclass(frozen=True, kw_only=True)
class Lag(Answer):
    """How far the views trail the log: in events, and in seconds since the oldest one not yet
    applied."""

    head: int
    position: int
    events: int
    seconds: float
