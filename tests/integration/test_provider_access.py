"""The provider access duty per phase: pupils who transfer keep their encounters, the year
rollover moves pupils on a phase, and a school with no sixth form has no Years 12-13 duty."""

from __future__ import annotations

from datetime import date

import pytest

from projections import provider_access
from projections.runner import Runner
from projections.store import view_store_for
from tests.scenarios import ADMIN
from tracker.application import Tracker
from tracker.calendar import AcademicYear

TODAY = date(2020, 7, 15)
SIXTH_FORM, NO_SIXTH_FORM = "900001", "900002"
PROVIDER = {"name": "Northern College", "type": "fe_college"}
UPNS = {  # name: (UPN, school, year group in 2018/19)
    "q8": ("R885400112001", SIXTH_FORM, 8),
    "q9": ("F885400112002", SIXTH_FORM, 9),
    "q11": ("V885400112003", SIXTH_FORM, 11),
    "q12": ("J885400112004", SIXTH_FORM, 12),
    "r9": ("A885400212001", NO_SIXTH_FORM, 9),
}
Y2018, Y2019 = AcademicYear(2018), AcademicYear(2019)


@pytest.fixture
def world(database_url):
    app = Tracker.from_url(database_url, today=lambda: TODAY)
    app.register_school(
        SIXTH_FORM, "Sixth Form School", "secondary", "885", "8854001", 7, 13, caller=ADMIN
    )
    app.register_school(NO_SIXTH_FORM, "Eleven School", "secondary", "885", "8854002", caller=ADMIN)
    for name, (upn, urn, group) in UPNS.items():
        born = date(2018 - (group + 4), 1, 15)
        app.enrol_pupil(
            urn, upn, name.upper(), "Pupil", born, group, date(2018, 9, 3), caller=ADMIN
        )
    store = view_store_for(database_url)
    store.create_tables()
    yield app, store, Runner(app, store)
    store.close()


def encounter(app, urn, kind, on, names):
    upns = [UPNS[name][0] for name in names]
    return app.record_activity(
        urn, kind, f"{kind} {on}", on, upns, provider=PROVIDER, meaningful=True
    ).id


def phases(world, urn, year, as_of):
    app, store, runner = world
    runner.catch_up()
    report = provider_access.provider_access(store, urn, year, as_of)
    return {p.phase: p for p in report.phases}


def test_two_encounters_in_years_8_9_for_every_year_9_meets_that_phase(world):
    app = world[0]
    encounter(app, SIXTH_FORM, "fe_encounter", date(2018, 10, 1), ["q8", "q9", "q11"])
    encounter(app, SIXTH_FORM, "apprenticeship_encounter", date(2019, 2, 1), ["q9", "q11"])
    got = phases(world, SIXTH_FORM, Y2018, date(2019, 7, 1))
    assert (got["8-9"].pupils, got["8-9"].pupils_with_two, got["8-9"].met) == (2, 1, True)
    assert (got["10-11"].final_year_with_two, got["10-11"].met) == (1, True)
    assert phases(world, SIXTH_FORM, Y2018, date(2019, 1, 1))["8-9"].met is False


def test_a_pupil_who_transferred_keeps_the_encounter_from_their_previous_school(world):
    app = world[0]
    encounter(app, NO_SIXTH_FORM, "fe_encounter", date(2018, 10, 1), ["r9"])
    app.record_leaving(NO_SIXTH_FORM, UPNS["r9"][0], date(2019, 1, 9), "moved_away", caller=ADMIN)
    born = date(2005, 1, 15)
    app.enrol_pupil(
        SIXTH_FORM, UPNS["r9"][0], "R9", "Pupil", born, 9, date(2019, 1, 10), caller=ADMIN
    )
    encounter(app, SIXTH_FORM, "fe_encounter", date(2018, 10, 2), ["q9"])
    encounter(app, SIXTH_FORM, "apprenticeship_encounter", date(2019, 2, 1), ["q9", "r9"])
    got = phases(world, SIXTH_FORM, Y2018, date(2019, 7, 1))["8-9"]
    assert (got.final_year_pupils, got.final_year_with_two, got.met) == (2, 2, True)
    left_behind = phases(world, NO_SIXTH_FORM, Y2018, date(2019, 7, 1))["8-9"]
    assert (left_behind.final_year_pupils, left_behind.met) == (0, None)


def test_after_the_rollover_a_year_8_encounter_counts_for_the_same_pupil_in_year_9(world):
    app = world[0]
    encounter(app, SIXTH_FORM, "fe_encounter", date(2019, 6, 1), ["q8"])
    assert phases(world, SIXTH_FORM, Y2019, date(2019, 10, 1))["8-9"].met is False
    encounter(app, SIXTH_FORM, "fe_encounter", date(2019, 11, 1), ["q8"])
    got = phases(world, SIXTH_FORM, Y2019, date(2019, 12, 1))["8-9"]
    assert (got.final_year_pupils, got.final_year_with_two, got.met) == (1, 1, True)


def test_years_12_13_are_met_by_two_encounters_offered_to_the_year_group(world):
    app = world[0]
    first = encounter(app, SIXTH_FORM, "fe_encounter", date(2018, 11, 1), ["q12"])
    second = encounter(app, SIXTH_FORM, "apprenticeship_encounter", date(2019, 3, 1), ["q12"])
    app.offer_activity(first, [12, 13])
    assert phases(world, SIXTH_FORM, Y2018, date(2019, 7, 1))["12-13"].met is False
    app.offer_activity(second, [12])
    got = phases(world, SIXTH_FORM, Y2018, date(2019, 7, 1))["12-13"]
    assert (got.offered, got.met) == (2, True)
    assert phases(world, SIXTH_FORM, Y2018, date(2019, 2, 1))["12-13"].offered == 1


def test_a_school_with_no_sixth_form_has_no_years_12_13_duty(world):
    got = phases(world, NO_SIXTH_FORM, Y2018, date(2019, 7, 1))["12-13"]
    assert (got.taught, got.met) == (False, None)
