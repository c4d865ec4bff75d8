"""Would host again: the answer recorded on completing a placement, and the hub's list of
employers willing to host, each by its latest answer, with its last placement date."""

from __future__ import annotations

from datetime import date

import pytest

SCHOOL_UPNS = ("V885400112003", "J885400112004")  # on roll at 900001 in the worked example


def place(world, upn, employer, completed_on, **answer):
    placement = world.tracker.arrange_placement(
        "900001", upn, "work_experience", {"name": employer}, completed_on, completed_on
    )
    response = world.client.post(
        f"/api/v1/placements/{placement.id}/complete",
        json={"completed_on": completed_on.isoformat(), "hours": 30, **answer},
        headers=world.headers("school"),
    )
    assert response.status_code == 200, response.get_json()


def hosts(world, who="hub", **query):
    return world.client.get(
        "/api/v1/hubs/DEMO/willing-hosts", query_string=query, headers=world.headers(who)
    )


def test_an_employer_asked_twice_is_listed_by_its_latest_answer(world):
    place(world, SCHOOL_UPNS[0], "Brook Builders Ltd", date(2019, 3, 1), would_host="no")
    place(world, SCHOOL_UPNS[1], "BROOK BUILDERS", date(2019, 5, 1), would_host="yes")
    place(world, SCHOOL_UPNS[0], "Cole & Sons", date(2019, 4, 1), would_host="no")
    [brook] = hosts(world).get_json()["items"]
    # Two spellings typed once each: the register names it by the first in alphabetical order.
    assert (brook["name"], brook["placements"], brook["last_placement_on"]) == (
        "BROOK BUILDERS",
        2,
        "2019-05-01",
    )
    assert hosts(world, as_of="2019-04-30").get_json()["items"] == []  # it had said no by then


def test_a_placement_completed_without_the_question_leaves_the_last_answer_standing(world):
    place(world, SCHOOL_UPNS[0], "Dale Farm", date(2019, 3, 1), would_host="yes")
    place(world, SCHOOL_UPNS[1], "Dale Farm", date(2019, 6, 1))
    [dale] = hosts(world).get_json()["items"]
    assert (dale["last_answer"], dale["answered_on"], dale["last_placement_on"]) == (
        "yes",
        "2019-03-01",
        "2019-06-01",
    )


def test_an_answer_outside_yes_no_or_not_asked_is_refused(world):
    placement = world.tracker.arrange_placement(
        "900001",
        SCHOOL_UPNS[0],
        "work_experience",
        {"name": "X"},
        date(2019, 3, 1),
        date(2019, 3, 1),
    )
    response = world.client.post(
        f"/api/v1/placements/{placement.id}/complete",
        json={"completed_on": "2019-03-01", "hours": 30, "would_host": "maybe"},
        headers=world.headers("school"),
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "who, status",
    [
        ("hub", 200),
        ("admin", 200),
        ("auditor", 200),
        ("school", 200),  # a member school arranges the next placement from it
        ("other_school", 200),
        ("other_hub", 403),
        ("nobody", 401),
    ],
)
def test_who_may_read_the_willing_hosts(world, who, status):
    assert hosts(world, who=who).status_code == status
