"""The contract's endpoints through Flask's test client: results, refusals, idempotency, privacy."""

from __future__ import annotations

import pytest

from api import create_app
from tests.conftest import TODAY
from tests.integration.test_worked_example import EXPECTED
from tests.scenarios import PUPILS, SCHOOL_A, SCHOOL_B, UPN

ACTIVITY = {
    "kind": "employer_talk",
    "title": "Talk",
    "occurred_on": "2019-01-10",
    "employer": {"name": "Acme", "size": "large"},
    "meaningful": True,
    "attendees": [UPN["p1"]],
}


def event_count(world) -> int:
    return world.tracker.recorder.max_notification_id()


def test_the_worked_example_recorded_over_http_gives_the_table():
    app = create_app({"DATABASE_URL": "memory://", "TESTING": True, "TODAY": lambda: TODAY})
    tracker = app.extensions["tracker"].tracker
    client, token = app.test_client(), tracker.issue_token("admin", "admin@example")[0]
    auth = {"Authorization": f"Bearer {token}"}

    def post(path, body, status=201):
        response = client.post(f"/api/v1{path}", json=body, headers=auth)
        assert response.status_code == status, response.json
        return response.json

    post("/hubs", {"code": "DEMO", "name": "Demo", "area": "Worcestershire", "wave": 1})
    for urn, laestab in ((SCHOOL_A, "8854001"), (SCHOOL_B, "8854002")):
        post(
            "/schools",
            {
                "urn": urn,
                "name": urn,
                "type": "secondary",
                "la_code": "885",
                "laestab": laestab,
                **({"last_year_group": 13} if urn == SCHOOL_A else {}),
            },
        )
        assert (
            client.put(
                f"/api/v1/hubs/DEMO/schools/{urn}", json={"joined_on": "2018-09-01"}, headers=auth
            ).status_code
            == 200
        )
    for p in PUPILS:
        post(
            f"/schools/{p.urn}/pupils",
            {
                "upn": p.upn,
                "given_name": p.name,
                "family_name": "Pupil",
                "date_of_birth": p.date_of_birth.isoformat(),
                "year_group": p.year_group,
                "enrolled_on": "2018-09-03",
            },
        )
    employer = {"name": "Acme", "size": "large"}

    def activity(urn, kind, on, names, meaningful=True):
        post(
            f"/schools/{urn}/activities",
            {
                "kind": kind,
                "title": kind,
                "occurred_on": on,
                "employer": employer,
                "meaningful": meaningful,
                "attendees": [UPN[n] for n in names],
            },
        )

    activity(SCHOOL_A, "careers_fair", "2018-11-15", ["p1", "p2", "p3", "p4"])
    activity(SCHOOL_A, "employer_talk", "2019-02-01", ["p5"])
    post(f"/schools/{SCHOOL_A}/pupils/{UPN['p2']}/leave", {"left_on": "2019-02-28"}, 200)
    post(
        f"/schools/{SCHOOL_B}/pupils",
        {
            "upn": UPN["p2"],
            "given_name": "p2",
            "family_name": "Pupil",
            "date_of_birth": PUPILS[1].date_of_birth.isoformat(),
            "year_group": 7,
            "enrolled_on": "2019-03-01",
        },
    )
    activity(SCHOOL_A, "workplace_visit", "2019-03-10", ["p3"])
    for name, on in (("p4", "2019-04-20"), ("p5", "2018-12-07")):
        placement = post(
            f"/schools/{SCHOOL_A}/placements",
            {
                "upn": UPN[name],
                "kind": "work_experience",
                "employer": employer,
                "starts_on": on,
                "ends_on": on,
            },
        )
        post(f"/placements/{placement['id']}/complete", {"completed_on": on, "hours": 30}, 200)
    activity(SCHOOL_B, "employer_talk", "2019-01-20", ["p6", "p7"], meaningful=False)
    activity(SCHOOL_B, "mentoring", "2019-03-01", ["p6", "p7"])
    last = post(
        f"/schools/{SCHOOL_B}/activities",
        {
            "kind": "workplace_visit",
            "title": "Visit",
            "occurred_on": "2019-03-05",
            "employer": employer,
            "attendees": [UPN["p7"]],
        },
    )
    for as_of, a5, a6, b5, b6, employer_pct, workplace_pct in EXPECTED:
        metrics = client.get(
            f"/api/v1/hubs/DEMO/metrics?as_of={as_of}&min_position={last['position']}", headers=auth
        ).json
        rows = {row["urn"]: row["benchmarks"] for row in metrics["school_rows"]}
        got = [
            (rows[u][b - 1]["measured"], rows[u][b - 1]["met"], rows[u][b - 1]["coverage"])
            for u, b in ((SCHOOL_A, 5), (SCHOOL_A, 6), (SCHOOL_B, 5), (SCHOOL_B, 6))
        ]
        assert got == [a5, a6, b5, b6]
        assert (
            metrics["every_student_employer_encounters"],
            metrics["every_student_workplace_experience"],
        ) == (employer_pct, workplace_pct)


