"""Each pupil's milestone dates: when they first met each count, so a figure on any date is a
comparison."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from operator import itemgetter
from typing import Any

from projections.milestone_tally import Tally, ks5_start
from projections.page import Page
from projections.tables import HISTORY


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


LATEST_EMPLOYER_YEAR = (
    "employer_year"  # a tracking row: no pupil's latest employer year is after it
)

# Rows of one table for one pupil, by key: the values, and the position they are current from.
Versions = dict[tuple, tuple[tuple, int]]
_MILESTONE_KEY = itemgetter(0, 2)  # upn, enrolled_on
_EMPLOYER_KEY = itemgetter(0, 1)  # upn, academic_year


def rewrite_milestones(page: Page) -> set[str]:
    """Rewrite the milestone rows of the pupils a page touched; returns the schools they are on roll
    at.

    Each pupil gets a version of their rows at every position in the page that touched them (the
    views as known at any position are then what a page ending there would leave: docs/time.md),
    and a version is kept only where the rows differ from the one before, so where pages happened
    to end never shows. Pupils whose encounters were changed or ended are counted from every counted
    encounter they have at their first position, then tallied on from one position to the next
    (`milestone_tally.Tally`). Pupils who only gained encounters (position, (occurred_on, year,
    kind, category)) or moved on the roll are extended instead: every milestone is the first or
    second date of its kind, or the first on or after a date, and the first two of a longer list
    are the first two of the old first two and the new dates. So their stored dates stand in for
    the encounters they came from, and a pupil who has sat through a hundred talks costs what one
    who has sat through two does; where they cannot (`_extends`) the pupil is recomputed after
    all. A pupil who only gained encounters all no earlier than the stored dates they could move
    changes no row (`_changes_nothing`), and is not tallied at all.
    """
    changed, rolled, added = page.dirty_upns, page.rolled, page.added
    upns = sorted(changed | rolled | added.keys())
    if not upns:
        return set()
    rows = _stored(page, "milestones", upns)
    university = {
        upn for upn, new in added.items() if any(enc[2] == "university_visit" for _, enc in new)
    }
    rewritten_anyway = changed | rolled | university
    unmoved = {
        upn
        for upn in upns
        if upn in rows
        and upn not in rewritten_anyway
        and _changes_nothing(_one_row(rows[upn]), added[upn])
    }
    # The schools an unmoved pupil is on roll at are their stored rows' (one an enrolment, and any
    # change of enrolment rewrites the pupil), so nothing else of theirs is read: in a live page
    # recording talks, three of its four reads were for pupils skipped here.
    schools = {values[1] for upn in unmoved for values, _vfrom in rows[upn].values()}
    upns = [upn for upn in upns if upn not in unmoved]
    stored = rows, _stored(page, "employer_dates", upns)
    since = min((min(page.touched[upn]) for upn in upns if page.touched.get(upn)), default=0)
    year_groups = _versions_of(page, "year_groups", "from_year, year_group", upns, since)
    enrolments = _versions_of(page, "enrolments", "school_urn, enrolled_on, left_on", upns, since)
    from_history = changed | {
        upn
        for upn in upns
        if upn not in changed and not _extends(upn, stored, university, year_groups[upn], page)
    }
    encounters = _versions_of(page, "encounters", _ENCOUNTER, sorted(from_history), since)
    rewritten: list[tuple[str, Versions, Versions, list, list]] = []
    latest_year = 0
    for upn in upns:
        at = (
            _FromHistory(encounters.get(upn, []))
            if upn in from_history
            else _Extended(_stand_ins(stored, upn), added.get(upn, []))
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
    return schools | {row[0] for versions in enrolments.values() for row, _on, _until in versions}


_ENCOUNTER = "occurred_on, academic_year, kind, category"


def _extends(upn: str, stored: tuple, university: set[str], year_groups: list, page: Page) -> bool:
    """Whether the pupil's stored dates and the encounters the page added stand in for their whole
    history at every position the page touched them (their encounters were not changed or ended
    there: those pupils are `page.dirty_upns`). A pupil with no row has no encounters before the
    page (an encounter needs a place on roll, and a place on roll a year group, so a row). One with
    a row needs the day Year 12 starts where the row has it (the row's dates from that day come
    from it) and no university visit gained (the row keeps only the second).

    Reading back every encounter of a pupil the page rewrote was the largest of a catch-up's reads:
    a pupil enrolled in a page, or moved up a year, was recomputed from the encounters the page had
    just written, or from every encounter they ever had."""
    if upn not in stored[0]:
        return upn not in stored[1]
    if upn in university:
        return False
    held = _one_row(stored[0][upn])[_KS5_START]
    held = _as_date(held) if held is not None else None
    return all(
        ks5_start(_current_at(year_groups, position)) == held
        for position in page.touched.get(upn, ())
    )


def _stored(page: Page, table: str, upns: list[str]) -> dict[str, Versions]:
    """The pupils' current rows of `table` (milestones or employer dates), by key, with the
    position of each."""
    found: dict[str, Versions] = defaultdict(dict)
    if not upns:
        return found
    key, dates = _STORED[table]
    as_text = page.store.dates_as_text
    for *row, vfrom in page.read_in(f"SELECT * FROM {{{table}}} WHERE upn IN ({{in}})", upns):
        # PostgreSQL's dates arrive as dates: converting each column was a tenth of a live page's
        # CPU (thirty pupils a record).
        values = _as_computed(row, dates) if as_text else tuple(row)
        found[row[0]][key(values)] = (values, vfrom)
    return dict(found)


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


class _FromHistory:
    """A pupil's counted encounters from the versions of their rows."""

    def __init__(self, versions: list[tuple[tuple, int, int | None]]):
        self.versions = versions

    def at(self, position: int) -> list[tuple]:
        """Every one current at `position` (occurred_on, year, kind, category)."""
        return [(_as_date(on), *rest) for on, *rest in _current_at(self.versions, position)]

    def gained(self, since: int, position: int) -> list[tuple] | None:
        """Those that began after `since` up to `position`; None if any ended then."""
        if any(until is not None and since < until <= position for _, _, until in self.versions):
            return None
        return [
            (_as_date(on), *rest)
            for (on, *rest), vfrom, _ in self.versions
            if since < vfrom <= position
        ]


