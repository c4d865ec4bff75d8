"""Who did it: every event a person causes, on any page or through their own token, records
their account id as its actor; the audit log shows their name beside it."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest

from tests.api.conftest import make_world
from tests.api.people import csrf_of, make_person, sign_in_person
from tests.api.test_authorization import FORM, PUPIL
from tests.api.test_roll_pages import SIMS
from tests.conftest import TODAY

LEAVER = "Y885400112005"


def _activity(client, csrf, ids):
    return client.post("/dashboard/schools/900001/activities", data={**FORM, "csrf": csrf})


def _correction(client, csrf, ids):
    form = {**FORM, "activity_id": ids["fair"], "csrf": csrf}
    return client.post("/dashboard/schools/900001/corrections", data=form)


def _year_group(client, csrf, ids):
    return client.post("/dashboard/pupils/R885400112001/year-group", data={**FORM, "csrf": csrf})


def _erase(client, csrf, ids):
    form = {"csrf": csrf, "requested_by": "900001", "reason": "parent asked", "confirm": LEAVER}
    return client.post(f"/dashboard/pupils/{LEAVER}/erase", data=form)


def _import(client, csrf, ids):
    form = {"csrf": csrf, "file": (io.BytesIO(SIMS), "roll.csv"), "exported_on": ""}
    url = "/dashboard/schools/900001/import"
    page = client.post(url, data=form, content_type="multipart/form-data").get_data(as_text=True)
    data = re.search(r'name="data" value="([^"]+)"', page).group(1)
    return client.post(url, data={"csrf": csrf, "confirm": "yes", "data": data, "exported_on": ""})


def _invite(client, csrf, ids):
    form = {"csrf": csrf, "email": "new@example.org", "name": "New", "grant": "school:900001"}
    return client.post("/dashboard/people/invite", data=form)


def _withdraw(client, csrf, ids):
    form = {"csrf": csrf, "email": "cl@example.org", "grant": "school:900001", "reason": "left"}
    return client.post("/dashboard/people/withdraw", data=form)


def _token(client, csrf, ids):
    expires = (TODAY + timedelta(days=9)).isoformat()
    form = {"csrf": csrf, "grant": "admin", "expires": expires}
    return client.post("/dashboard/account/tokens", data=form)


def _api_with_own_token(client, csrf, ids):
    token = ids["token"]
    headers = {"Authorization": f"Bearer {token}"}
    return client.post("/api/v1/schools/900001/pupils", json=PUPIL, headers=headers)


WRITES = [
    _activity,
    _correction,
    _year_group,
    _erase,
    _import,
    _invite,
    _withdraw,
    _token,
    _api_with_own_token,
]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_every_event_a_person_causes_records_their_account_id(write):
    world = make_world()
    world.tracker.record_leaving("900001", LEAVER, date(2019, 7, 1), "fe_college")
    make_person(world.tracker, "cl@example.org", "school:900001")
    admin = make_person(world.tracker, "ada@example.org", "admin")
    world.ids["token"] = world.tracker.issue_personal_token(admin, "admin", TODAY + timedelta(9))[0]
    sign_in_person(world.client, world.tracker, "ada@example.org")
    before = world.tracker.recorder.max_notification_id()
    response = write(world.client, csrf_of(world.client, "/dashboard/account"), world.ids)
    assert response.status_code < 400, response.get_data(as_text=True)[:500]
    caused = world.tracker.recorder.select_notifications(before + 1, 1000)
    assert caused, "the write stored something"
    actors = {world.tracker.mapper.to_domain_event(n).actor for n in caused}
    assert actors == {admin}


def test_the_request_log_names_the_person_on_the_pages_they_use(caplog):
    world = make_world()
    account_id = make_person(world.tracker, "cl@example.org", "school:900001")
    sign_in_person(world.client, world.tracker, "cl@example.org")
    with caplog.at_level("INFO", logger="api.requests"):
        world.client.get("/dashboard/schools/900001")
    lines = [json.loads(record.getMessage()) for record in caplog.records]
    assert [line["actor"] for line in lines if line["route"] == "/dashboard/schools/<urn>"] == [
        account_id
    ]


def test_the_audit_log_shows_a_persons_name_beside_their_account_id():
    world = make_world()
    account_id = make_person(world.tracker, "cl@example.org", "school:900001")
    auditor = make_person(world.tracker, "aud@example.org", "auditor")
    sign_in_person(world.client, world.tracker, "cl@example.org")
    _activity(world.client, csrf_of(world.client, "/dashboard/account"), world.ids)
    headers = world.headers("auditor")
    items = world.client.get("/api/v1/audit/events?limit=1000", headers=headers).json["items"]
    theirs = [item for item in items if item["actor"] == account_id]
    assert theirs and {item["actor_name"] for item in theirs} == {"cl"}
    others = [item for item in items if item["actor"] not in (account_id, auditor)]
    assert others and {item["actor_name"] for item in others} == {None}
    world.client.post("/dashboard/sign-out", data={"csrf": csrf_of(world.client)})
    sign_in_person(world.client, world.tracker, "aud@example.org")
    page = world.client.get("/dashboard/audit?type=Activity.Recorded").get_data(as_text=True)
    assert f'<span class="actor-name">cl</span> <code>{account_id}</code>' in page
