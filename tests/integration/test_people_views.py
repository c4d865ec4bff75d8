"""People on the views, on every store: who could see a school's pupils on a day, and who granted
it; a hub grant never shows pupils, a withdrawn grant stays on record."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from projections.people import people, who_could_see_pupils
from projections.runner import Runner
from projections.store import view_store_for
from tracker.application import Tracker
from tracker.domain.base import Caller


@pytest.fixture
def app_and_store(database_url):
    app = Tracker.from_url(database_url, today=lambda: date(2019, 7, 15))
    store = view_store_for(database_url)
    store.create_tables()
    yield app, store
    store.close()


def test_who_could_see_a_schools_pupils_and_who_granted_it(app_and_store):
    app, store = app_and_store
    admin = Caller("admin@example.org", "r")
    app.invite_person("cl@example.org", "Cee Ell", "school:100001", caller=admin)
    app.invite_person("gone@example.org", "Gone", "school:100001", caller=admin)
    app.invite_person("other@example.org", "Other", "school:100002", caller=admin)
    app.invite_person("lead@example.org", "Lead", "hub:NORTH", caller=admin)
    app.invite_person("never@example.org", "Never joined", "school:100001", caller=admin)
    for email in ("cl@example.org", "gone@example.org", "other@example.org", "lead@example.org"):
        app.join(email, caller=Caller(email, "r"))
    app.withdraw_grant("gone@example.org", "school:100001", "left the school", caller=admin)
    Runner(app, store).catch_up()

    today = datetime.now(timezone.utc).date()
    seen = who_could_see_pupils(store, "100001", today)
    assert [(row["email"], row["given_by"]) for row in seen] == [
        ("cl@example.org", "admin@example.org"),
        ("gone@example.org", "admin@example.org"),
    ]
    assert seen[0]["withdrawn_at"] is None and seen[1]["withdrawn_by"] == "admin@example.org"
    assert who_could_see_pupils(store, "100001", today - timedelta(days=1)) == []


def test_the_people_list_shows_grants_held_now(app_and_store):
    app, store = app_and_store
    app.invite_person("trust@example.org", "Trust", "school:100001")
    app.give_grant("trust@example.org", "school:100002")
    app.withdraw_grant("trust@example.org", "school:100001", "handed over")
    app.join("trust@example.org")
    app.disable_account("trust@example.org", "left")
    Runner(app, store).catch_up()
    assert people(store) == [
        {
            "email": "trust@example.org",
            "name": "Trust",
            "joined": True,
            "disabled": True,
            "grants": ["school:100002"],
        }
    ]
