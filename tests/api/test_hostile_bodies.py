"""Bodies nobody should send: too big, not JSON, the wrong type, nested without end, enormous.

Each gets a 4xx with the one error body, quickly, and stores nothing.
"""

from __future__ import annotations

import time

import pytest

from tests.api.conftest import make_world

WRITE = "/api/v1/schools/900001/activities"
GOOD = {"kind": "employer_talk", "title": "Talk", "occurred_on": "2019-01-10", "meaningful": True,
        "employer": {"name": "Acme", "size": "large"}, "attendees": ["R885400112001"]}

HOSTILE = [
    ("malformed JSON", {"data": '{"kind": ', "content_type": "application/json"}, 400, "json"),
    ("a JSON array", {"data": "[1, 2]", "content_type": "application/json"}, 422, "json"),
    ("a JSON string", {"data": '"hello"', "content_type": "application/json"}, 422, "json"),
    ("JSON sent as text/plain", {"data": '{"kind": "careers_fair"}', "content_type": "text/plain"}, 415, None),
    ("a form instead of JSON", {"data": {"kind": "careers_fair"}}, 415, None),
    ("no body at all", {}, 422, "json"),
    ("arrays nested 10,000 deep", {"data": "[" * 10_000 + "]" * 10_000, "content_type": "application/json"},
     400, None),
    ("objects nested 5,000 deep", {"data": '{"a":' * 5_000 + "1" + "}" * 5_000,
                                   "content_type": "application/json"}, 400, None),
    ("55,000 attendees (just under 1 MiB)", {"json": {**GOOD, "attendees": ["R885400112001"] * 55_000}},
     422, "json"),
    ("a 500,000-character title", {"json": {**GOOD, "title": "t" * 500_000}}, 422, "json"),
    ("invalid UTF-8", {"data": b'{"title": "\xff\xfe"}', "content_type": "application/json"}, 400, "json"),
]


@pytest.fixture(scope="module")
def world():
    return make_world()


@pytest.mark.parametrize("name, send, status, location", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_body_gets_a_clear_4xx_quickly_and_stores_nothing(world, name, send, status, location):
    before = world.tracker.recorder.max_notification_id()
    began = time.perf_counter()
    response = world.client.post(WRITE, headers=world.headers("school"), **send)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert set(response.json) >= {"code", "status", "message"} and response.json["code"] == status
    if location:
        assert location in response.json["errors"]
    assert time.perf_counter() - began < 2.0
    assert world.tracker.recorder.max_notification_id() == before


def test_a_body_over_the_size_limit_gets_413_and_stores_nothing():
    world = make_world({"MAX_CONTENT_LENGTH": 10_000})
    before = world.tracker.recorder.max_notification_id()
    response = world.client.post(WRITE, headers=world.headers("school"), json={**GOOD, "title": "x" * 20_000})
    assert response.status_code == 413 and response.json["code"] == 413
    assert world.tracker.recorder.max_notification_id() == before


def test_an_outsider_gets_401_before_anything_about_the_body(world):
    response = world.client.post(WRITE, data="[" * 10_000, content_type="text/plain")
    assert response.status_code == 401


def test_brackets_inside_strings_are_text_not_nesting(world):
    title = "[" * 40 + "{" * 40
    response = world.client.post(WRITE, headers=world.headers("school"), json={**GOOD, "title": title[:200]})
    assert response.status_code == 201
    stored = world.client.get("/api/v1/schools/900001/activities", headers=world.headers("school")).json["items"]
    assert title[:200] in [item["title"] for item in stored]


def test_the_csv_import_still_takes_its_file_as_text(world):
    from tests.api.test_authorization import IMPORT_CSV

    response = world.client.post("/api/v1/schools/900001/pupils/import", data=IMPORT_CSV,
                                 headers=world.headers("school", **{"Content-Type": "text/csv"}))
    assert response.status_code == 200
