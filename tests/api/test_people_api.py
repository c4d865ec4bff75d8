"""The auditor's question about people: who could see a school's pupils on a day, and who
granted it."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.api.conftest import make_world
from tracker.domain.base import Caller


def test_an_auditor_asks_who_could_see_a_schools_pupils_and_who_granted_it():
    world = make_world()
    admin = Caller("admin@example.org", "r")
    world.tracker.invite_person("cl@example.org", "Cee", "school:900001", caller=admin)
    world.tracker.invite_person("lead@example.org", "Lead", "hub:DEMO", caller=admin)
    for email in ("cl@example.org", "lead@example.org"):
        world.tracker.join(email)
    today = datetime.now(timezone.utc).date().isoformat()
    response = world.client.get(
        f"/api/v1/audit/access?school=900001&on={today}", headers=world.headers("auditor")
    )
    assert response.status_code == 200, response.json
    assert [(i["email"], i["scope"], i["given_by"]) for i in response.json["items"]] == [
        ("cl@example.org", "school:900001", "admin@example.org")
    ], "a hub grant never shows a school's pupils"


def test_the_question_needs_a_school_and_a_day():
    world = make_world()
    response = world.client.get("/api/v1/audit/access", headers=world.headers("auditor"))
    assert response.status_code == 422 and {"school", "on"} <= set(response.json["errors"]["query"])
