"""A hub or an admin requires a second factor of their people: an event on the account, and at
the person's next sign-in they set up an authenticator app before any session starts."""

from __future__ import annotations

import pytest

from tests.api.conftest import make_world
from tests.api.people import csrf_of, make_person, password_sign_in, sign_in_person
from tracker.errors import GrantRefused


def require(world, email: str):
    data = {"email": email, "csrf": csrf_of(world.client, "/dashboard/people")}
    return world.client.post("/dashboard/people/require-second-factor", data=data)


def test_a_hub_lead_requires_a_second_factor_of_a_careers_leader_at_their_next_sign_in():
    world = make_world()
    lead = make_person(world.tracker, "lead@example.org", "hub:DEMO")
    make_person(world.tracker, "cl@example.org", "school:900001")
    assert (
        password_sign_in(world.client, "cl@example.org").headers["Location"].endswith("/dashboard/")
    )
    world.client.post("/dashboard/sign-out", data={"csrf": csrf_of(world.client)})
    sign_in_person(world.client, world.tracker, "lead@example.org")
    assert require(world, "cl@example.org").status_code == 200
    account = world.tracker.account_of("cl@example.org")
    last = list(world.tracker.events.get(account.id))[-1]
    assert type(last).__name__ == "SecondFactorRequired" and last.actor == lead
    world.client.post("/dashboard/sign-out", data={"csrf": csrf_of(world.client)})
    answer = password_sign_in(world.client, "cl@example.org")
    assert answer.headers["Location"].endswith("/dashboard/second-factor")
    assert world.client.get("/dashboard/schools/900001").status_code == 302, "no session yet"


def test_a_hub_lead_may_not_require_it_of_someone_outside_their_hub():
    world = make_world()
    make_person(world.tracker, "lead@example.org", "hub:OTHER")
    make_person(world.tracker, "cl@example.org", "school:900001")
    sign_in_person(world.client, world.tracker, "lead@example.org")
    before = world.tracker.recorder.max_notification_id()
    assert require(world, "cl@example.org").status_code == 422
    assert world.tracker.recorder.max_notification_id() == before
    assert not world.tracker.account_of("cl@example.org").second_factor_required


def test_an_admin_requires_it_of_anyone_and_only_an_admin_lifts_it():
    world = make_world()
    make_person(world.tracker, "lead@example.org", "hub:DEMO")
    world.tracker.require_second_factor("lead@example.org", "policy", ["admin"])
    assert world.tracker.must_have_second_factor(world.tracker.account_of("lead@example.org"))
    with pytest.raises(GrantRefused):
        world.tracker.stop_requiring_second_factor("lead@example.org", ["hub:DEMO"])
    world.tracker.stop_requiring_second_factor("lead@example.org", ["admin"])
    assert not world.tracker.must_have_second_factor(world.tracker.account_of("lead@example.org"))


def test_requiring_it_twice_records_it_once():
    world = make_world()
    make_person(world.tracker, "cl@example.org", "school:900001")
    world.tracker.require_second_factor("cl@example.org", "policy", ["school:900001"])
    before = world.tracker.recorder.max_notification_id()
    world.tracker.require_second_factor("cl@example.org", "policy", ["school:900001"])
    assert world.tracker.recorder.max_notification_id() == before
