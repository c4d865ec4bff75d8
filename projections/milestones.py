"""Each pupil's milestone dates: when they first met each count, so a figure on any date is a
comparison."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from projections.page import Page
from projections.tables import HISTORY
from tracker.calendar import AcademicYear, ks5_window_start


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _occurred_on(encounter: tuple) -> date:
    return encounter[0]


def _nth(dates: list[date], n: int) -> date | None:
    return dates[n - 1] if len(dates) >= n else None


def _first_from(dates: list[date], start: date | None) -> date | None:
    return next((d for d in dates if start is not None and d >= start), None)


def _ks5_start(year_groups: list[tuple[int, int]]) -> date | None:
    """When the pupil's Year 12 starts, by their latest recorded year group."""
    if not year_groups:
        return None
    from_year, year_group = max(year_groups)
    return ks5_window_start(year_group, AcademicYear(from_year))


def milestones_of(encounters: Iterable[tuple], year_groups: list[tuple[int, int]]) -> tuple:
    """Milestone dates from a pupil's counted encounters (occurred_on, kind, category), oldest
    first."""
    by_category: dict[str, list[date]] = defaultdict(list)
    for occurred_on, kind, category in encounters:
        by_category[category].append(occurred_on)
        if kind == "university_visit":
            by_category["university"].append(occurred_on)
    start = _ks5_start(year_groups)
    workplace, guidance = by_category["workplace"], by_category["guidance"]
    return (
        _nth(workplace, 1),
        _nth(workplace, 2),
        _nth(by_category["fe"], 1),
        _nth(by_category["he"], 1),
        _nth(by_category["university"], 2),
        _nth(guidance, 1),
        start,
        _first_from(workplace, start),
        _first_from(guidance, start),
    )


def employer_dates_of(encounters: Iterable[tuple]) -> dict[int, list[date]]:
    """The first two meaningful employer encounters in each academic year."""
    by_year: dict[int, list[date]] = defaultdict(list)
    for occurred_on, year, category in encounters:
        if category == "employer" and len(by_year[year]) < 2:
            by_year[year].append(occurred_on)
    return by_year


LATEST_EMPLOYER_YEAR = (
    "employer_year"  # a tracking row: no pupil's latest employer year is after it
)

# Rows of one table for one pupil, by key: the values, and the position they are current from.
Versions = dict[tuple, tuple[tuple, int]]
_MILESTONE_KEY = (0, 2)  # upn, enrolled_on
_EMPLOYER_KEY = (0, 1)  # upn, academic_year


def rewrite_milestones(page: Page) -> set[str]:
    """Rewrite the milestone rows of the pupils a page touched; returns the schools they are on roll
    at.

    Each pupil gets a version of their rows at every position in the page that touched them (the
    views as known at any position are then what a page ending there would leave: docs/time.md),
    and a version is kept only where the rows differ from the one before, so where pages happened
    to end never shows. Changed pupils are recomputed from every counted encounter they have at
    each of those positions. Pupils whose only change is new encounters (position, (occurred_on,
    year, kind, category)) are extended instead: every milestone is the first or second date of
    its kind, or the first on or after a date, and the first two of a longer list are the first two
    of the old first two and the new dates. So their stored dates stand in for the encounters they
    came from, and a pupil who has sat through a hundred talks costs what one who has sat through
    two does. A pupil with no row yet, or who gained a university visit (the row keeps only the
    second), is recomputed after all.
    """
    changed, added = page.dirty_upns, page.added
    upns = sorted(changed | added.keys())
    if not upns:
        return set()
    stored = _stored(page, upns)
    from_history = changed | {
        upn
        for upn, new in added.items()
        if upn not in stored[0] or any(enc[2] == "university_visit" for _, enc in new)
    }
    since = min((min(at) for at in page.touched.values() if at), default=0)
    encounters = _versions_of(page, "encounters", _ENCOUNTER, sorted(from_history), since)
    year_groups = _versions_of(page, "year_groups", "from_year, year_group", upns, since)
    enrolments = _versions_of(page, "enrolments", "school_urn, enrolled_on, left_on", upns, since)
    rewritten: list[tuple[str, Versions, Versions, list, list]] = []
    latest_year = 0
    for upn in upns:
        at = (
            _encounters_at(encounters, upn)
            if upn in from_history
            else _extended(stored, added, upn)
        )
        milestones, employer, history, employer_history, year = _versions(
            upn,
            sorted(set(page.touched.get(upn, ()))),
            at,
            year_groups[upn],
            enrolments[upn],
            stored,
        )
        latest_year = max(latest_year, year)
        if (
            history
            or employer_history
            or milestones != stored[0].get(upn, {})
            or (employer != stored[1].get(upn, {}))
        ):
            rewritten.append((upn, milestones, employer, history, employer_history))
    _write(page, rewritten, latest_year)
    return {row[0] for versions in enrolments.values() for row, _on, _until in versions}


