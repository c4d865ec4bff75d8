"""Destinations, the years trends, the roll and the pupil record as known at a past time: each the
answer given at that time, with `known_at` echoed; a bad time is a 422, never a 500."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timezone
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import pytest

from tests.api.test_dashboard import sign_in
from tests.scenarios import ADMIN, SCHOOL_A, UPN


def get(world, path: str, who: str = "admin") -> dict:
    response = world.client.get(path, headers=world.headers(who))
    assert response.status_code == 200, response.text
    return response.json


def a_moment_then_changes(world) -> str:
    """A time before a leaver's later word, another pupil's leaving with a destination, a removal
    from an activity and a school leaving the hub, all recorded after it."""
    get(world, "/api/v1/metrics/national")  # the views have caught up with the example
    time.sleep(0.01)
    moment = datetime.now(timezone.utc)
    time.sleep(0.01)
    tracker = world.tracker
    tracker.record_destination(
        SCHOOL_A, UPN["p2"], "apprenticeship", date(2019, 7, 1), caller=ADMIN
    )
    tracker.record_leaving(SCHOOL_A, UPN["p3"], date(2019, 6, 30), "fe_college", caller=ADMIN)
    tracker.change_attendees(world.ids["fair"], remove=[UPN["p1"]], caller=ADMIN)
    tracker.leave_hub("DEMO", SCHOOL_A, date(2019, 1, 1), caller=ADMIN)
    return quote(moment.isoformat())


def known_then_and_now(world, path: str, who: str = "admin") -> tuple[dict, dict, dict, str]:
    """The answer at a moment, as known at that moment asked afterwards, and now."""
    then = get(world, path, who)
    known_at = a_moment_then_changes(world)
    joiner = "&" if "?" in path else "?"
    return (
        then,
        get(world, f"{path}{joiner}known_at={known_at}", who),
        get(world, path, who),
        known_at,
    )


def without_known_at(answer: dict) -> dict:
    return {key: value for key, value in answer.items() if key != "known_at"}


def test_a_schools_destinations_as_known_at_a_time_are_those_answered_then(world):
    path = "/api/v1/schools/900001/destinations?cohort=2018/19"
    then, known, now, known_at = known_then_and_now(world, path, "school")
    assert (then["leavers"], now["leavers"]) == (1, 2)  # p3 left after the moment
    assert [f["destination"] for f in now["follow_ups"]] == ["apprenticeship", "fe_college"]
    assert without_known_at(known) == without_known_at(then)
    assert then["known_at"] is None and known["known_at"] == unquote(known_at)


def test_a_hubs_destinations_as_known_at_a_time_count_the_members_then_and_never_name_a_pupil(
    world,
):
    path = "/api/v1/hubs/DEMO/destinations?cohort=2018/19"
    then, known, now, _ = known_then_and_now(world, path)
    assert (then["leavers"], now["leavers"]) == (1, 0)  # school A left the hub after the moment
    assert without_known_at(known) == without_known_at(then)
    as_hub = world.client.get(
        f"{path}&known_at={quote(known['known_at'])}", headers=world.headers("hub")
    )
    assert as_hub.status_code == 200 and "follow_ups" not in as_hub.json
    assert as_hub.json["leavers"] is None and as_hub.json["suppressed"]["leavers"] == "low"
    assert not re.search(r"[A-Z]\d{12}", as_hub.get_data(as_text=True))


@pytest.mark.parametrize("who", ["admin", "hub"])
def test_a_hubs_years_trend_as_known_at_a_time_is_the_trend_answered_then(world, who):
    path = "/api/v1/hubs/DEMO/metrics/years?since=2017/18"
    then, known, now, known_at = known_then_and_now(world, path, who)
    assert now != then
    # A Hub Lead's small numbers are withheld as they were then.
    assert ("suppressed" in known["years"][-1]) == (who == "hub")
    assert [without_known_at(year) for year in known["years"]] == [
        without_known_at(year) for year in then["years"]
    ]
    assert {year["known_at"] for year in known["years"]} == {unquote(known_at)}


def test_a_schools_years_trend_as_known_at_a_time_is_the_trend_answered_then(world):
    path = "/api/v1/schools/900001/metrics/years"
    then, known, now, _ = known_then_and_now(world, path, "school")
    assert now != then
    assert [without_known_at(y) for y in known["years"]] == [
        without_known_at(y) for y in then["years"]
    ]


def test_the_roll_as_known_at_a_time_is_the_roll_answered_then(world):
    path = "/api/v1/schools/900001/pupils?as_of=2019-07-15"
    then, known, now, known_at = known_then_and_now(world, path, "school")
    assert UPN["p3"] in [item["upn"] for item in then["items"]]
    assert UPN["p3"] not in [item["upn"] for item in now["items"]]  # left after the moment
    assert without_known_at(known) == without_known_at(then)
    assert known["known_at"] == unquote(known_at)


def test_a_pupils_record_as_known_at_a_time_is_the_record_answered_then(world):
    path = f"/api/v1/pupils/{UPN['p1']}?as_of=2019-07-15"
    then, known, now, _ = known_then_and_now(world, path)
    assert now["counts"] != then["counts"]  # removed from the fair after the moment
    assert without_known_at(known) == without_known_at(then)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/schools/900001/destinations",
        "/api/v1/hubs/DEMO/destinations",
        "/api/v1/hubs/DEMO/metrics/years",
        "/api/v1/schools/900001/metrics/years",
        "/api/v1/schools/900001/pupils",
        f"/api/v1/pupils/{UPN['p1']}",
    ],
)
@pytest.mark.parametrize(
    "known_at", ["yesterday", "2019-03-31T09:00", "1899-12-31T23:00:00Z", "2019-02-30T09:00Z"]
)
def test_a_known_at_that_is_not_a_time_with_its_offset_in_range_is_422_naming_it(
    world, path, known_at
):
    response = world.client.get(
        f"{path}?known_at={quote(known_at)}", headers=world.headers("admin")
    )
    assert response.status_code == 422, response.text
    assert list(response.json["errors"]["query"]) == ["known_at"]


def test_the_school_and_roll_pages_show_what_was_known_at_a_time_typed_on_the_page(world):
    sign_in(world.client, world.tokens["school"])
    then = world.client.get("/dashboard/schools/900001/pupils").get_data(as_text=True)
    # The page's picker sends UK local time with no offset, in whole seconds at most: a second
    # apart on each side, so no event of the example nor the leaving shares the moment's second.
    time.sleep(1.1)
    moment = datetime.now(ZoneInfo("Europe/London")).replace(tzinfo=None, microsecond=0)
    time.sleep(1.1)
    world.tracker.record_leaving(SCHOOL_A, UPN["p3"], date(2019, 6, 30), "fe_college", caller=ADMIN)
    roll = world.client.get(f"/dashboard/schools/900001/pupils?known_at={moment.isoformat()}")
    now = world.client.get("/dashboard/schools/900001/pupils").get_data(as_text=True)
    upns = re.compile(r">(\w\d{12})</a>")
    assert roll.status_code == 200 and "as known at" in roll.get_data(as_text=True)
    assert upns.findall(roll.get_data(as_text=True)) == upns.findall(then) != upns.findall(now)
    school = world.client.get(f"/dashboard/schools/900001?known_at={moment.isoformat()}")
    assert school.status_code == 200 and 'id="known-at"' in school.get_data(as_text=True)
    for bad in ("yesterday", "1899-12-31T09:00"):
        assert world.client.get(f"/dashboard/schools/900001?known_at={bad}").status_code == 400
        assert (
            world.client.get(f"/dashboard/schools/900001/pupils?known_at={bad}").status_code == 400
        )
