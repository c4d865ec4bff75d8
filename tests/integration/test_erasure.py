"""Erasure through the API on every store, with and without `CIPHER_KEY`: the identity gone from
the stored events, the views, the keys and a decoded dump of the log; every figure unchanged."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from datetime import date

import pytest

from api import create_app
from projections.rebuild import rebuild, verify
from projections.tables import TABLES
from tests.conftest import TODAY
from tests.scenarios import ADMIN, EMPLOYER, SCHOOL_A, build_worked_example
from tracker.calendar import AcademicYear, year_group_for_birth
from tracker.domain.student import Student

UPN = "H885400112098"
BORN = date(2006, 3, 17)
# Every way the identity could be written down, stored or shown.
SECRETS = ["Zebedee", "Quartermaine", "2006-03-17", "17/03/2006", "2006, 3, 17", "20060317"]
FIGURES = [
    "/api/v1/schools/900001/status?as_of=2019-03-31",
    "/api/v1/schools/900001/status?as_of=2019-07-15",
    "/api/v1/hubs/DEMO/metrics?as_of=2019-03-31",
    "/api/v1/metrics/national?as_of=2019-07-15",
    "/api/v1/schools/900001/activities",
]
CIPHERS = {"plain": None, "cipher": base64.b64encode(os.urandom(32)).decode()}


@pytest.fixture(params=sorted(CIPHERS))
def world(request, database_url):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "CIPHER_KEY": CIPHERS[request.param],
            "TESTING": True,
            "TODAY": lambda: TODAY,
            "PROJECTIONS": "inline",
        }
    )
    tracker = app.extensions["tracker"].tracker
    build_worked_example(tracker)
    year_group = year_group_for_birth(BORN, AcademicYear(2018))
    tracker.enrol_pupil(
        SCHOOL_A, UPN, "Zebedee", "Quartermaine", BORN, year_group, date(2018, 9, 3), caller=ADMIN
    )
    tracker.record_activity(
        SCHOOL_A,
        "employer_talk",
        "Talk",
        date(2019, 1, 10),
        [UPN],
        employer=EMPLOYER,
        meaningful=True,
        caller=ADMIN,
    )
    tracker.record_leaving(SCHOOL_A, UPN, date(2019, 5, 31), "fe_college", caller=ADMIN)
    token, _ = tracker.issue_token("admin", "admin@example")
    yield app, {"Authorization": f"Bearer {token}"}, database_url
    app.extensions["tracker"].store.close()


def erase(client, headers, requested_by=SCHOOL_A):
    return client.post(
        f"/api/v1/pupils/{UPN}/erase",
        json={"requested_by": requested_by, "reason": "parent asked"},
        headers=headers,
    )


def figures(client, headers) -> list:
    """The answers, but for the log position they were read at (which every write moves)."""
    answers = [client.get(path, headers=headers).json for path in FIGURES]
    return [
        {name: value for name, value in answer.items() if name != "position"} for answer in answers
    ]


def stored_bytes(tracker) -> bytes:
    return b"".join(n.state for n in tracker.recorder.select_notifications(start=1, limit=10**6))


def decoded_log(tracker) -> str:
    """Every event as the application reads it: `CIPHER_KEY` decrypted, identities opened where keys
    exist."""
    notifications = tracker.recorder.select_notifications(start=1, limit=10**6)
    return json.dumps(
        [vars(event) for event in tracker.mapper.to_domain_events(notifications)], default=str
    )


def view_rows(store) -> str:
    return repr([store.query(f"SELECT * FROM {{{table}}}") for table in TABLES])


def key_rows(tracker, url: str) -> dict:
    """The key table as the database holds it, read past the application."""
    if url.startswith("memory"):
        return {key.hex: value for key, value in tracker.recorder.keys.items()}
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return {
                key: value
                for key, value in connection.execute("SELECT originator_id, key FROM identity_keys")
            }
    import psycopg

    with psycopg.connect(url) as connection:
        return {
            key.hex: bytes(value)
            for key, value in connection.execute("SELECT originator_id, key FROM identity_keys")
        }


def leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_an_erased_pupils_name_and_birth_date_are_in_no_table_and_no_decoded_event(world):
    app, headers, url = world
    client, services = app.test_client(), app.extensions["tracker"]
    tracker, store = services.tracker, services.store
    pupil_key = Student.create_id(UPN).hex
    assert leaked(decoded_log(tracker)) and pupil_key in key_rows(
        tracker, url
    )  # there, until erased
    assert client.get(f"/api/v1/pupils/{UPN}", headers=headers).json["given_name"] == "Zebedee"

    assert erase(client, headers).status_code == 200

    assert leaked(stored_bytes(tracker).decode("latin-1")) == []
    assert leaked(decoded_log(tracker)) == []
    assert leaked(view_rows(store)) == []
    keys = key_rows(tracker, url)
    assert pupil_key not in keys and len(keys) == 7  # the worked example's seven pupils keep theirs
    record = client.get(f"/api/v1/pupils/{UPN}", headers=headers).json
    assert (
        record["given_name"],
        record["family_name"],
        record["date_of_birth"],
        record["erased"],
    ) == (None, None, None, True)
    audit = client.get(f"/api/v1/audit/events?upn={UPN}", headers=headers).get_data(as_text=True)
    assert leaked(audit) == [] and "Student.IdentityErased" in audit


def test_figures_stay_the_same_after_erasure_and_after_a_rebuild(world):
    app, headers, _ = world
    client, services = app.test_client(), app.extensions["tracker"]
    before = figures(client, headers)
    counts = client.get(f"/api/v1/pupils/{UPN}", headers=headers).json["counts"]
    assert before[1]["benchmarks"][4]["measured"] > 0

    erase(client, headers)
    assert figures(client, headers) == before
    assert client.get(f"/api/v1/pupils/{UPN}", headers=headers).json["counts"] == counts

    rebuild(services.tracker, services.store)
    assert figures(client, headers) == before
    assert (
        leaked(view_rows(services.store)) == [] and verify(services.tracker, services.store) == []
    )


def test_erasing_twice_stores_nothing_the_second_time(world):
    app, headers, _ = world
    client, tracker = app.test_client(), app.extensions["tracker"].tracker
    first = erase(client, headers).json
    head = tracker.recorder.max_notification_id()
    assert erase(client, headers).json == first and tracker.recorder.max_notification_id() == head


def test_a_request_naming_a_school_that_never_held_the_pupil_is_refused_and_erases_nothing(world):
    app, headers, _ = world
    client, tracker = app.test_client(), app.extensions["tracker"].tracker
    head = tracker.recorder.max_notification_id()
    refused = erase(client, headers, requested_by="900002")
    assert refused.status_code == 422 and set(refused.json["errors"]["json"]) == {"requested_by"}
    assert (
        tracker.recorder.max_notification_id() == head
        and tracker.identity_of(UPN)["given_name"] == "Zebedee"
    )
