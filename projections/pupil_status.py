"""Each pupil's benchmark status on a date: measured or not, met or not, the counts behind it and
what is still needed ("1 more workplace experience by 16"). The same rules as the school's figures
(projections/metrics.py), pupil by pupil, read from the milestone rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Callable

from projections.metrics import year_groups_taught
from projections.records import names_seen_by
from projections.store import ViewStore, any_of
from projections.thresholds import Threshold, dated_by, thresholds_of
from tracker.calendar import AcademicYear
from tracker.rulesets import COLLEGE_TYPES, RuleSet, rule_set_for

IdentitiesOf = Callable[[list[str]], dict[str, dict[str, Any]]]  # UPNs' identities from the log
_COLUMNS = (
    "upn",
    "school_urn",
    "workplace_1",
    "workplace_2",
    "fe_1",
    "he_1",
    "university_2",
    "guidance_1",
    "workplace_ks5",
    "guidance_ks5",
    "ncy",
    "first_on",
    "second_on",
)


@dataclass(frozen=True)
class Status:
    """One benchmark for one pupil: `measured` says whether the pupil is in the school's figure this
    year; `met` whether they have what it counts (for Years 7-10, progress towards the count by
    16)."""

    benchmark: int
    measured: bool
    met: bool
    have: int
    need: int
    counted: str  # "this year", "by 16", "by 18"
    still_needed: str | None


def on_roll(
    store: ViewStore, urn: str, as_of: date, upns: list[str] | None = None
) -> list[dict[str, Any]]:
    """The school's pupils on roll on `as_of` in the year groups it teaches, each with their year
    group and milestone dates then (year group and employer encounters looked up for the year
    asked)."""
    year = AcademicYear.containing(as_of).start_year
    marks, named_upns = any_of("upn", upns or [])
    upn_filter = f" AND m.upn IN ({marks})" if upns else ""
    rows = store.query(
        "SELECT m.upn, m.school_urn, m.workplace_1, m.workplace_2, m.fe_1, m.he_1, m.university_2, "
        "m.guidance_1, m.workplace_ks5, m.guidance_ks5, " + _NCY + " AS ncy, "
        "ed.first_on, ed.second_on FROM {milestones} m "
        "LEFT JOIN {employer_dates} ed ON ed.upn = m.upn AND ed.academic_year = :year "
        + _ON_ROLL
        + upn_filter
        + " ORDER BY m.upn",
        {"year": year, "urn": urn, "as_of": as_of, **named_upns},
    )
    taught = _taught(store, urn, year)
    return [
        row
        for row in (dict(zip(_COLUMNS, values, strict=True)) for values in rows)
        if taught(row["ncy"])
    ]


def upns_on_roll(
    store: ViewStore, urn: str, as_of: date, year_group: int | None, group: str | None
) -> list[str]:
    """The UPNs on the school's roll on `as_of` in a year group and/or registration group: the
    pupils the roll page lists under that filter, without their benchmarks or names."""
    year = AcademicYear.containing(as_of).start_year
    rows = store.query(
        "SELECT m.upn, " + _NCY + ", g.group_name FROM {milestones} m "
        "LEFT JOIN {groups} g ON g.upn = m.upn AND g.school_urn = m.school_urn "
        "AND g.academic_year = :year " + _ON_ROLL + " ORDER BY m.upn",
        {"year": year, "urn": urn, "as_of": as_of},
    )
    taught = _taught(store, urn, year)
    kept = (
        upn
        for upn, ncy, name in rows
        if taught(ncy) and year_group in (None, ncy) and group in (None, name)
    )
    return list(dict.fromkeys(kept))


# A pupil's year group in the academic year starting in :year, carried on from the last recorded.
_NCY = (
    "(SELECT y.year_group + (:year - y.from_year) "
    "FROM {year_groups} y WHERE y.upn = m.upn AND y.from_year <= :year "
    "ORDER BY y.from_year DESC LIMIT 1)"
)
_ON_ROLL = (
    " WHERE m.school_urn = :urn AND m.enrolled_on <= :as_of "
    "AND (m.left_on IS NULL OR :as_of <= m.left_on)"
)


def _taught(store: ViewStore, urn: str, year: int) -> Callable[[int | None], bool]:
    """Whether a year group is one the school teaches that year: pupils outside them are not on
    its roll's pages."""
    first, last = year_groups_taught(store, AcademicYear(year), [urn]).get(urn, (1, 14))
    return lambda ncy: ncy is not None and first <= ncy <= last