def test_a_repeated_idempotency_key_returns_the_first_response_and_stores_nothing(world):
    headers = world.headers("school", **{"Idempotency-Key": "abc-1"})
    first = world.client.post(
        f"/api/v1/schools/{SCHOOL_A}/activities", json=ACTIVITY, headers=headers
    )
    count = event_count(world)
    again = world.client.post(
        f"/api/v1/schools/{SCHOOL_A}/activities", json=ACTIVITY, headers=headers
    )
    assert (again.status_code, again.json) == (first.status_code, first.json)
    assert event_count(world) == count
    different = world.client.post(
        f"/api/v1/schools/{SCHOOL_A}/activities",
        json={**ACTIVITY, "title": "Other"},
        headers=headers,
    )
    assert different.status_code == 409 and "Idempotency-Key" in different.json["errors"]["json"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({**ACTIVITY, "attendees": [UPN["p6"]]}, "attendees"),
        ({**ACTIVITY, "occurred_on": "2019-08-01"}, "occurred_on"),
        ({**ACTIVITY, "kind": "party"}, "kind"),
        ({**ACTIVITY, "surprise": True}, "surprise"),
        ({**ACTIVITY, "attendees": ["NOT-A-UPN"]}, "attendees"),
    ],
)
def test_a_bad_activity_is_refused_with_422_naming_the_field_and_stores_nothing(world, body, field):
    count = event_count(world)
    response = world.client.post(
        f"/api/v1/schools/{SCHOOL_A}/activities", json=body, headers=world.headers("school")
    )
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert event_count(world) == count


def test_malformed_json_is_400_and_an_oversized_body_is_413(world):
    bad = world.client.post(
        f"/api/v1/schools/{SCHOOL_A}/activities",
        data="{nope",
        headers=world.headers("school", **{"Content-Type": "application/json"}),
    )
    assert bad.status_code == 400 and bad.json["code"] == 400
    huge = world.client.post(
        f"/api/v1/schools/{SCHOOL_A}/activities",
        data="x" * (2 * 1024 * 1024),
        headers=world.headers("school", **{"Content-Type": "application/json"}),
    )
    assert huge.status_code == 413 and huge.json["status"] == "Request Entity Too Large"


def test_unknown_objects_are_404_and_duplicates_409(world):
    assert (
        world.client.get("/api/v1/hubs/NOPE/metrics", headers=world.headers("admin")).status_code
        == 404
    )
    missing = world.client.post(
        "/api/v1/activities/5b7a3a3e-0000-4000-8000-000000000000/retract",
        json={"reason": "x"},
        headers=world.headers("admin"),
    )
    assert missing.status_code == 404
    again = world.client.post(
        "/api/v1/schools",
        json={
            "urn": SCHOOL_A,
            "name": "A",
            "type": "secondary",
            "la_code": "885",
            "laestab": "8854001",
        },
        headers=world.headers("admin"),
    )
    assert again.status_code == 409


def test_a_hub_token_never_receives_a_pupils_name_upn_or_date_of_birth(world):
    responses = [
        world.client.get(path, headers=world.headers("hub"))
        for path in (
            "/api/v1/hubs/DEMO/metrics?as_of=2019-03-31",
            "/api/v1/hubs/DEMO/metrics/series?year=2018/19",
            f"/api/v1/schools/{SCHOOL_A}/status?as_of=2019-03-31",
            f"/api/v1/schools/{SCHOOL_A}/activities",
            "/api/v1/metrics/national",
            f"/api/v1/pupils/{UPN['p1']}",
            f"/api/v1/activities/{world.ids['fair']}",
        )
    ]
    text = " ".join(r.get_data(as_text=True) for r in responses)
    for pupil in PUPILS:
        assert pupil.upn not in text and pupil.date_of_birth.isoformat() not in text
        assert f'"{pupil.name.upper()}"' not in text
    assert [r.status_code for r in responses][:5] == [200] * 5


