"""The answers about hubs: a hub's figures with the national and non-hub ones beside them, the
national figures, and a hub's trends over a year and year on year (projections/answers.py says how
answers are read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from projections.answers import Answer, ByBenchmark, Header, SchoolRow, Withheld, attributes
from projections.metrics import SchoolFigures, summarise
from tracker.calendar import AcademicYear


@dataclass(frozen=True, kw_only=True)
class Summary(Answer):
    """Figures over a set of schools: shares achieving, means, pupil coverage (summarise)."""

    schools: int
    every_student_employer_encounters: float | None
    every_student_workplace_experience: float | None
    mean_benchmarks_achieved: float | None
    pct_schools_achieving: ByBenchmark
    mean_coverage: ByBenchmark
    pupil_coverage: ByBenchmark
    pupils_measured: ByBenchmark
    pupils_met: ByBenchmark
    suppressed: Withheld | None = None
    position: int | None = None  # a comparison's: the view position it was computed at

    @classmethod
    def of(cls, schools: list[SchoolFigures], position: int | None = None) -> Summary:
        return cls(**summarise(schools), position=position)


@dataclass(frozen=True, kw_only=True)
class Hub(Answer):
    code: str
    name: str
    area: str
    wave: int | None


@dataclass(frozen=True, kw_only=True)
class HubMetrics(Header, Summary):
    hub: Hub
    school_rows: tuple[SchoolRow, ...]
    national: Summary | None  # none as known at a past time: a replay covers the hub only
    non_hub: Summary | None


@dataclass(frozen=True, kw_only=True)
class NationalMetrics(Header, Summary):
    non_hub: Summary


@dataclass(frozen=True, kw_only=True)
class HubYear(Header, Summary):
    """A hub's figures at the end of one academic year, national and non-hub beside them."""

    national: Summary | None
    non_hub: Summary | None

    @classmethod
    def of(cls, metrics: HubMetrics) -> HubYear:
        return cls(
            **{
                name: value
                for name, value in attributes(metrics).items()
                if name not in ("hub", "school_rows")
            }
        )


@dataclass(frozen=True, kw_only=True)
class HubYears(Answer):
    hub: str
    years: tuple[HubYear, ...]


SERIES_FIGURES = (
    "schools",
    "every_student_employer_encounters",
    "every_student_workplace_experience",
    "mean_benchmarks_achieved",
    "pct_schools_achieving",
    "mean_coverage",
    "pupil_coverage",
    "pupils_measured",
    "pupils_met",
)


@dataclass(frozen=True, kw_only=True)
class SeriesFigures(Answer):
    """The figures a trend shows of a summary: all of metrics.md's hub figures (its position left
    out)."""

    schools: int
    every_student_employer_encounters: float | None
    every_student_workplace_experience: float | None
    mean_benchmarks_achieved: float | None
    pct_schools_achieving: ByBenchmark
    mean_coverage: ByBenchmark
    pupil_coverage: ByBenchmark
    pupils_measured: ByBenchmark
    pupils_met: ByBenchmark
    suppressed: Withheld | None = None  # what a hub token was not shown, of the figures kept here

    @staticmethod
    def kept(summary: Summary) -> dict[str, Any]:
        kept = {name: getattr(summary, name) for name in SERIES_FIGURES}
        if summary.suppressed is not None:
            kept["suppressed"] = {
                name: why
                for name, why in summary.suppressed.items()
                if name.partition(".")[0] in SERIES_FIGURES
            }
        return kept


@dataclass(frozen=True, kw_only=True)
class SeriesPoint(SeriesFigures):
    """A hub's figures at one date of a trend, the national and non-hub ones beside them."""

    as_of: date
    national: SeriesFigures
    non_hub: SeriesFigures | None  # as the hub's metrics on that date have it

    @classmethod
    def of(cls, metrics: HubMetrics) -> SeriesPoint:
        national = SeriesFigures(**SeriesFigures.kept(metrics.national))
        non_hub = SeriesFigures(**SeriesFigures.kept(metrics.non_hub)) if metrics.non_hub else None
        return cls(
            **SeriesFigures.kept(metrics), as_of=metrics.as_of, national=national, non_hub=non_hub
        )


@dataclass(frozen=True, kw_only=True)
class HubSeries(Answer):
    hub: str
    year: AcademicYear
    known_at: datetime | None
    points: tuple[SeriesPoint, ...]
