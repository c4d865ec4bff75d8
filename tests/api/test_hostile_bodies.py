"""Bodies nobody should send: too big, not JSON, the wrong type, nested without end, enormous.

Each gets a 4xx with the one error body, quickly, and stores nothing.
"""

from __future__ import annotations

import io
import json
import time

import pytest

from tests.api.conftest import make_world
from tracker.identifiers import make_upn

WRITE = "/api/v1/schools/900001/activities"
GOOD = {
    "kind": "employer_talk",
    "title": "Talk",
    "occurred_on": "2019-01-10",
    "meaningful": True,
    "employer": {"name": "Acme", "size": "large"},
    "attendees": ["R885400112001"],
}

HOSTILE = [
    ("malformed JSON", {"data": '{"kind": ', "content_type": "application/json"}, 400, "json"),
    ("a JSON array", {"data": "[1, 2]", "content_type": "application/json"}, 422, "json"),
    ("a JSON string", {"data": '"hello"', "content_type": "application/json"}, 422, "json"),
    (
        "JSON sent as text/plain",
        {"data": '{"kind": "careers_fair"}', "content_type": "text/plain"},
        415,
        None,
    ),
    ("a form instead of JSON", {"data": {"kind": "careers_fair"}}, 415, None),
    ("no body at all", {}, 422, "json"),
    (
        "arrays nested 10,000 deep",
        {"data": "[" * 10_000 + "]" * 10_000, "content_type": "application/json"},
        400,
        None,
    ),
    (
        "objects nested 5,000 deep",
        {"data": '{"a":' * 5_000 + "1" + "}" * 5_000, "content_type": "application/json"},
        400,
        None,
    ),
    (
        "55,000 attendees (just under 1 MiB)",
        {"json": {**GOOD, "attendees": ["R885400112001"] * 55_000}},
        422,
        "json",
    ),
    ("a 500,000-character title", {"json": {**GOOD, "title": "t" * 500_000}}, 422, "json"),
    (
        "invalid UTF-8",
        {"data": b'{"title": "\xff\xfe"}', "content_type": "application/json"},
        400,
        "json",
    ),
]


@pytest.fixture(scope="module")
def world():
    return make_world()


@pytest.mark.parametrize("name, send, status, location", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_body_gets_a_clear_4xx_quickly_and_stores_nothing(
    world, name, send, status, location
):
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
    response = world.client.post(
        WRITE, headers=world.headers("school"), json={**GOOD, "title": "x" * 20_000}
    )
    assert response.status_code == 413 and response.json["code"] == 413
    assert world.tracker.recorder.max_notification_id() == before


def test_an_outsider_gets_401_before_anything_about_the_body(world):
    response = world.client.post(WRITE, data="[" * 10_000, content_type="text/plain")
    assert response.status_code == 401


def test_brackets_inside_strings_are_text_not_nesting(world):
    title = "[" * 40 + "{" * 40
    response = world.client.post(
        WRITE, headers=world.headers("school"), json={**GOOD, "title": title[:200]}
    )
    assert response.status_code == 201
    stored = world.client.get(
        "/api/v1/schools/900001/activities", headers=world.headers("school")
    ).json["items"]
    assert title[:200] in [item["title"] for item in stored]


def test_the_csv_import_still_takes_its_file_as_text(world):
    from tests.api.test_authorization import IMPORT_CSV

    response = world.client.post(
        "/api/v1/schools/900001/pupils/import",
        data=IMPORT_CSV,
        headers=world.headers("school", **{"Content-Type": "text/csv"}),
    )
    assert response.status_code == 200


# --- the same bodies sent chunked: no Content-Length, a stream the server ends (as gunicorn hands
# it on) ---


def chunked(world, body: bytes, content_type: str = "application/json") -> dict:
    return {
        "input_stream": io.BytesIO(body),
        "environ_overrides": {"wsgi.input_terminated": True},
        "headers": world.headers(
            "school", **{"Transfer-Encoding": "chunked", "Content-Type": content_type}
        ),
    }


CHUNKED = [
    ("arrays nested 10,000 deep", b"[" * 10_000 + b"]" * 10_000, "application/json", 400),
    ("objects nested 5,000 deep", b'{"a":' * 5_000 + b"1" + b"}" * 5_000, "application/json", 400),
    ("a 5,000-digit integer", b'{"title": ' + b"9" * 5000 + b"}", "application/json", 400),
    (
        "half a surrogate pair",
        json.dumps({**GOOD, "title": "x\ud800y"}).encode(),
        "application/json",
        422,
    ),
    ("JSON sent as text/plain", json.dumps(GOOD).encode(), "text/plain", 415),
]


@pytest.mark.parametrize("name, body, content_type, status", CHUNKED, ids=[c[0] for c in CHUNKED])
def test_a_hostile_body_sent_chunked_gets_the_same_4xx_as_with_a_length(
    world, name, body, content_type, status
):
    before = world.tracker.recorder.max_notification_id()
    response = world.client.post(WRITE, **chunked(world, body, content_type))
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.json["code"] == status and {"status", "message"} <= set(response.json)
    assert world.tracker.recorder.max_notification_id() == before


def test_a_chunked_body_over_the_size_limit_gets_413_and_stores_nothing():
    world = make_world({"MAX_CONTENT_LENGTH": 10_000})
    before = world.tracker.recorder.max_notification_id()
    response = world.client.post(
        WRITE, **chunked(world, json.dumps({**GOOD, "title": "x" * 20_000}).encode())
    )
    assert response.status_code == 413 and response.json["code"] == 413
    assert world.tracker.recorder.max_notification_id() == before


def test_a_csv_file_sent_chunked_past_the_size_limit_is_refused_whole_not_imported_in_part():
    """Read without a length, a stream stops at the limit: the rows before it would be imported."""
    world = make_world({"MAX_CONTENT_LENGTH": 10_000})
    rows = "".join(
        f"{make_upn('885', '4001', 19, serial)},New,Pupil,2007-01-15,7\n" for serial in range(400)
    )
    before = world.tracker.recorder.max_notification_id()
    response = world.client.post(
        "/api/v1/schools/900001/pupils/import",
        **chunked(
            world,
            ("upn,given_name,family_name,date_of_birth,year_group\n" + rows).encode(),
            "text/csv",
        ),
    )
    assert response.status_code == 413 and response.json["code"] == 413, response.json
    assert world.tracker.recorder.max_notification_id() == before


def test_a_good_body_sent_chunked_is_recorded(world):
    response = world.client.post(
        WRITE, **chunked(world, json.dumps({**GOOD, "title": "Sent chunked"}).encode())
    )
    assert response.status_code == 201, response.json
    stored = world.client.get(
        "/api/v1/schools/900001/activities", headers=world.headers("school")
    ).json["items"]
    assert "Sent chunked" in [item["title"] for item in stored]
