"""The figures of metrics.md, from the view tables, for any as-of date."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from projections.milestones import LATEST_EMPLOYER_YEAR
from projections.store import ViewStore
from tracker.calendar import AcademicYear
from tracker.rulesets import COLLEGE_TYPES, RuleSet, rule_set_for

CHECKLIST_BENCHMARKS = (1, 2, 3, 4)
COUNTED_BENCHMARKS = (5, 6, 7, 8)
_NTH = {1: "first_on", 2: "second_on"}
_WORKPLACE_NTH = {1: "workplace_1", 2: "workplace_2"}


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
        return {"benchmark": self.benchmark, "measured": self.measured, "met": self.met,
                "coverage": self.coverage, "score": self.score, "achieved": self.achieved,
                "applicable": self.applicable}


@dataclass
class SchoolFigures:
    urn: str
    name: str
    type: str
    benchmarks: dict[int, Figure] = field(default_factory=dict)

    @property
    def benchmarks_achieved(self) -> int:
        return sum(figure.achieved for figure in self.benchmarks.values())


def _counts_sql(store: ViewStore, rule_set: RuleSet, by_year_group: bool, schools: int | None,
                from_row: bool) -> str:
    """Per school (and year group): measured and met for benchmarks 5–8, in one pass over the roll.

    `from_row` reads every value from the pupil's own row: their latest year group and their
    latest year's employer encounters, right for any year no pupil's row has moved past. A last
    column counts the rows that have (to be asked again the other way). Otherwise the year group
    in force in the year asked about, and that year's encounters, are looked up for each pupil.
    """
    k5, k5_college = _NTH[rule_set.k5], _NTH[rule_set.k5_college]
    workplace = _WORKPLACE_NTH[rule_set.k6]
    lo, hi = rule_set.bm5_year_groups.start, rule_set.bm5_year_groups.stop - 1
    y16, y18 = rule_set.by_16_year_group, rule_set.by_18_year_group
    measured5 = f"(college = 1 OR ncy BETWEEN {lo} AND {hi})"
    measured = f"ncy IN ({y16}, {y18})"
    met = {
        5: f"((college = 0 AND {k5} <= d) OR (college = 1 AND {k5_college} <= d))",
        6: f"((ncy = {y16} AND {workplace} <= d) OR (ncy = {y18} AND workplace_ks5 <= d))",
        7: f"((ncy = {y16} AND fe_1 <= d AND he_1 <= d) OR (ncy = {y18} AND university_2 <= d))",
        8: f"((ncy = {y16} AND guidance_1 <= d) OR (ncy = {y18} AND guidance_ks5 <= d))",
    }
    by_16 = {6: f"{workplace} <= d", 7: "fe_1 <= d AND he_1 <= d", 8: "guidance_1 <= d"}
    conditions = [measured5, f"{measured5} AND {met[5]}"]
    for b in (6, 7, 8):
        conditions += [measured, f"{measured} AND {met[b]}"]
    if by_year_group:
        conditions += [by_16[b] for b in (6, 7, 8)]
    if from_row:
        conditions.append("moved_past = 1")
    school_filter = f"AND m.school_urn IN ({', '.join('?' * schools)})" if schools else ""
    group = "urn, ncy" if by_year_group else "urn"
    looked_up, fence = (_FROM_ROW, "") if from_row else (_LOOKED_UP, store.subquery_fence)
    # Only rule-set numbers and fixed column names are formatted in; every value is a parameter.
    # A pupil with no year group by then is not counted (ncy is NULL).
    return f"""
        SELECT {group}, COUNT(*), {', '.join(f"COUNT(*) FILTER (WHERE {c})" for c in conditions)} FROM (
            SELECT m.school_urn AS urn, {store.date_param} AS d,
                   CASE WHEN s.type IN ({', '.join(repr(t) for t in sorted(COLLEGE_TYPES))}) THEN 1 ELSE 0 END AS college,
                   m.workplace_1, m.workplace_2, m.fe_1, m.he_1, m.university_2, m.guidance_1,
                   m.workplace_ks5, m.guidance_ks5, {looked_up[0]}
            FROM {{milestones}} m
            JOIN {{schools}} s ON s.urn = m.school_urn {looked_up[1]}
            WHERE m.enrolled_on <= ? AND (m.left_on IS NULL OR ? <= m.left_on) {school_filter}{fence}
        ) roll WHERE ncy IS NOT NULL GROUP BY {group}"""


# Each takes the year asked about five times. From the row alone nothing is looked up, so on
# PostgreSQL the whole pass can run in parallel; it is kept unfenced for that.
_FROM_ROW = ("m.year_group + (? - m.from_year) AS ncy, "
             "CASE WHEN m.employer_year = ? THEN m.employer_first END AS first_on, "
             "CASE WHEN m.employer_year = ? THEN m.employer_second END AS second_on, "
             "CASE WHEN m.from_year > ? OR m.employer_year > ? THEN 1 ELSE 0 END AS moved_past", "")
# The year group from the history where a later year's record superseded the row's (rare), and
# the year's employer encounters joined from every year's. The fence keeps the planner from
# copying the year-group lookup into every count (55 ms against 18 ms for a large school).
_LOOKED_UP = ("CASE WHEN m.from_year <= ? THEN m.year_group + (? - m.from_year) "
              "ELSE (SELECT y.year_group + (? - y.from_year) FROM {year_groups} y WHERE y.upn = m.upn "
              "AND y.from_year <= ? ORDER BY y.from_year DESC LIMIT 1) END AS ncy, ed.first_on, ed.second_on",
              "LEFT JOIN {employer_dates} ed ON ed.upn = m.upn AND ed.academic_year = ?")


def _counts(store: ViewStore, as_of: date, schools: list[str] | None, by_year_group: bool = False,
            from_row: bool | None = None) -> list[tuple]:
    """Counts read from each pupil's row where that is right for the year asked about (by default
    when no pupil's latest employer year is later), otherwise looked up: exact either way."""
    year = AcademicYear.containing(as_of)
    y, rule_set, count = year.start_year, rule_set_for(year), len(schools) if schools else None
    params = (as_of, y, y, y, y, y, as_of, as_of, *(schools or ()))
    if from_row is None:
        from_row = y >= store.position(LATEST_EMPLOYER_YEAR)
    if from_row:
        rows = store.query(_counts_sql(store, rule_set, by_year_group, count, True), params)
        if not any(row[-1] for row in rows):
            return [row[:-1] for row in rows]
    return store.query(_counts_sql(store, rule_set, by_year_group, count, False), params)