class _Extended:
    """Encounters standing in for a pupil's history, and those the page added (position,
    encounter)."""

    def __init__(self, stand_ins: list[tuple], added: list[tuple[int, tuple]]):
        self.stand_ins, self.added = stand_ins, added

    def at(self, position: int) -> list[tuple]:
        return self.stand_ins + [new for at, new in self.added if at <= position]

    def gained(self, since: int, position: int) -> list[tuple]:
        return [new for at, new in self.added if since < at <= position]


# Where a pupil's milestone row keeps, for each category, the date a later encounter cannot move
# (the second workplace date: the row holds the first two; the first of the others), and for
# workplace and guidance the first on or after the day Year 12 starts (the row's column 10).
_LAST_MOVABLE = {"workplace": 5, "fe": 6, "he": 7, "guidance": 9}
_FROM_KS5 = {"workplace": 11, "guidance": 12}
_KS5_START = 10
_EMPLOYER_YEAR, _EMPLOYER_SECOND = 15, 17


def _one_row(versions: Versions) -> tuple:
    """One of a pupil's milestone rows: they hold the same dates, one row an enrolment."""
    return next(iter(versions.values()))[0]


def _changes_nothing(row: tuple, added: list[tuple[int, tuple]]) -> bool:
    """Whether no encounter the pupil gained can move a date of their milestone `row`: each is on or
    after the date of its kind that a later one leaves alone (for employer encounters the second of
    the row's year, the latest; the second workplace date; the first of the others), and, if on or
    after the day Year 12 starts, on or after the first of its kind from that day. Most of a
    pupil's talks in a year are such ones: a live page recording an activity for thirty pupils
    spent a quarter of its CPU tallying them to find their rows unchanged. (Pupils who gained a
    university visit are recomputed from their history before this is asked; the test for one
    here keeps it so if that changes.)"""
    for _position, (occurred_on, year, kind, category) in added:
        on = _as_date(occurred_on)
        if kind == "university_visit":
            return False
        if category == "employer":
            # The row keeps the latest year's first two; an earlier year's are not read for this
            # (a talk back-dated into a past year is rare): its pupil is recomputed.
            if year != row[_EMPLOYER_YEAR]:
                return False
            later_than = row[_EMPLOYER_SECOND]
        elif category in _LAST_MOVABLE:
            later_than = row[_LAST_MOVABLE[category]]
        else:
            return False
        if later_than is None or on < _as_date(later_than):
            return False
        if category in _FROM_KS5 and row[_KS5_START] is not None:
            first_from_ks5 = row[_FROM_KS5[category]]
            if on >= _as_date(row[_KS5_START]) and (
                first_from_ks5 is None or on < _as_date(first_from_ks5)
            ):
                return False
    return True