def test_the_csv_import_reports_each_refused_row_and_a_second_import_changes_nothing(world):
    csv = (
        "UPN,Legal Surname,Forename,DOB,NC Year\r\n"
        "X885400112099,Smith,Ann,15/01/2007,7\r\n"
        "H885400112098,Jones,Bob,2007-01-15,7\r\n"
        "B885400112099,Bad,Check,15/01/2007,7\r\n"
        "U885400112097,Late,Date,31/02/2007,7\r\n"
    )
    headers = world.headers("school", **{"Content-Type": "text/csv"})
    first = world.client.post(
        f"/api/v1/schools/{SCHOOL_A}/pupils/import", data=csv.encode("cp1252"), headers=headers
    ).json
    count = event_count(world)
    second = world.client.post(
        f"/api/v1/schools/{SCHOOL_A}/pupils/import", data=csv, headers=headers
    ).json
    assert (first["accepted"], [r["line"] for r in first["rejected"]]) == (2, [4, 5])
    assert (
        "upn" in first["rejected"][0]["reasons"]
        and "date_of_birth" in first["rejected"][1]["reasons"]
    )
    assert (second["accepted"], second["unchanged"], event_count(world)) == (0, 2, count)


def test_every_response_carries_a_request_id_and_writes_record_it(world):
    response = world.client.post(
        f"/api/v1/schools/{SCHOOL_A}/activities",
        json=ACTIVITY,
        headers=world.headers("school", **{"X-Request-Id": "trace-42"}),
    )
    assert response.headers["X-Request-Id"] == "trace-42"
    events = world.client.get(
        "/api/v1/audit/events?type=Activity.Recorded&limit=1000", headers=world.headers("auditor")
    ).json["items"]
    assert (events[-1]["request_id"], events[-1]["actor"]) == ("trace-42", "school@example")


def test_reads_wait_for_min_position_and_say_422_for_one_the_log_has_not_reached(world):
    # Waiting cannot bring a position beyond the log's head: a 503 ("retry") was never going to
    # succeed.
    ahead = event_count(world) + 100
    response = world.client.get(
        f"/api/v1/schools/{SCHOOL_A}/status?min_position={ahead}", headers=world.headers("school")
    )
    assert response.status_code == 422 and "min_position" in response.json["errors"]["query"]


def test_the_openapi_document_lists_every_path_and_the_docs_work_offline(world):
    spec = world.client.get("/api/openapi.json").json
    for path in (
        "/api/v1/hubs",
        "/api/v1/schools/{urn}/activities",
        "/api/v1/audit/events",
        "/api/v1/hubs/{code}/metrics/series",
        "/api/v1/placements/{placement_id}/complete",
    ):
        assert path in spec["paths"], path
    page = world.client.get("/api/docs").get_data(as_text=True)
    assert "http" not in page.replace("http-equiv", "")  # nothing fetched from elsewhere
    assert world.client.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200


def test_a_pupils_timeline_lists_what_touched_them_in_order_a_page_at_a_time(world):
    headers = world.headers("school")
    first = world.client.get(f"/api/v1/pupils/{UPN['p3']}/timeline?limit=2", headers=headers).json
    rest = world.client.get(
        f"/api/v1/pupils/{UPN['p3']}/timeline?after={first['next']}&limit=100", headers=headers
    ).json
    types = [item["type"] for item in first["items"] + rest["items"]]
    positions = [item["position"] for item in first["items"] + rest["items"]]
    assert positions == sorted(positions) and rest["next"] is None
    assert types[:2] == ["Student.Registered", "Student.Enrolled"]
    assert {"Activity.Recorded", "Placement.Arranged"} <= set(types)


def test_readiness_reports_how_far_the_views_trail_the_log(world):
    ready = world.client.get("/readyz").json
    assert ready["status"] == "ready" and ready["events"] >= 0 and ready["seconds"] >= 0


def test_a_hubs_school_rows_are_exactly_what_their_schema_would_dump_and_are_documented_by_it(
    world,
):
    from api.schemas import SchoolRow

    metrics = world.client.get(
        "/api/v1/hubs/DEMO/metrics?as_of=2019-03-31", headers=world.headers("hub")
    ).json
    rows = metrics["school_rows"]
    assert [row["urn"] for row in rows] == [SCHOOL_A, SCHOOL_B]
    assert (
        SchoolRow(many=True).dump(rows) == rows
    )  # passed through as built, so they must be its form
    document = world.client.get("/api/openapi.json").json
    school_rows = document["components"]["schemas"]["HubMetrics"]["properties"]["school_rows"]
    assert school_rows == {"type": "array", "items": {"$ref": "#/components/schemas/SchoolRow"}}
