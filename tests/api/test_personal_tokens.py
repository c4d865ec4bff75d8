"""A person's own API tokens: limited to a grant they hold (or all of them), answered exactly as
a machine's token of that scope is, and stopped by withdrawing the grant or disabling the
account on the very next request."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest

from tests.api.conftest import make_world
from tests.api.people import csrf_of, make_person, sign_in_person
from tests.api.test_authorization import ENDPOINTS, PUPIL, expected
from tests.conftest import TODAY

KINDS = {
    "admin": "admin",
    "school": "school:900001",
    "other_school": "school:900002",
    "hub": "hub:DEMO",
    "auditor": "auditor",
}
NEXT_MONTH = TODAY + timedelta(days=30)
PUPILS = "/api/v1/schools/{}/pupils?year_group=11"


def personal_world(grant_of: dict[str, str]):
    """The API world, each caller's token swapped for a person's token limited to that grant."""
    world = make_world()
    for who, grant in grant_of.items():
        account_id = make_person(world.tracker, f"{who}@example.org", grant)
        world.tokens[who] = world.tracker.issue_personal_token(account_id, grant, NEXT_MONTH)[0]
    return world


@pytest.mark.parametrize(
    "endpoint, caller",
    list(itertools.product(ENDPOINTS, KINDS)),
    ids=[f"{e[0]} {e[1]} as {c}" for e, c in itertools.product(ENDPOINTS, KINDS)],
)
def test_a_personal_token_answers_as_a_token_of_its_grant(endpoint, caller):
    method, path, body, allowed, success = endpoint
    world = personal_world({caller: KINDS[caller]})
    url = path.format(fair=world.ids["fair"], placement=world.ids["placement"])
    response = world.client.open(url, method=method, json=body, headers=world.headers(caller))
    assert response.status_code == expected(allowed, success, caller, method, path), response.json


def test_what_a_personal_token_writes_is_recorded_as_done_by_the_person():
    world = personal_world({"school": "school:900001"})
    account_id = str(world.tracker.account_of("school@example.org").id)
    response = world.client.post(
        "/api/v1/schools/900001/pupils", json=PUPIL, headers=world.headers("school")
    )
    assert response.status_code == 201, response.json
    position = world.tracker.recorder.max_notification_id()
    last = world.tracker.recorder.select_notifications(position, 1)[0]
    assert world.tracker.mapper.to_domain_event(last).actor == account_id


def test_a_token_for_every_grant_follows_the_grant_the_path_names():
    world = make_world()
    account_id = make_person(world.tracker, "two@example.org", "hub:DEMO", "school:900002")
    token = world.tracker.issue_personal_token(account_id, "grants", NEXT_MONTH)[0]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (
        world.client.get("/api/v1/hubs/DEMO/metrics?as_of=2019-03-31", headers=bearer).status_code
        == 200
    )
    assert _status(world, token, PUPILS.format("900002")) == 200
    assert _status(world, token, PUPILS.format("900001")) == 403
    assert (
        world.client.get("/api/v1/hubs/OTHER/metrics?as_of=2019-03-31", headers=bearer).status_code
        == 403
    )


def test_withdrawing_the_grant_or_disabling_the_account_stops_the_token_on_the_next_request():
    world = make_world()
    account_id = make_person(world.tracker, "cl@example.org", "school:900001", "school:900002")
    one = world.tracker.issue_personal_token(account_id, "school:900002", NEXT_MONTH)[0]
    every = world.tracker.issue_personal_token(account_id, "grants", NEXT_MONTH)[0]
    first = PUPILS.format("900001")
    assert _status(world, one, PUPILS.format("900002")) == 200
    world.tracker.withdraw_grant("cl@example.org", "school:900002", "moved on")
    assert _status(world, one, PUPILS.format("900002")) == 401
    assert _status(world, every, PUPILS.format("900002")) == 403
    assert _status(world, every, first) == 200
    world.tracker.disable_account("cl@example.org", "left")
    assert _status(world, every, first) == 401
    world.tracker.reenable_account("cl@example.org")
    assert _status(world, every, first) == 200


def _status(world, token: str, path: str) -> int:
    return world.client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code


@pytest.mark.parametrize(
    "grant, expires_on",
    [
        ("school:900002", NEXT_MONTH),  # not theirs
        ("hub:DEMO", NEXT_MONTH),
        ("school:900001", None),  # no expiry
        ("school:900001", TODAY),
        ("school:900001", TODAY + timedelta(days=367)),
    ],
)
def test_a_personal_token_is_refused_beyond_the_persons_grants_or_without_a_near_expiry(
    grant, expires_on
):
    world = make_world()
    account_id = make_person(world.tracker, "cl@example.org", "school:900001")
    before = world.tracker.recorder.max_notification_id()
    with pytest.raises(Exception) as refused:
        world.tracker.issue_personal_token(account_id, grant, expires_on)
    assert type(refused.value).__name__ in ("Forbidden", "InvalidValue")
    assert world.tracker.recorder.max_notification_id() == before


def test_a_person_makes_lists_and_revokes_a_token_on_their_account_page():
    world = make_world()
    make_person(world.tracker, "cl@example.org", "school:900001")
    sign_in_person(world.client, world.tracker, "cl@example.org")
    form = {"grant": "school:900001", "expires": NEXT_MONTH.isoformat(), "note": "my script"}
    page = world.client.post(
        "/dashboard/account/tokens",
        data={**form, "csrf": csrf_of(world.client, "/dashboard/account")},
    ).get_data(as_text=True)
    token = re.search(r'id="new-token">Your token: <code>([^<]+)</code>', page).group(1)
    assert "my script" in page
    assert _status(world, token, PUPILS.format("900001")) == 200
    listed = world.client.get("/dashboard/account").get_data(as_text=True)
    assert "my script" in listed and token not in listed
    token_id = re.search(r'name="token" value="([^"]+)"', listed).group(1)
    data = {"token": token_id, "csrf": csrf_of(world.client, "/dashboard/account")}
    page = world.client.post("/dashboard/account/tokens/revoke", data=data).get_data(as_text=True)
    assert "my script" not in page
    assert _status(world, token, PUPILS.format("900001")) == 401


def test_a_person_cannot_revoke_someone_elses_token():
    world = make_world()
    owner = make_person(world.tracker, "a@example.org", "school:900001")
    make_person(world.tracker, "b@example.org", "school:900001")
    token = world.tracker.issue_personal_token(owner, "school:900001", NEXT_MONTH)[0]
    token_id = str(world.tracker.token_for(token).id)
    sign_in_person(world.client, world.tracker, "b@example.org")
    data = {"token": token_id, "csrf": csrf_of(world.client, "/dashboard/account")}
    assert world.client.post("/dashboard/account/tokens/revoke", data=data).status_code == 422
    assert _status(world, token, PUPILS.format("900001")) == 200
