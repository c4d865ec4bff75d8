"""Tokens that expire: the expiry is on the Issued event, and tokens issued before there was one
never expire."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from eventsourcing.persistence import StoredEvent

from projections.runner import Runner
from projections.store import SQLiteViewStore
from tests.conftest import TODAY
from tracker.application import Tracker
from tracker.domain.access import AccessToken
from tracker.errors import InvalidValue
from tracker.usecases.access import expiry_date, hash_token


@pytest.fixture
def clock():
    return [TODAY]


@pytest.fixture
def app(clock):
    return Tracker.from_url("memory://", today=lambda: clock[0])


def test_a_token_works_until_the_day_it_expires_on_by_bearer_and_by_id(app, clock):
    token, written = app.issue_token(
        "hub:DEMO", "lead@example", expires_on=TODAY + timedelta(days=2)
    )
    clock[0] = TODAY + timedelta(days=1)
    assert app.token_for(token).expires_on == TODAY + timedelta(days=2)
    assert app.token_by_id(written.id) is not None
    clock[0] = TODAY + timedelta(days=2)
    assert app.token_for(token) is None and app.token_by_id(written.id) is None


def test_a_token_cannot_be_issued_already_expired(app):
    for day in (TODAY, TODAY - timedelta(days=1)):
        with pytest.raises(InvalidValue) as refused:
            app.issue_token("auditor", "x", expires_on=day)
        assert refused.value.field == "expires"
    assert (app.recorder.max_notification_id() or 0) == 0, "a refused token stores nothing"


def test_expires_is_a_date_or_a_number_of_days():
    assert expiry_date("2027-01-31", TODAY) == date(2027, 1, 31)
    assert expiry_date("90d", TODAY) == TODAY + timedelta(days=90)
    for wrong in ("tomorrow", "90", "d", "-3d", "9999999d", "²d", "2027-02-30"):
        with pytest.raises(InvalidValue):
            expiry_date(wrong, TODAY)


def test_a_token_issued_before_tokens_could_expire_still_works_and_never_expires(app, clock):
    # As the first version of the Issued event was stored: no class_version, no expires_on.
    token = "issued-long-ago"
    token_id = AccessToken.create_id(hash_token(token))
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2019-01-01T00:00:00+00:00"},
        "originator_topic": "tracker.domain.access:AccessToken",
        "token_hash": hash_token(token),
        "scope": "auditor",
        "subject": "old@example",
        "note": "",
        "actor": "cli",
        "request_id": "",
    }
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=token_id,
                originator_version=1,
                topic="tracker.domain.access:AccessToken.Issued",
                state=json.dumps(state).encode(),
            )
        ]
    )
    clock[0] = date(2099, 1, 1)
    access = app.token_for(token)
    assert access is not None and access.scope == "auditor" and access.expires_on is None
    views = SQLiteViewStore(":memory:")
    views.create_tables()
    Runner(app, views).catch_up()
    assert views.query("SELECT subject, expires_on FROM {tokens}") == [("old@example", None)]