def _checklist_scores(store: ViewStore, as_of: date, rule_set: RuleSet, schools: list[str] | None) -> dict:
    """Per school and benchmark 1–4: the share of the rule set's criteria whose latest change is 'met'."""
    school_filter = f" AND urn IN ({', '.join('?' * len(schools))})" if schools else ""
    rows = store.query("SELECT urn, benchmark, code, met FROM {checklist} WHERE changed_on <= ?"
                       + school_filter + " ORDER BY urn, changed_on, position", (as_of, *(schools or ())))
    latest: dict[str, dict[tuple[int, str], int]] = defaultdict(dict)
    for urn, benchmark, code, met in rows:
        latest[urn][(benchmark, code)] = met
    return {urn: {b: _score(rule_set, b, changes) for b in CHECKLIST_BENCHMARKS} for urn, changes in latest.items()}


def _score(rule_set: RuleSet, benchmark: int, changes: dict[tuple[int, str], int]) -> float:
    criteria = rule_set.checklist[benchmark]
    return round(sum(changes.get((benchmark, c.code), 0) for c in criteria) / len(criteria), 3)


def school_figures(store: ViewStore, as_of: date, schools: list[str] | None = None) -> dict[str, SchoolFigures]:
    """Every benchmark for each named school (or every registered school) on `as_of`."""
    rule_set = rule_set_for(AcademicYear.containing(as_of))
    result = {urn: SchoolFigures(urn, name, kind) for urn, name, kind in _schools(store, schools)}
    scores = _checklist_scores(store, as_of, rule_set, schools)
    for urn, figures in result.items():
        for b in CHECKLIST_BENCHMARKS:
            figures.benchmarks[b] = Figure(b, score=scores.get(urn, {}).get(b, 0.0))
        for b in COUNTED_BENCHMARKS:
            figures.benchmarks[b] = Figure(b)
    for urn, _pupils, *pairs in _counts(store, as_of, schools):
        for b, (measured, met) in zip(COUNTED_BENCHMARKS, zip(pairs[::2], pairs[1::2])):
            result[urn].benchmarks[b] = Figure(b, int(measured or 0), int(met or 0))
    for figures in result.values():
        figures.benchmarks = dict(sorted(figures.benchmarks.items()))
    return result


def _schools(store: ViewStore, schools: list[str] | None) -> list[tuple]:
    if schools is None:
        return store.query("SELECT urn, name, type FROM {schools} ORDER BY urn")
    if not schools:
        return []
    return store.query(f"SELECT urn, name, type FROM {{schools}} WHERE urn IN ({', '.join('?' * len(schools))}) "
                       "ORDER BY urn", schools)


def year_group_figures(store: ViewStore, as_of: date, urn: str) -> list[dict[str, Any]]:
    """For each year group on roll: BM5 measured and met, and how many already meet BM6–8's by-16 count."""
    rows = []
    for _urn, ncy, pupils, m5, met5, _m6, _met6, _m7, _met7, _m8, _met8, by6, by7, by8 in sorted(
            _counts(store, as_of, [urn], by_year_group=True), key=lambda row: row[1]):
        rows.append({"year_group": ncy, "pupils": pupils, "bm5_measured": m5, "bm5_met": met5,
                     "bm6_by_16": by6, "bm7_by_16": by7, "bm8_by_16": by8})
    return rows


def hub_members(store: ViewStore, hub_code: str, as_of: date) -> list[str]:
    return [row[0] for row in store.query(
        "SELECT urn FROM {memberships} WHERE hub_code = ? AND joined_on <= ? AND (left_on IS NULL OR ? <= left_on) "
        "ORDER BY urn", (hub_code, as_of, as_of))]


def schools_in_any_hub(store: ViewStore, as_of: date) -> set[str]:
    return {row[0] for row in store.query(
        "SELECT urn FROM {memberships} WHERE joined_on <= ? AND (left_on IS NULL OR ? <= left_on)", (as_of, as_of))}


def summarise(schools: list[SchoolFigures]) -> dict[str, Any]:
    """The hub-level figures over a set of schools: shares achieving, means, pupil coverage."""
    every = list(range(1, 9))
    achieving = {b: _pct([s.benchmarks[b] for s in schools if s.benchmarks[b].applicable], "achieved") for b in every}
    return {
        "schools": len(schools),
        "every_student_employer_encounters": achieving[5],
        "every_student_workplace_experience": achieving[6],
        "mean_benchmarks_achieved": round(sum(s.benchmarks_achieved for s in schools) / len(schools), 2)
        if schools else None,
        "pct_schools_achieving": {str(b): achieving[b] for b in every},
        "mean_coverage": {str(b): _mean([s.benchmarks[b].coverage for s in schools]) for b in COUNTED_BENCHMARKS},
        "pupil_coverage": {str(b): _pupil_coverage([s.benchmarks[b] for s in schools]) for b in COUNTED_BENCHMARKS},
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
