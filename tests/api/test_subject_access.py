"""A subject access export: everything held about one pupil, for the holding school, auditors and
admins only."""

from __future__ import annotations

import json

from tests.api.conftest import make_world
from tests.scenarios import PUPILS, UPN

MOVED = UPN["p2"]  # on roll at A, left for B on 2019-02-28: B holds them now


def export(world, upn: str, who: str, query: str = "", **headers: str):
    return world.client.get(
        f"/api/v1/pupils/{upn}/export{query}", headers=world.headers(who, **headers)
    )


def test_the_holding_school_exports_its_own_part_of_a_transferred_pupils_record():
    """docs/transfers.md: the school a pupil moved to never sees the previous school's enrolment,
    flags or destination, in the export as anywhere else; the counted encounters go with the
    pupil."""
    world = make_world()
    record = export(world, MOVED, "other_school").json
    assert [(e["school_urn"], e["left_on"]) for e in record["enrolments"]] == [("900002", None)]
    assert record["destinations"] == []
    assert record["encounters"]["counts"]["employer_this_year"] == 1
    assert "Student.Left" not in {event["type"] for event in record["events"]}
    assert {event["school_urn"] for event in record["events"]} <= {"900002", None}


def test_an_admin_exports_the_pupils_whole_record_as_json():
    world = make_world()
    response = export(world, MOVED, "admin")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    record = response.json
    assert record["identity"] == {
        "given_name": "P2",
        "family_name": "Pupil",
        "date_of_birth": "2007-01-15",
        "pseudonymised": False,
    }
    assert [
        (e["school_urn"], e["school_name"], e["enrolled_on"], e["left_on"])
        for e in record["enrolments"]
    ] == [
        ("900001", "School A", "2018-09-03", "2019-02-28"),
        ("900002", "School B", "2019-03-01", None),
    ]
    assert record["destinations"] == [
        {"school_urn": "900001", "left_on": "2019-02-28", "destination": "moved_away"}
    ]
    assert record["year_groups"] == {
        "this_year": 7,
        "recorded": [{"from": "2018/19", "year_group": 7}],
    }
    assert record["flags"] == {"sen": False, "pupil_premium": False}
    attended = [
        (a["kind"], a["title"], a["occurred_on"], a["employer"], a["school_urn"])
        for a in record["activities"]
    ]
    assert attended == [
        ("careers_fair", "careers_fair on 2018-11-15", "2018-11-15", "Acme Engineering", "900001")
    ]
    assert record["encounters"]["counts"]["employer_this_year"] == 1
    assert [c["kind"] for c in record["encounters"]["counted"]] == ["careers_fair"]
    types = [event["type"] for event in record["events"]]
    assert types[:3] == ["Student.Registered", "Student.Enrolled", "Roll.PupilAdmitted"]
    assert {"Activity.Recorded", "Student.Left", "Roll.PupilDischarged"} <= set(types)
    assert [e["position"] for e in record["events"]] == sorted(
        e["position"] for e in record["events"]
    )
    assert all(
        {"recorded_at", "actor", "request_id", "data"} <= set(event) for event in record["events"]
    )


def test_other_pupils_named_in_the_pupils_events_are_withheld_and_counted():
    world = make_world()
    record = export(world, MOVED, "admin").json
    fair = next(e for e in record["events"] if e["type"] == "Activity.Recorded")
    assert fair["data"]["attendees"] == [MOVED] and fair["data"]["attendees_withheld"] == 3
    body = json.dumps(record)
    assert [p.upn for p in PUPILS if p.upn in body] == [MOVED]