_ENCOUNTER = "occurred_on, academic_year, kind, category"


def _stored(page: Page, upns: list[str]) -> tuple[dict[str, Versions], dict[str, Versions]]:
    """The pupils' current milestone and employer rows, by key, with the position of each."""
    stored: tuple[dict[str, Versions], dict[str, Versions]] = (defaultdict(dict), defaultdict(dict))
    for table, key, dates, found in (
        ("milestones", _MILESTONE_KEY, _MILESTONE_DATES, stored[0]),
        ("employer_dates", _EMPLOYER_KEY, _EMPLOYER_DATES, stored[1]),
    ):
        for *row, vfrom in page.read_in(f"SELECT * FROM {{{table}}} WHERE upn IN ({{in}})", upns):
            values = _as_computed(row, dates)
            found[row[0]][tuple(values[i] for i in key)] = (values, vfrom)
    return dict(stored[0]), dict(stored[1])


def _versions_of(
    page: Page, table: str, columns: str, upns: list[str], since: int
) -> dict[str, list[tuple[tuple, int, int | None]]]:
    """Each pupil's rows of `table` that were current at any position from `since` on: (values,
    vfrom, vuntil), vuntil None for the current ones. Encounters only where counted."""
    counted = "counts = 1 AND " if table == "encounters" else ""
    found: dict[str, list] = defaultdict(list)
    if not upns:
        return found
    for upn, *values, vfrom, vuntil in page.read_in(
        f"SELECT upn, {columns}, vfrom, NULL FROM {{{table}}} WHERE {counted}upn IN ({{in}}) "
        f"UNION ALL SELECT upn, {columns}, vfrom, vuntil FROM {{{table}{HISTORY}}} "
        f"WHERE {counted}vuntil > :since AND upn IN ({{in}})",
        upns,
        {"since": since},
    ):
        found[upn].append((tuple(values), vfrom, vuntil))
    return found


def _current_at(versions: list[tuple[tuple, int, int | None]], position: int) -> list[tuple]:
    return [
        values
        for values, vfrom, vuntil in versions
        if vfrom <= position and (vuntil is None or position < vuntil)
    ]


def _encounters_at(encounters: dict, upn: str):
    """The pupil's counted encounters (occurred_on, year, kind, category) at a position, oldest
    first."""
    return lambda position: sorted(
        (
            (_as_date(on), year, kind, category)
            for on, year, kind, category in _current_at(encounters.get(upn, []), position)
        ),
        key=_occurred_on,
    )


def _extended(stored: tuple, added: dict, upn: str):
    """Encounters standing in for the pupil's history, with those gained up to a position."""
    stand_ins = _stand_ins(stored, upn)
    return lambda position: sorted(
        stand_ins + [new for at, new in added[upn] if at <= position], key=_occurred_on
    )


def _stand_ins(stored: tuple, upn: str) -> list[tuple]:
    """Encounters (occurred_on, year, kind, category) that give the same milestones and employer
    dates as the pupil's whole history does."""
    # A pupil's rows (one per enrolment) hold the same dates. Workplace visits have a second, so
    # each stands in once: the first after Year 12 starts is another visit only if later than
    # the second. The second university visit stands in twice: it is still the second, and the
    # first higher-education encounter is no later.
    row = next(iter(stored[0][upn].values()))[0]
    w1, w2, fe_1, he_1, university_2, g1, _ks5, w_ks5, g_ks5 = row[4:13]
    w_ks5 = w_ks5 if w2 is not None and w_ks5 is not None and w_ks5 > w2 else None
    stand_ins = [
        (_as_date(on), None, kind, category)
        for on, kind, category in (
            (w1, "workplace", "workplace"),
            (w2, "workplace", "workplace"),
            (w_ks5, "workplace", "workplace"),
            (g1, "guidance", "guidance"),
            (g_ks5, "guidance", "guidance"),
            (fe_1, "fe", "fe"),
            (he_1, "he", "he"),
            (university_2, "university_visit", "he"),
            (university_2, "university_visit", "he"),
        )
        if on is not None
    ]
    for (_upn, year, *dates), _vfrom in stored[1].get(upn, {}).values():
        stand_ins.extend((_as_date(on), year, "employer", "employer") for on in dates if on)
    return stand_ins


