"""docs/employers.md's worked example, exactly, on every store: the figures of both years, and
2019/20's as on a date before the merge, after it, and after it was undone."""

from __future__ import annotations

from datetime import date

import pytest

from projections import engagement, hosts, register
from projections.metrics import hub_members
from projections.runner import Runner
from projections.store import view_store_for
from tests.employer_example import (
    BROOK_ID,
    HUB_LEAD,
    MERGED_ON,
    NORTH_ID,
    S1,
    S2,
    UNMERGED_ON,
    Clock,
    build_employer_example,
)
from tracker.application import Tracker
from tracker.calendar import AcademicYear

Y2018, Y2019 = AcademicYear(2018), AcademicYear(2019)
BEFORE, AFTER = date(2020, 4, 30), date(2020, 5, 15)


@pytest.fixture
def world(database_url):
    clock = Clock(date(2020, 4, 30))
    app = Tracker.from_url(database_url, today=clock)
    build_employer_example(app)
    clock.today = MERGED_ON
    app.merge_organisation(NORTH_ID, BROOK_ID, caller=HUB_LEAD)
    store = view_store_for(database_url)
    store.create_tables()
    runner = Runner(app, store, page_size=5)  # several pages, so page edges are exercised too
    runner.catch_up()
    yield app, store, runner, clock
    store.close()


def figures(store, year, as_of):
    return engagement.engagement(store, hub_members(store, "NORTH", as_of), year, as_of)


def reach(answer, *path):
    r = answer.totals if not path else getattr(answer, path[0])[path[1]]
    return (r.employers, r.encounters, r.pupils, r.schools)


def test_the_first_year_counts_two_spellings_of_one_name_as_one_employer(world):
    answer = figures(world[1], Y2018, date(2019, 8, 31))
    assert reach(answer) == (2, 4, 5, 2)
    assert (answer.repeat_employers, answer.new_employers) == (1, 2)
    assert [(e.name, e.encounters, e.schools, e.placements) for e in answer.employers] == [
        ("Brook Builders Ltd", 3, 2, 1),
        ("Cole & Sons", 1, 1, 0),
    ]


def test_before_the_merge_the_duplicate_is_a_third_employer_and_new(world):
    answer = figures(world[1], Y2019, BEFORE)
    assert reach(answer) == (3, 4, 4, 2)
    assert reach(answer, "by_sector", "F") == (2, 3, 3, 2)
    assert {size: reach(answer, "by_size", size) for size in answer.by_size} == {
        "medium": (1, 2, 2, 2),
        "micro": (1, 1, 1, 1),
        "small": (1, 1, 1, 1),
    }
    assert (answer.repeat_employers, answer.new_employers) == (3, 1)


def test_after_the_merge_every_figure_counts_the_two_as_one(world):
    answer = figures(world[1], Y2019, AFTER)
    assert reach(answer) == (2, 4, 4, 2)
    assert reach(answer, "by_sector", "F") == (1, 3, 3, 2)
    assert reach(answer, "by_sector", "G") == (1, 1, 1, 1)
    assert {size: reach(answer, "by_size", size) for size in answer.by_size} == {
        "micro": (1, 1, 1, 1),
        "small": (1, 3, 3, 2),
    }
    assert (answer.repeat_employers, answer.new_employers) == (2, 0)
    assert [(e.name, e.encounters, e.placements, e.years_engaged) for e in answer.employers] == [
        ("Brook Builders Ltd", 3, 1, ["2018/19", "2019/20"]),
        ("Cole & Sons", 1, 0, ["2018/19", "2019/20"]),
    ]
    grid = {row.urn: (row.encounters_in("F"), row.encounters_in("G")) for row in answer.grid}
    assert grid == {S1: (2, 1), S2: (1, 0)}


def test_the_host_asked_twice_is_willing_by_its_latest_answer_once_merged(world):
    store = world[1]
    before = hosts.willing_hosts(store, [S1, S2], BEFORE)
    assert [(h.name, h.placements, h.last_placement_on) for h in before] == [
        ("Brook Builders (North)", 1, date(2020, 3, 10))
    ]
    after = hosts.willing_hosts(store, [S1, S2], AFTER)
    assert [(h.name, h.placements, h.last_placement_on) for h in after] == [
        ("Brook Builders Ltd", 2, date(2020, 3, 10))
    ]


def test_a_merge_undone_counts_them_apart_again_from_that_day(world):
    app, store, runner, clock = world
    clock.today = UNMERGED_ON
    app.unmerge_organisation(NORTH_ID, caller=HUB_LEAD)
    runner.catch_up()
    assert reach(figures(store, Y2019, AFTER))[0] == 2
    assert reach(figures(store, Y2019, date(2020, 7, 15)))[0] == 3


def test_matching_a_typed_name_finds_the_register_entry_and_hides_the_merged_duplicate(world):
    found = register.matching(world[1], "brook builders", AFTER)
    assert [(o.id, o.name, o.registered) for o in found] == [(BROOK_ID, "Brook Builders Ltd", True)]
    assert found[0].names == ["BROOK BUILDERS", "Brook Builders Ltd"]


def test_a_past_year_asked_on_a_later_date_counts_only_its_own_pupils(world):
    """Pupils are counted in the database for the year's days alone: a1's 2019/20 mentoring with
    Cole and Sons must not join the two pupils Cole & Sons reached in 2018/19."""
    at_its_end = figures(world[1], Y2018, date(2019, 8, 31))
    a_year_on = figures(world[1], Y2018, date(2020, 4, 30))
    assert reach(a_year_on) == reach(at_its_end) == (2, 4, 5, 2)
    assert {s: reach(a_year_on, "by_sector", s) for s in a_year_on.by_sector} == {
        s: reach(at_its_end, "by_sector", s) for s in at_its_end.by_sector
    }


def test_an_answer_is_kept_until_the_views_apply_another_event_and_then_counted_again(world):
    app, store, runner, clock = world
    on = date(2020, 7, 15)
    first = figures(store, Y2019, on)
    assert figures(store, Y2019, on) is first, "nothing written since: the answer kept"
    assert figures(store, Y2019, AFTER) is not first, "another date is another answer"
    assert reach(first)[0] == 2
    clock.today = UNMERGED_ON
    app.unmerge_organisation(NORTH_ID, caller=HUB_LEAD)
    assert figures(store, Y2019, on) is first, "the views have not applied the unmerge yet"
    runner.catch_up()
    again = figures(store, Y2019, on)
    assert reach(again)[0] == 3 and reach(again) == reach(
        engagement.computed(store, hub_members(store, "NORTH", on), Y2019, on)
    )