def _stand_ins(stored: tuple, upn: str) -> list[tuple]:
    """Encounters (occurred_on, year, kind, category) that give the same milestones and employer
    dates as the pupil's whole history does."""
    # A pupil's rows (one per enrolment) hold the same dates. Workplace visits have a second, so
    # each stands in once: the first after Year 12 starts is another visit only if later than
    # the second. The second university visit stands in twice: it is still the second, and the
    # first higher-education encounter is no later.
    if upn not in stored[0]:
        return []  # nothing before the page (`_extends`)
    row = _one_row(stored[0][upn])
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


def _versions(upn: str, positions: list[int], encounters, year_groups, enrolments, stored):
    """The pupil's milestone and employer rows after the last of `positions`, the versions each
    of them ended (values, vfrom, vuntil), and their latest employer year. Each position's rows
    come from the tally of the one before and the encounters it added; the tally is begun again
    where an encounter ended or the day Year 12 starts moved."""
    milestones: Versions = dict(stored[0].get(upn, {}))
    employer: Versions = dict(stored[1].get(upn, {}))
    history: list[tuple] = []
    employer_history: list[tuple] = []
    latest_year, tally, since = 0, None, 0
    for position in positions:
        now_in = _current_at(year_groups, position)
        start = ks5_start(now_in)
        gained = (
            encounters.gained(since, position)
            if tally is not None and tally.start == start
            else None
        )
        if gained is None:
            tally = Tally(start, encounters.at(position))
        else:
            tally.add(gained)
        since = position
        rows, employer_rows, year = tally.rows(upn, now_in, _current_at(enrolments, position))
        latest_year = max(latest_year, year)
        history += _replace(milestones, rows, _MILESTONE_KEY, position)
        employer_history += _replace(employer, employer_rows, _EMPLOYER_KEY, position)
    return milestones, employer, history, employer_history, latest_year


def _replace(current: Versions, rows: list[tuple], key: itemgetter, position: int) -> list:
    """Make `rows` the current ones at `position`; returns the versions that ends."""
    # Asked for every pupil at every position that touched them: most find their rows unchanged.
    wanted = {key(row): row for row in rows}
    ended = []
    for row_key, (values, since) in list(current.items()):
        new = wanted.pop(row_key, None)
        if values == new:
            continue
        ended.append((*values, since, position))
        if new is None:
            del current[row_key]
        else:
            current[row_key] = (new, position)
    for row_key, new in wanted.items():
        current[row_key] = (new, position)
    return ended


# The columns computed as dates (the others are copied from the rows they came from, as read):
# the stored rows' are read back as dates too, so a stored row and a computed one compare equal.
_MILESTONE_DATES = frozenset((*range(4, 13), 16, 17))
_EMPLOYER_DATES = frozenset((2, 3))
_STORED = {
    "milestones": (_MILESTONE_KEY, _MILESTONE_DATES),
    "employer_dates": (_EMPLOYER_KEY, _EMPLOYER_DATES),
}


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
