"""The figures of metrics.md, from the view tables, for any as-of date."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from projections.milestones import LATEST_EMPLOYER_YEAR
from projections.store import ViewStore, any_of
from projections.thresholds import thresholds_of
from tracker.calendar import AcademicYear
from tracker.rulesets import COLLEGE_TYPES, DEFAULT_YEAR_GROUPS, RuleSet, rule_set_for

CHECKLIST_BENCHMARKS = (1, 2, 3, 4)
COUNTED_BENCHMARKS = (5, 6, 7, 8)


@dataclass
class Figure:
    """One benchmark at one school: exact counts, and what they make."""

    benchmark: int
    measured: int = 0
    met: int = 0
    score: float | None = None

    @property
    def applicable(self) -> bool:
        return self.benchmark in CHECKLIST_BENCHMARKS or self.measured > 0

    @property
    def coverage(self) -> float | None:
        if self.benchmark in CHECKLIST_BENCHMARKS or not self.measured:
            return None
        return round(100 * self.met / self.measured, 1)

    @property
    def achieved(self) -> bool:
        if self.benchmark in CHECKLIST_BENCHMARKS:
            return self.score == 1.0
        return self.measured > 0 and self.met == self.measured

    def as_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "measured": self.measured,
            "met": self.met,
            "coverage": self.coverage,
            "score": self.score,
            "achieved": self.achieved,
            "applicable": self.applicable,
        }


@dataclass
class SchoolFigures:
    urn: str
    name: str
    type: str
    benchmarks: dict[int, Figure] = field(default_factory=dict)

    @property
    def benchmarks_achieved(self) -> int:
        return sum(figure.achieved for figure in self.benchmarks.values())


class YearGroupCounts(NamedTuple):
    """One year group at one school on a date: its pupils, and how many have reached each
    milestone."""

    ncy: int
    pupils: int
    reached: dict[str, int]


# What is counted for each year group: a milestone date on or before the as-of date ({d}).
_REACHED = {
    "first_on": "first_on <= {d}",
    "second_on": "second_on <= {d}",
    "workplace_1": "workplace_1 <= {d}",
    "workplace_2": "workplace_2 <= {d}",
    "workplace_ks5": "workplace_ks5 <= {d}",
    "fe_and_he": "fe_1 <= {d} AND he_1 <= {d}",
    "university_2": "university_2 <= {d}",
    "guidance_1": "guidance_1 <= {d}",
    "guidance_ks5": "guidance_ks5 <= {d}",
}


def _counts_sql(store: ViewStore, schools: str, from_row: bool) -> str:
    """Per school and year group: pupils on roll, and how many have reached each milestone.

    `from_row` reads every value from the pupil's own row: their latest year group and their
    latest year's employer encounters, right for any year no pupil's row has moved past. A last
    column counts the rows that have (to be asked again the other way). Otherwise the year group
    in force in the year asked about, and that year's encounters, are looked up for each pupil.
    What the counts mean for each benchmark is the rule set's, in Python (`_counted`). Its
    parameters are `:as_of`, `:year` (the year's first calendar year) and `schools`, the named
    URNs' placeholders (`any_of`), if any.
    """
    school_filter = f"AND m.school_urn IN ({schools})" if schools else ""
    on_roll = "m.enrolled_on <= :as_of AND (m.left_on IS NULL OR :as_of <= m.left_on)"
    # Only fixed column names are formatted in; every value is a parameter. A pupil with no year
    # group by then is not counted (ncy is NULL).
    if from_row:
        # One flat pass over the table, counts included, runs in parallel on PostgreSQL; the
        # year's employer encounters tested inside each count rather than picked out in a
        # subquery first cut the national read's statement by a tenth (docs/performance.md).
        reached = {**_REACHED, **_EMPLOYER_FROM_ROW}
        conditions = [c.format(d=":as_of") for c in reached.values()] + [_MOVED_PAST]
        counts = ", ".join(f"COUNT(*) FILTER (WHERE {c})" for c in conditions)
        return f"""
            SELECT m.school_urn, m.year_group + (:year - m.from_year), COUNT(*), {counts}
            FROM {{milestones}} m
            WHERE {on_roll} AND m.year_group IS NOT NULL AND m.from_year IS NOT NULL
                  {school_filter}
            GROUP BY 1, 2"""
    counts = ", ".join(f"COUNT(*) FILTER (WHERE {c.format(d='d')})" for c in _REACHED.values())
    return f"""
        SELECT urn, ncy, COUNT(*), {counts} FROM (
            SELECT m.school_urn AS urn, {store.date_param("as_of")} AS d,
                   m.workplace_1, m.workplace_2, m.fe_1, m.he_1, m.university_2, m.guidance_1,
                   m.workplace_ks5, m.guidance_ks5, {_LOOKED_UP[0]}
            FROM {{milestones}} m {_LOOKED_UP[1]}
            WHERE {on_roll} {school_filter}{store.subquery_fence}
        ) roll WHERE ncy IS NOT NULL GROUP BY urn, ncy"""


# From the row alone: the row's employer encounters are the year's if they are that year's, and a
# row whose year group or encounters are a later year's has moved past the year asked about.
_EMPLOYER_FROM_ROW = {
    "first_on": "m.employer_year = :year AND m.employer_first <= {d}",
    "second_on": "m.employer_year = :year AND m.employer_second <= {d}",
}
_MOVED_PAST = "m.from_year > :year OR m.employer_year > :year"

# The year group from the history where a later year's record superseded the row's (rare), and
# the year's employer encounters joined from every year's. The fence keeps the planner from
# copying the year-group lookup into every count (55 ms against 18 ms for a large school).
_LOOKED_UP = (
    "CASE WHEN m.from_year <= :year THEN m.year_group + (:year - m.from_year) "
    "ELSE (SELECT y.year_group + (:year - y.from_year) FROM {year_groups} y "
    "WHERE y.upn = m.upn AND y.from_year <= :year ORDER BY y.from_year DESC LIMIT 1) END "
    "AS ncy, ed.first_on, ed.second_on",
    "LEFT JOIN {employer_dates} ed ON ed.upn = m.upn AND ed.academic_year = :year",
)


def _counts(
    store: ViewStore, as_of: date, schools: list[str] | None, from_row: bool | None = None
) -> list[tuple]:
    """Rows of (urn, ncy, pupils, reached...) read from each pupil's row where that is right for the
    year asked about (by default when no pupil's latest employer year is later), otherwise looked
    up: exact either way."""
    year = AcademicYear.containing(as_of).start_year
    marks, named_schools = any_of("school", schools or [])
    params = {"as_of": as_of, "year": year, **named_schools}
    if from_row is None:
        from_row = year >= store.position(LATEST_EMPLOYER_YEAR)
    if from_row:
        rows = store.query(_counts_sql(store, marks, True), params)
        if not any(row[-1] for row in rows):
            return [row[:-1] for row in rows]
    return store.query(_counts_sql(store, marks, False), params)


def _year_groups(
    store: ViewStore, as_of: date, registered: list[tuple], schools: list[str] | None
) -> list[tuple[str, YearGroupCounts]]:
    """The year groups on `as_of` of the `registered` schools (`schools` as asked: None for all),
    but those a school does not teach that year: a pupil moved up past its last year (before the
    rollover is recorded) or below its first is in no figure."""
    taught = _taught(store, AcademicYear.containing(as_of), registered, schools)
    return [
        (urn, YearGroupCounts(ncy, pupils, dict(zip(_REACHED, reached, strict=False))))
        for urn, ncy, pupils, *reached in _counts(store, as_of, schools)
        if urn in taught and taught[urn][0] <= ncy <= taught[urn][1]
    ]


def year_groups_taught(
    store: ViewStore, year: AcademicYear, urns: list[str]
) -> dict[str, tuple[int, int]]:
    """(first, last) year group each of the schools teaches in `year`."""
    return _taught(store, year, _schools(store, urns), urns)


def _taught(
    store: ViewStore, year: AcademicYear, registered: list[tuple], schools: list[str] | None
) -> dict[str, tuple[int, int]]:
    """(first, last) year group each school teaches in `year`: the range set latest, else its
    type's."""
    taught = {urn: DEFAULT_YEAR_GROUPS[kind] for urn, _name, kind in registered}
    marks, named_schools = any_of("school", schools or [])
    school_filter = f" AND urn IN ({marks})" if schools else ""
    rows = (
        store.query(
            "SELECT urn, from_year, first_ncy, last_ncy FROM {year_ranges} "
            "WHERE from_year <= :year" + school_filter,
            {"year": year.start_year, **named_schools},
        )
        if registered
        else []
    )
    for urn, _from, first, last in sorted(rows, key=lambda row: row[1]):
        if urn in taught:
            taught[urn] = (first, last)
    return taught


def _counted(
    rule_set: RuleSet, college: bool, group: YearGroupCounts
) -> dict[int, tuple[int, int]]:
    """(measured, met) for benchmarks 5–8 in one year group of a school, by the rule set."""
    counted = dict.fromkeys(COUNTED_BENCHMARKS, (0, 0))
    for b, column in _counted_columns(rule_set, college, group.ncy):
        counted[b] = (group.pupils, group.reached[column])
    return counted


@lru_cache(maxsize=None)
def _counted_columns(rule_set: RuleSet, college: bool, ncy: int) -> tuple[tuple[int, str], ...]:
    """The benchmarks a year group is measured for, each with the milestone its pupils meet it by
    (a column of `_REACHED`): the rule set's, worked out once for each year group."""
    need = thresholds_of(rule_set)
    counted = []
    if college or ncy in rule_set.bm5_year_groups:
        counted.append((5, (need.employer_college if college else need.employer).column))
    if ncy == rule_set.by_16_year_group:
        counted += [
            (6, need.workplace_by_16.column),
            (7, need.education_by_16.column),
            (8, need.guidance_by_16.column),
        ]
    elif ncy == rule_set.by_18_year_group:
        counted += [
            (6, need.workplace_by_18.column),
            (7, need.university_by_18.column),
            (8, need.guidance_by_18.column),
        ]
    return tuple(counted)


def _checklist_scores(
    store: ViewStore, as_of: date, rule_set: RuleSet, schools: list[str] | None
) -> dict:
    """Per school and benchmark 1–4: the share of the rule set's criteria whose latest change is
    'met'."""
    marks, named_schools = any_of("school", schools or [])
    school_filter = f" AND urn IN ({marks})" if schools else ""
    rows = store.query(
        "SELECT urn, benchmark, code, met FROM {checklist} "
        "WHERE changed_on <= :as_of" + school_filter + " ORDER BY urn, changed_on, position",
        {"as_of": as_of, **named_schools},
    )
    latest = {(urn, benchmark, code): met for urn, benchmark, code, met in rows}
    criteria = {b: {c.code for c in rule_set.checklist[b]} for b in CHECKLIST_BENCHMARKS}
    met_by: dict[str, dict[int, int]] = defaultdict(lambda: dict.fromkeys(CHECKLIST_BENCHMARKS, 0))
    for (urn, benchmark, code), met in latest.items():
        school = met_by[urn]  # a school with any change has a score for every benchmark
        if code in criteria.get(benchmark, ()):
            school[benchmark] += met
    return {
        urn: {b: round(met[b] / len(criteria[b]), 3) for b in CHECKLIST_BENCHMARKS}
        for urn, met in met_by.items()
    }


def school_figures(
    store: ViewStore, as_of: date, schools: list[str] | None = None
) -> dict[str, SchoolFigures]:
    """Every benchmark for each named school (or every registered school) on `as_of`."""
    rule_set = rule_set_for(AcademicYear.containing(as_of))
    registered = _schools(store, schools)
    result = {urn: SchoolFigures(urn, name, kind) for urn, name, kind in registered}
    scores = _checklist_scores(store, as_of, rule_set, schools)
    for urn, figures in result.items():
        school_scores = scores.get(urn, {})
        for b in CHECKLIST_BENCHMARKS:
            figures.benchmarks[b] = Figure(b, score=school_scores.get(b, 0.0))
        for b in COUNTED_BENCHMARKS:
            figures.benchmarks[b] = Figure(b)
    # The national read adds up some 30,000 year groups here: a lookup of what each counts towards
    # and plain additions keep Python's share of it small (docs/performance.md, national).
    counted_columns = {}  # (college, ncy): hashing the rule set for each group costs a tenth
    for urn, group in _year_groups(store, as_of, registered, schools):
        figures = result[urn]
        kind = (figures.type in COLLEGE_TYPES, group.ncy)
        if kind not in counted_columns:
            counted_columns[kind] = _counted_columns(rule_set, *kind)
        for b, column in counted_columns[kind]:
            figure = figures.benchmarks[b]
            figure.measured += group.pupils
            figure.met += group.reached[column]
    return result


def registered_schools(store: ViewStore) -> list[str]:
    """The URN of every registered school, in order."""
    return [urn for urn, _name, _type in _schools(store, None)]


def _schools(store: ViewStore, schools: list[str] | None) -> list[tuple]:
    if schools is None:
        return store.query("SELECT urn, name, type FROM {schools} ORDER BY urn")
    if not schools:
        return []
    marks, named_schools = any_of("school", schools)
    return store.query(
        f"SELECT urn, name, type FROM {{schools}} WHERE urn IN ({marks}) ORDER BY urn",
        named_schools,
    )


def year_group_figures(store: ViewStore, as_of: date, urn: str) -> list[dict[str, Any]]:
    """For each year group on roll: BM5 measured and met, and how many already meet BM6–8's by-16
    count."""
    rule_set = rule_set_for(AcademicYear.containing(as_of))
    need = thresholds_of(rule_set)
    school = _schools(store, [urn])
    college = any(kind in COLLEGE_TYPES for _urn, _name, kind in school)
    rows = []
    for _urn, group in sorted(
        _year_groups(store, as_of, school, [urn]), key=lambda item: item[1].ncy
    ):
        measured5, met5 = _counted(rule_set, college, group)[5]
        rows.append(
            {
                "year_group": group.ncy,
                "pupils": group.pupils,
                "bm5_measured": measured5,
                "bm5_met": met5,
                "bm6_by_16": group.reached[need.workplace_by_16.column],
                "bm7_by_16": group.reached[need.education_by_16.column],
                "bm8_by_16": group.reached[need.guidance_by_16.column],
            }
        )
    return rows


def hub_members(store: ViewStore, hub_code: str, as_of: date) -> list[str]:
    return [
        row[0]
        for row in store.query(
            "SELECT urn FROM {memberships} WHERE hub_code = ? AND joined_on <= ? "
            "AND (left_on IS NULL OR ? <= left_on) ORDER BY urn",
            (hub_code, as_of, as_of),
        )
    ]


def schools_in_any_hub(store: ViewStore, as_of: date) -> set[str]:
    return {
        row[0]
        for row in store.query(
            "SELECT urn FROM {memberships} "
            "WHERE joined_on <= ? AND (left_on IS NULL OR ? <= left_on)",
            (as_of, as_of),
        )
    }


def summarise(schools: list[SchoolFigures]) -> dict[str, Any]:
    """The hub-level figures over a set of schools: shares achieving, means, pupil coverage."""
    every = list(range(1, 9))
    achieving = {
        b: _pct([s.benchmarks[b] for s in schools if s.benchmarks[b].applicable], "achieved")
        for b in every
    }
    return {
        "schools": len(schools),
        "every_student_employer_encounters": achieving[5],
        "every_student_workplace_experience": achieving[6],
        "mean_benchmarks_achieved": round(
            sum(s.benchmarks_achieved for s in schools) / len(schools), 2
        )
        if schools
        else None,
        "pct_schools_achieving": {str(b): achieving[b] for b in every},
        "mean_coverage": {
            str(b): _mean([s.benchmarks[b].coverage for s in schools]) for b in COUNTED_BENCHMARKS
        },
        "pupil_coverage": {
            str(b): _pupil_coverage([s.benchmarks[b] for s in schools]) for b in COUNTED_BENCHMARKS
        },
        # pupil_coverage's denominator and numerator, so it can be checked (and small ones
        # withheld).
        "pupils_measured": {
            str(b): sum(s.benchmarks[b].measured for s in schools) for b in COUNTED_BENCHMARKS
        },
        "pupils_met": {
            str(b): sum(s.benchmarks[b].met for s in schools) for b in COUNTED_BENCHMARKS
        },
    }


def _pct(figures: list[Figure], attribute: str) -> float | None:
    if not figures:
        return None
    return round(100 * sum(getattr(f, attribute) for f in figures) / len(figures), 1)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 1) if present else None


def _pupil_coverage(figures: list[Figure]) -> float | None:
    measured = sum(f.measured for f in figures)
    return round(100 * sum(f.met for f in figures) / measured, 1) if measured else None
