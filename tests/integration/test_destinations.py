"""Leavers' destinations on every store: at leaving, followed up later, reported by cohort as known
on a date."""

from __future__ import annotations

from datetime import date

import pytest

from projections.queries import Reads
from projections.runner import Runner
from projections.store import view_store_for
from tests.integration.test_years import ELEVEN_SIXTEEN, Clock, upn
from tests.scenarios import ADMIN
from tracker.application import Tracker
from tracker.calendar import AcademicYear
from tracker.errors import InvalidValue, OutOfOrder

COHORT = AcademicYear(2018)
LEAVERS = [upn(ELEVEN_SIXTEEN, n) for n in range(1, 5)]


@pytest.fixture
def cohort(database_url):
    """Four Year 11s of an 11-16 school, who leave at the rollover into 2019/20 with no destination
    known."""
    clock = Clock(date(2019, 7, 15))
    app = Tracker.from_url(database_url, today=clock)
    app.register_school(
        ELEVEN_SIXTEEN, "Eleven to sixteen", "secondary", "885", "8859001", caller=ADMIN
    )
    for pupil in LEAVERS:
        app.enrol_pupil(
            ELEVEN_SIXTEEN,
            pupil,
            "Pat",
            "Pupil",
            date(2003, 1, 15),
            11,
            date(2018, 9, 3),
            caller=ADMIN,
        )
    clock.today = date(2019, 9, 2)
    app.roll_over(ELEVEN_SIXTEEN, "2019/20", caller=ADMIN)
    store = view_store_for(database_url)
    store.create_tables()
    yield app, store, clock
    store.close()


def report(app, store, as_of: date, cohort: AcademicYear = COHORT) -> dict:
    Runner(app, store).catch_up()
    found = Reads(app, store).destinations([ELEVEN_SIXTEEN], cohort, as_of, with_leavers=True)
    counted = {
        row["destination"]: (row["count"], row["share"])
        for row in found["destinations"]
        if row["count"]
    }
    return {
        "leavers": found["leavers"],
        "counted": counted,
        "unknown": found["unknown"],
        "not_followed_up": found["not_followed_up"],
        "follow_ups": found["follow_ups"],
    }


def test_destinations_are_counted_by_cohort_as_known_on_each_date(cohort):
    app, store, clock = cohort
    clock.today = date(2019, 11, 1)
    for pupil, where, on in (
        (LEAVERS[0], "fe_college", date(2019, 9, 10)),
        (LEAVERS[1], "apprenticeship", date(2019, 9, 20)),
        (LEAVERS[2], "school_sixth_form", date(2019, 10, 5)),
        (LEAVERS[3], "neet", date(2019, 11, 1)),
    ):
        app.record_destination(ELEVEN_SIXTEEN, pupil, where, on, caller=ADMIN)
    october = report(app, store, date(2019, 10, 15))
    assert october["leavers"] == 4
    assert october["counted"] == {
        "fe_college": (1, 25.0),
        "apprenticeship": (1, 25.0),
        "school_sixth_form": (1, 25.0),
        "unknown": (1, 25.0),
    }
    # Only the one asked since 1 October is followed up; the others are due again.
    assert (october["unknown"], october["not_followed_up"]) == (1, 3)
    november = report(app, store, date(2019, 11, 2))
    assert (november["unknown"], november["not_followed_up"], november["counted"]["neet"]) == (
        0,
        2,
        (1, 25.0),
    )
    first = next(row for row in november["follow_ups"] if row["upn"] == LEAVERS[0])
    assert first == {
        "upn": LEAVERS[0],
        "left_on": "2019-08-31",
        "destination": "fe_college",
        "recorded_on": "2019-09-10",
        "followed_up": False,
        "next_follow_up": "2020-08-31",
    }


def test_a_year_on_a_changed_destination_replaces_the_first_and_counts_as_followed_up(cohort):
    app, store, clock = cohort
    clock.today = date(2020, 9, 5)
    app.record_destination(
        ELEVEN_SIXTEEN, LEAVERS[0], "fe_college", date(2019, 10, 2), caller=ADMIN
    )
    app.record_destination(
        ELEVEN_SIXTEEN, LEAVERS[0], "apprenticeship", date(2020, 9, 5), caller=ADMIN
    )
    head = app.recorder.max_notification_id()
    app.record_destination(
        ELEVEN_SIXTEEN, LEAVERS[0], "apprenticeship", date(2020, 9, 5), caller=ADMIN
    )
    assert app.recorder.max_notification_id() == head  # the same word again stores nothing
    year_on = report(app, store, date(2020, 9, 10))
    assert year_on["counted"] == {"apprenticeship": (1, 25.0), "unknown": (3, 75.0)}
    assert year_on["not_followed_up"] == 3
    assert report(app, store, date(2019, 12, 1))["counted"]["fe_college"] == (1, 25.0)
    assert report(app, store, date(2020, 9, 10), AcademicYear(2019))["leavers"] == 0


def test_a_destination_for_a_pupil_still_on_roll_or_outside_the_list_is_refused(cohort):
    app, _store, _clock = cohort
    app.enrol_pupil(
        ELEVEN_SIXTEEN,
        upn(ELEVEN_SIXTEEN, 9),
        "Sam",
        "Pupil",
        date(2008, 1, 15),
        7,
        date(2019, 9, 2),
        caller=ADMIN,
    )
    with pytest.raises(OutOfOrder, match="has not left"):
        app.record_destination(ELEVEN_SIXTEEN, upn(ELEVEN_SIXTEEN, 9), "fe_college", caller=ADMIN)
    with pytest.raises(InvalidValue, match="destination"):
        app.record_destination(ELEVEN_SIXTEEN, LEAVERS[0], "the moon", caller=ADMIN)
    with pytest.raises(OutOfOrder, match="before leaving"):
        app.record_destination(
            ELEVEN_SIXTEEN, LEAVERS[0], "fe_college", date(2019, 8, 1), caller=ADMIN
        )