def test_placements_guidance_and_amendments_of_attended_activities_are_in_the_export():
    world = make_world()
    p4, admin = UPN["p4"], world.headers("admin")
    meeting = world.client.post(
        "/api/v1/schools/900001/activities",
        headers=admin,
        json={
            "kind": "guidance_meeting",
            "title": "Careers interview",
            "occurred_on": "2019-05-01",
            "provider": {"name": "Adviser Ltd", "type": "training_provider"},
            "attendees": [p4],
        },
    )
    assert meeting.status_code == 201, meeting.json
    amended = world.client.post(
        f"/api/v1/activities/{world.ids['fair']}/amend",
        headers=admin,
        json={"title": "Autumn careers fair", "reason": "clearer title"},
    )
    assert amended.status_code == 200
    record = export(world, p4, "school").json
    assert [(g["kind"], g["title"], g["provider"]) for g in record["guidance"]] == [
        ("guidance_meeting", "Careers interview", "Adviser Ltd")
    ]
    assert [a["title"] for a in record["activities"]] == ["Autumn careers fair"]
    completed = [p for p in record["placements"] if p["state"] == "completed"]
    assert [(p["employer"], p["completed_on"], p["hours"]) for p in completed] == [
        ("Acme Engineering", "2019-04-20", 30)
    ]
    assert "Activity.Amended" in [e["type"] for e in record["events"]]


def test_the_readable_export_is_a_plain_page_with_every_value_escaped():
    world = make_world()
    recorded = world.client.post(
        "/api/v1/schools/900001/activities",
        headers=world.headers("school"),
        json={
            "kind": "employer_talk",
            "title": "<script>alert(1)</script>",
            "occurred_on": "2019-05-01",
            "meaningful": True,
            "employer": {"name": "Acme & Sons"},
            "attendees": [UPN["p1"]],
        },
    )
    assert recorded.status_code == 201
    for response in (
        export(world, UPN["p1"], "school", "?format=html"),
        export(world, UPN["p1"], "school", Accept="text/html,application/xhtml+xml;q=0.9"),
    ):
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert response.headers["Cache-Control"] == "no-store"
        assert "<h2>Activities attended</h2>" in page and 'id="events"' in page
        assert [p.upn for p in PUPILS if p.upn in page] == [
            UPN["p1"]
        ]  # the fair's other attendees are not named
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
        assert "Acme &amp; Sons" in page and "P1" in page
    assert export(world, UPN["p1"], "school", Accept="*/*").mimetype == "application/json"


def test_only_the_holding_school_auditors_and_admins_may_export_and_an_unknown_pupil_is_not_revealed():  # noqa: E501
    world = make_world()
    statuses = {
        who: export(world, MOVED, who).status_code
        for who in ("admin", "auditor", "school", "other_school", "hub", "other_hub", "nobody")
    }
    # School A had the pupil on roll until February: it may still read their record, but not export
    # it.
    assert statuses == {
        "admin": 200,
        "auditor": 200,
        "school": 403,
        "other_school": 200,
        "hub": 403,
        "other_hub": 403,
        "nobody": 401,
    }
    assert (
        world.client.get(f"/api/v1/pupils/{MOVED}", headers=world.headers("school")).status_code
        == 200
    )
    unknown = "X885400112099"
    assert export(world, unknown, "admin").status_code == 404
    refused = export(world, unknown, "school")
    assert refused.status_code == 403 and unknown not in refused.get_data(as_text=True)
    assert export(world, MOVED, "admin", "?format=pdf").status_code == 422


def test_the_openapi_document_describes_every_key_of_the_export():
    """The export's parts are described key by key (api/list_items.py), as documentation only:
    this keeps the description and the record from drifting apart."""
    world = make_world()
    records = [export(world, upn, "admin").json for upn in (MOVED, UPN["p4"])]
    document = world.client.get("/api/openapi.json").json
    described = document["components"]["schemas"]["SubjectAccess"]["properties"]

    def keys(part: str) -> set[str]:
        shape = described[part]
        return set((shape.get("items") or shape)["properties"])

    for part in ("identity", "year_groups", "flags", "encounters"):
        assert all(set(record[part]) == keys(part) for record in records), part
    for part in ("enrolments", "destinations", "activities", "placements", "events"):
        items = [item for record in records for item in record[part]]
        assert items, f"the scenario has {part}"
        assert set().union(*map(set, items)) <= keys(part), part
