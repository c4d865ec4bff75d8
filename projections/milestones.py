"""Each pupil's milestone dates: when they first met each count, so a figure on any date is a
comparison."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from projections.page import Page
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


def rewrite_milestones(page: Page, changed: set[str], added: dict[str, list[tuple]]) -> set[str]:
    """Rewrite the milestone rows of the pupils a page touched; returns the schools they are on roll
    at.

    `changed` pupils are recomputed from every counted encounter they have. Pupils in `added` whose
    only change is new encounters (occurred_on, year, kind, category) are extended instead: every
    milestone is the first or second date of its kind, or the first on or after a date, and the
    first two of a longer list are the first two of the old first two and the new dates. So their
    stored dates stand in for the encounters they came from, and a pupil who has sat through a
    hundred talks costs what one who has sat through two does. A pupil with no row yet, or who
    gained a university visit (the row keeps only the second), is recomputed after all.
    """
    extended = {upn: new for upn, new in added.items() if upn not in changed}
    stand_ins = _stand_ins(page, sorted(extended)) if extended else {}
    from_history = changed | {
        upn
        for upn, new in extended.items()
        if upn not in stand_ins or any(kind == "university_visit" for _, _, kind, _ in new)
    }
    encounters = _counted_encounters(page, sorted(from_history)) if from_history else {}
    for upn, new in extended.items():
        if upn not in from_history:
            encounters[upn] = sorted(stand_ins[upn] + new, key=_occurred_on)
    upns = sorted(from_history | extended.keys())
    return _rewrite(page, upns, encounters) if upns else set()


def _counted_encounters(page: Page, upns: list[str]) -> dict[str, list[tuple]]:
    encounters: dict[str, list[tuple]] = defaultdict(list)
    for upn, occurred_on, year, kind, category in page.read_in(
        "SELECT upn, occurred_on, academic_year, kind, category FROM {encounters} "
        "WHERE counts = 1 AND upn IN ({in}) ORDER BY upn, occurred_on",
        upns,
    ):
        encounters[upn].append((_as_date(occurred_on), year, kind, category))
    return encounters


def _stand_ins(page: Page, upns: list[str]) -> dict[str, list[tuple]]:
    """For each pupil with a milestone row, encounters (occurred_on, year, kind, category) that give
    the same milestones and employer dates as their whole history does."""
    stand_ins: dict[str, list[tuple]] = {}
    for upn, w1, w2, w_ks5, g1, g_ks5, fe_1, he_1, university_2 in page.read_in(
        "SELECT upn, workplace_1, workplace_2, workplace_ks5, guidance_1, guidance_ks5, fe_1, "
        "he_1, university_2 FROM {milestones} WHERE upn IN ({in})",
        upns,
    ):
        # A pupil's rows (one per enrolment) hold the same dates. Workplace visits have a second, so
        # each stands in once: the first after Year 12 starts is another visit only if later than
        # the second. The second university visit stands in twice: it is still the second, and the
        # first higher-education encounter is no later.
        w_ks5 = (
            w_ks5
            if w2 is not None and w_ks5 is not None and _as_date(w_ks5) > _as_date(w2)
            else None
        )
        stand_ins[upn] = [
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
    for upn, year, *dates in page.read_in(
        "SELECT upn, academic_year, first_on, second_on FROM {employer_dates} WHERE upn IN ({in})",
        upns,
    ):
        if upn in stand_ins:
            stand_ins[upn].extend(
                (_as_date(on), year, "employer", "employer") for on in dates if on is not None
            )
    return stand_ins


def _rewrite(page: Page, upns: list[str], encounters: dict[str, list[tuple]]) -> set[str]:
    year_groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for upn, from_year, year_group in page.read_in(
        "SELECT upn, from_year, year_group FROM {year_groups} WHERE upn IN ({in})", upns
    ):
        year_groups[upn].append((from_year, year_group))
    enrolments: dict[str, list[tuple]] = defaultdict(list)
    for upn, *enrolment in page.read_in(
        "SELECT upn, school_urn, enrolled_on, left_on FROM {enrolments} WHERE upn IN ({in})", upns
    ):
        enrolments[upn].append(enrolment)
    _write(page, upns, encounters, year_groups, enrolments)
    return {enrolment[0] for rows in enrolments.values() for enrolment in rows}


def _write(
    page: Page, upns: list[str], encounters: dict, year_groups: dict, enrolments: dict
) -> None:
    page.delete_among("milestones", "upn", upns)
    page.delete_among("employer_dates", "upn", upns)
    employer_years = {
        upn: employer_dates_of((d, y, c) for d, y, _, c in rows) for upn, rows in encounters.items()
    }
    page.insert(
        "employer_dates",
        [
            (upn, year, dates[0], _nth(dates, 2))
            for upn, by_year in employer_years.items()
            for year, dates in by_year.items()
        ],
    )
    latest_year = 0
    for upn, groups in year_groups.items():  # a pupil with no year group is in no school's figures
        dates = milestones_of(((d, k, c) for d, _, k, c in encounters.get(upn, [])), groups)
        employer = _latest(employer_years.get(upn, {}))
        latest_year = max(latest_year, employer[0] or 0)
        page.insert(
            "milestones",
            [
                (upn, *enrolment, *dates, *max(groups), *employer)
                for enrolment in enrolments.get(upn, ())
            ],
        )
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