def statuses(row: dict[str, Any], as_of: date, school_type: str) -> list[Status]:
    """Benchmarks 5 to 8 for one pupil's row of `on_roll`."""
    rule_set, ncy = rule_set_for(AcademicYear.containing(as_of)), row["ncy"]
    reached = {key: _on_or_before(row[key], as_of) for key in _COLUMNS[2:10] + _COLUMNS[11:]}
    by_18 = ncy == rule_set.by_18_year_group
    return [
        _employer(rule_set, ncy, school_type in COLLEGE_TYPES, reached),
        _workplace(rule_set, ncy, by_18, reached),
        _education(rule_set, ncy, by_18, reached),
        _guidance(rule_set, ncy, by_18, reached),
    ]


def _on_or_before(value: Any, as_of: date) -> bool:
    if value is None:
        return False
    return (value if isinstance(value, date) else date.fromisoformat(value)) <= as_of


def _status(
    benchmark: int, measured: bool, have: int, need: int, counted: str, what: str
) -> Status:
    have = min(have, need)
    missing = need - have
    needed = (
        None if not missing else f"{missing} more {what if missing == 1 else what + 's'} {counted}"
    )
    return Status(benchmark, measured, not missing, have, need, counted, needed)


def _against(
    benchmark: int,
    measured: bool,
    threshold: Threshold,
    reached: dict[str, bool],
    counted: str,
    what: str,
) -> Status:
    return _status(benchmark, measured, threshold.have(reached), threshold.need, counted, what)


def _employer(rule_set: RuleSet, ncy: int, college: bool, reached: dict[str, bool]) -> Status:
    need = thresholds_of(rule_set)
    measured = college or ncy in rule_set.bm5_year_groups
    return _against(
        5,
        measured,
        need.employer_college if college else need.employer,
        reached,
        "this year",
        "meaningful employer encounter",
    )


def _workplace(rule_set: RuleSet, ncy: int, by_18: bool, reached: dict[str, bool]) -> Status:
    need = thresholds_of(rule_set)
    if by_18:
        return _against(
            6,
            True,
            need.workplace_by_18,
            reached,
            "by 18",
            "workplace experience in the sixth form",
        )
    return _against(
        6,
        ncy == rule_set.by_16_year_group,
        need.workplace_by_16,
        reached,
        "by 16",
        "workplace experience",
    )


def _education(rule_set: RuleSet, ncy: int, by_18: bool, reached: dict[str, bool]) -> Status:
    need = thresholds_of(rule_set)
    if by_18:
        return _against(7, True, need.university_by_18, reached, "by 18", "university visit")
    # One of each side, counted (and named when missing) side by side.
    sides = fe, he = dated_by(need.education_by_16.column)
    status = _status(
        7,
        ncy == rule_set.by_16_year_group,
        reached[fe] + reached[he],
        len(sides) * need.education_by_16.need,
        "by 16",
        "encounter",
    )
    missing = [
        what
        for key, what in (
            (fe, "a further education or apprenticeship encounter"),
            (he, "a higher education encounter"),
        )
        if not reached[key]
    ]
    return Status(
        **{**asdict(status), "still_needed": " and ".join(missing) + " by 16" if missing else None}
    )


def _guidance(rule_set: RuleSet, ncy: int, by_18: bool, reached: dict[str, bool]) -> Status:
    need = thresholds_of(rule_set)
    if by_18:
        return _against(
            8, True, need.guidance_by_18, reached, "by 18", "guidance meeting in the sixth form"
        )
    return _against(
        8,
        ncy == rule_set.by_16_year_group,
        need.guidance_by_16,
        reached,
        "by 16",
        "guidance meeting",
    )