def _versions(upn: str, positions: list[int], encounters_at, year_groups, enrolments, stored):
    """The pupil's milestone and employer rows after the last of `positions`, the versions each
    of them ended (values, vfrom, vuntil), and their latest employer year."""
    milestones: Versions = dict(stored[0].get(upn, {}))
    employer: Versions = dict(stored[1].get(upn, {}))
    history: list[tuple] = []
    employer_history: list[tuple] = []
    latest_year = 0
    for position in positions:
        rows, employer_rows, year = _rows_at(
            upn,
            encounters_at(position),
            _current_at(year_groups, position),
            _current_at(enrolments, position),
        )
        latest_year = max(latest_year, year)
        history += _replace(milestones, rows, _MILESTONE_KEY, position)
        employer_history += _replace(employer, employer_rows, _EMPLOYER_KEY, position)
    return milestones, employer, history, employer_history, latest_year


def _replace(current: Versions, rows: list[tuple], key: tuple[int, ...], position: int) -> list:
    """Make `rows` the current ones at `position`; returns the versions that ends."""
    wanted = {tuple(row[i] for i in key): row for row in rows}
    ended = []
    for row_key in set(current) | set(wanted):
        held, new = current.get(row_key), wanted.get(row_key)
        if held is not None and held[0] == new:
            continue
        if held is not None:
            ended.append((*held[0], held[1], position))
            del current[row_key]
        if new is not None:
            current[row_key] = (new, position)
    return ended


def _rows_at(upn: str, encounters: list[tuple], year_groups: list, enrolments: list) -> tuple:
    """The pupil's milestone rows (one per enrolment) and employer rows from what was current at a
    position, and their latest employer year."""
    by_year = employer_dates_of((d, y, c) for d, y, _, c in encounters)
    employer_rows = [(upn, year, dates[0], _nth(dates, 2)) for year, dates in by_year.items()]
    employer = _latest(by_year)
    if not year_groups:  # a pupil with no year group is in no school's figures
        return [], employer_rows, employer[0] or 0
    dates = milestones_of(((d, k, c) for d, _, k, c in encounters), year_groups)
    rows = [(upn, *enrolment, *dates, *max(year_groups), *employer) for enrolment in enrolments]
    return rows, employer_rows, employer[0] or 0


# The columns computed as dates (the others are copied from the rows they came from, as read):
# the stored rows' are read back as dates too, so a stored row and a computed one compare equal.
_MILESTONE_DATES = frozenset((*range(4, 13), 16, 17))
_EMPLOYER_DATES = frozenset((2, 3))


def _as_computed(row: list, dates: frozenset[int]) -> tuple:
    return tuple(
        _as_date(value) if at in dates and value is not None else value
        for at, value in enumerate(row)
    )


def _write(page: Page, rewritten: list, latest_year: int) -> None:
    """Replace the rewritten pupils' current rows, and keep the versions they ended."""
    upns = [upn for upn, *_ in rewritten]
    if upns:
        page.delete_among("milestones", "upn", upns)
        page.delete_among("employer_dates", "upn", upns)
    for table, at in (("milestones", 1), ("employer_dates", 2)):
        page.insert(
            table,
            [(*values, vfrom) for item in rewritten for values, vfrom in item[at].values()],
        )
        page.insert(table + HISTORY, [row for item in rewritten for row in item[at + 2]])
    # Only ever raised: a year too late makes readers take the slower general query, never a wrong
    # one.
    page.upsert_greatest("tracking", ("name",), [(LATEST_EMPLOYER_YEAR, latest_year)])
    page.flush()


def _latest(employer_years: dict[int, list[date]]) -> tuple:
    """The latest academic year with a counted employer encounter, and its first two dates."""
    if not employer_years:
        return None, None, None
    year = max(employer_years)
    return year, employer_years[year][0], _nth(employer_years[year], 2)
