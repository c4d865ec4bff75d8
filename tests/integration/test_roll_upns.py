"""The lean read of the UPNs on a school's roll in a year group or registration group, on SQLite
and PostgreSQL: the same pupils the roll lists under that filter, on any date."""

from __future__ import annotations

from datetime import date

import pytest

from projections.pupil_status import RollFilter, upns_on_roll
from projections.queries import Reads
from projections.runner import Runner
from projections.store import view_store_for
from tests.scenarios import ADMIN, SCHOOL_A, UPN, build_worked_example
from tracker.application import Tracker

DAYS = (date(2018, 9, 10), date(2019, 1, 15), date(2019, 3, 10), date(2019, 7, 15))


@pytest.fixture
def world(database_url):
    app = Tracker.from_url(database_url, today=lambda: date(2019, 7, 15))
    build_worked_example(app)
    app.update_roll_details(SCHOOL_A, UPN["p3"], "2018/19", group="11B", caller=ADMIN)
    app.update_roll_details(SCHOOL_A, UPN["p4"], "2018/19", group="11C", caller=ADMIN)
    store = view_store_for(database_url)
    store.create_tables()
    Runner(app, store).catch_up()
    yield app, store
    store.close()


def roll_upns(app, store, day: date, wanted: RollFilter) -> list[str]:
    """The UPNs of the roll's page, benchmarks and names and all: what the lean read stands for."""
    page = Reads(app, store).roll(SCHOOL_A, day, wanted, None, 1000)
    return [item["upn"] for item in page["items"]]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_upns_of_a_year_group_are_those_the_roll_lists_under_it(world, day):
    app, store = world
    for year_group in range(1, 15):
        expected = roll_upns(app, store, day, RollFilter(year_group=year_group))
        assert upns_on_roll(store, SCHOOL_A, day, year_group, None) == expected


def test_the_upns_of_a_registration_group_are_its_pupils_on_roll_and_no_others(world):
    app, store = world
    day = date(2019, 1, 15)
    assert upns_on_roll(store, SCHOOL_A, day, None, "11B") == [UPN["p3"]]
    assert upns_on_roll(store, SCHOOL_A, day, None, "11B") == roll_upns(
        app, store, day, RollFilter(group="11B")
    )
    assert upns_on_roll(store, SCHOOL_A, day, None, "9Z") == []


def test_a_pupil_who_left_is_not_among_the_upns_after_leaving(world):
    _, store = world
    in_january = upns_on_roll(store, SCHOOL_A, date(2019, 1, 15), 7, None)
    in_march = upns_on_roll(store, SCHOOL_A, date(2019, 3, 10), 7, None)
    assert UPN["p2"] in in_january and UPN["p2"] not in in_march