@dataclass(frozen=True)
class RollFilter:
    """What the Careers Leader asks of the roll: "Year 10, not yet met an employer this year"."""

    year_group: int | None = None
    group: str | None = None  # registration group (form)
    not_met: int | None = None  # a benchmark from 5 to 8 the pupil does not (yet) meet
    sen: bool | None = None
    pupil_premium: bool | None = None

    def keeps(self, row: dict[str, Any], benchmarks: list[Status]) -> bool:
        return (
            (self.year_group is None or row["ncy"] == self.year_group)
            and (self.group is None or row["group"] == self.group)
            and (self.sen is None or row["sen"] == self.sen)
            and (self.pupil_premium is None or row["pupil_premium"] == self.pupil_premium)
            and (self.not_met is None or not benchmarks[self.not_met - 5].met)
        )


def roll(
    store: ViewStore,
    urn: str,
    school_type: str,
    as_of: date,
    wanted: RollFilter,
    after: str | None,
    limit: int,
    identities_of: IdentitiesOf = lambda upns: {},
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the school's roll on `as_of` (UPN order, after the cursor `after`), each pupil with
    the names and flags the school recorded and their benchmark status; and the next page's
    cursor."""
    rows = [row for row in on_roll(store, urn, as_of) if after is None or row["upn"] > after]
    details = _details(store, urn, as_of)
    items, cursor = [], None
    for row in rows:
        row = {
            **row,
            **details.get(
                row["upn"],
                {
                    "sen": False,
                    "pupil_premium": False,
                    "group": None,
                    "erased": False,
                    "first": urn,
                },
            ),
        }
        benchmarks = statuses(row, as_of, school_type)
        if wanted.keeps(row, benchmarks):
            items.append(
                {
                    "upn": row["upn"],
                    "given_name": None,
                    "family_name": None,
                    "year_group": row["ncy"],
                    "group": row["group"],
                    "sen": row["sen"],
                    "pupil_premium": row["pupil_premium"],
                    "benchmarks": [asdict(status) for status in benchmarks],
                }
            )
            if len(items) > limit:
                items, cursor = items[:limit], items[limit - 1]["upn"]
                break
    _name(items, urn, details, identities_of)
    return items, cursor


def _name(
    items: list[dict[str, Any]],
    urn: str,
    details: dict[str, dict[str, Any]],
    identities_of: IdentitiesOf,
) -> None:
    """The names the school gave each pupil on the page, from the log (the views hold none), in one
    read; none for a pupil whose identity was erased. Enrolments from before names were kept show
    the registered names to the pupil's first school only (docs/transfers.md)."""
    shown = [item["upn"] for item in items if not details.get(item["upn"], {}).get("erased")]
    identities = identities_of(shown) if shown else {}
    for item in items:
        if item["upn"] in identities:
            first = [{"school_urn": details.get(item["upn"], {}).get("first", urn)}]
            item["given_name"], item["family_name"] = names_seen_by(
                urn, identities[item["upn"]], first
            )


def _details(store: ViewStore, urn: str, as_of: date) -> dict[str, dict[str, Any]]:
    """The flags and group the school recorded for each pupil on roll, their first school, and
    whether their identity was erased."""
    rows = store.query(
        "SELECT e.upn, e.sen, e.pupil_premium, p.erased, "
        "(SELECT f.school_urn FROM {enrolments} f WHERE f.upn = e.upn "
        "ORDER BY f.enrolled_on LIMIT 1), "
        "g.group_name FROM {enrolments} e JOIN {pupils} p ON p.upn = e.upn "
        "LEFT JOIN {groups} g ON g.upn = e.upn AND g.school_urn = e.school_urn "
        "AND g.academic_year = ? "
        "WHERE e.school_urn = ? AND e.enrolled_on <= ? AND (e.left_on IS NULL OR ? <= e.left_on)",
        (AcademicYear.containing(as_of).start_year, urn, as_of, as_of),
    )
    return {
        upn: {
            "sen": bool(sen),
            "pupil_premium": bool(pp),
            "group": group,
            "erased": bool(erased),
            "first": first,
        }
        for upn, sen, pp, erased, first, group in rows
    }
