"""The access log: every read of a pupil's identity is written down (who, when, from where, through
what) before the answer goes out, on every store; a read that cannot be written down is refused."""

from __future__ import annotations

from projections.rebuild import rebuild, verify
from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in
from tests.scenarios import PUPILS, UPN

P1, MOVED = UPN["p1"], UPN["p2"]
FROM = {"REMOTE_ADDR": "203.0.113.9"}


def world_on(database_url: str):
    return make_world({"DATABASE_URL": database_url, "PROJECTIONS": "inline"})


def read_log(world, who: str = "auditor", query: str = "") -> list[dict]:
    response = world.client.get(f"/api/v1/audit/pupil-reads{query}", headers=world.headers(who))
    assert response.status_code == 200, response.json
    return response.json["items"]


def store_of(world):
    return world.client.application.extensions["tracker"].store


def test_every_read_of_a_pupils_identity_is_logged_with_who_when_where_and_what(database_url):
    world = world_on(database_url)
    get = world.client.get
    for path, who in (
        (f"/api/v1/pupils/{P1}", "school"),
        (f"/api/v1/pupils/{P1}/timeline", "school"),
        (f"/api/v1/pupils/{P1}/export", "admin"),
        (f"/api/v1/audit/events?upn={P1}", "auditor"),
    ):
        assert get(path, headers=world.headers(who), environ_base=FROM).status_code == 200
    browser = world.client.application.test_client()
    sign_in(browser, world.tokens["school"])
    assert browser.get(f"/dashboard/pupils/{P1}", environ_base=FROM).status_code == 200
    logged = read_log(world, query=f"?upn={P1}")
    assert [(r["what"], r["subject"], r["scope"], r["address"]) for r in logged] == [
        ("GET /api/v1/pupils/<upn>", "school@example", "school:900001", "203.0.113.9"),
        ("GET /api/v1/pupils/<upn>/timeline", "school@example", "school:900001", "203.0.113.9"),
        ("GET /api/v1/pupils/<upn>/export", "admin@example", "admin", "203.0.113.9"),
        ("GET /api/v1/audit/events", "auditor@example", "auditor", "203.0.113.9"),
        ("GET /dashboard/pupils/<upn>", "school@example", "school:900001", "203.0.113.9"),
    ]
    assert all(r["upn"] == P1 and r["read_at"] > "2019" and r["request_id"] for r in logged)
    assert [r["id"] for r in logged] == sorted(r["id"] for r in logged)


def test_the_unfiltered_audit_log_logs_each_pupil_whose_own_record_it_shows(database_url):
    world = world_on(database_url)
    shown = world.client.get(
        "/api/v1/audit/events?limit=1000", headers=world.headers("auditor")
    ).json["items"]
    registered = {e["upn"] for e in shown if e["type"] == "Student.Registered"}
    assert registered == {p.upn for p in PUPILS}
    assert {r["upn"] for r in read_log(world)} == registered
    # A page with no pupil's own record on it reads nobody's identity.
    world.client.get("/api/v1/audit/events?type=Hub.Registered", headers=world.headers("auditor"))
    assert len(read_log(world)) == len(registered)


def test_reads_that_show_no_identity_and_refused_reads_are_not_logged():
    world = make_world()
    for path, who in (
        ("/api/v1/schools/900001/status", "school"),
        ("/api/v1/hubs/DEMO/metrics", "hub"),
        (f"/api/v1/activities/{world.ids['fair']}", "school"),
        (f"/api/v1/pupils/{P1}", "hub"),
        (f"/api/v1/pupils/{P1}", "other_school"),
        (f"/api/v1/pupils/{P1}/export", "other_school"),
    ):
        world.client.get(path, headers=world.headers(who))
    assert read_log(world) == []


def test_a_read_that_cannot_be_logged_is_refused_with_503_and_shows_nothing(database_url):
    world = world_on(database_url)
    store = store_of(world)
    postgres = database_url.startswith("postgres")
    with (
        store.transaction() as cursor
    ):  # inserts now fail as a full disk or a lost table would make them
        cursor.execute(
            "ALTER TABLE v_pupil_reads ADD CONSTRAINT refuse CHECK (false) NOT VALID"
            if postgres
            else "CREATE TRIGGER refuse BEFORE INSERT ON v_pupil_reads "
            "BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
    browser = world.client.application.test_client()
    sign_in(browser, world.tokens["school"])
    for response in (
        world.client.get(f"/api/v1/pupils/{P1}", headers=world.headers("school")),
        world.client.get(f"/api/v1/pupils/{P1}/export?format=html", headers=world.headers("admin")),
        world.client.get(f"/api/v1/audit/events?upn={P1}", headers=world.headers("auditor")),
        browser.get(f"/dashboard/pupils/{P1}"),
    ):
        body = response.get_data(as_text=True)
        assert response.status_code == 503 and response.headers["Retry-After"], body
        assert "access log" in response.json["message"]
        assert P1 not in body and "P1" not in body and "2007-01-15" not in body
    with store.transaction() as cursor:
        cursor.execute(
            "ALTER TABLE v_pupil_reads DROP CONSTRAINT refuse"
            if postgres
            else "DROP TRIGGER refuse"
        )
    assert (
        world.client.get(f"/api/v1/pupils/{P1}", headers=world.headers("school")).status_code == 200
    )
    assert len(read_log(world)) == 1


def test_a_rebuild_of_the_views_keeps_the_access_log(database_url):
    world = world_on(database_url)
    world.client.get(f"/api/v1/pupils/{P1}", headers=world.headers("school"))
    before = read_log(world)
    services = world.client.application.extensions["tracker"]
    rebuild(services.tracker, services.store)
    assert read_log(world) == before and len(before) == 1
    assert verify(services.tracker, services.store) == []


def test_the_holding_school_reads_its_pupils_log_without_addresses_and_nobody_elses():
    world = make_world()
    for who in ("school", "admin"):
        world.client.get(f"/api/v1/pupils/{MOVED}", headers=world.headers(who), environ_base=FROM)
    world.client.get(f"/api/v1/pupils/{P1}", headers=world.headers("school"))
    holding = read_log(world, "other_school", f"?upn={MOVED}")  # B holds the pupil who moved from A
    assert [(r["subject"], r["scope"], r["address"], r["request_id"]) for r in holding] == [
        ("school@example", "school:900001", None, None),
        ("admin@example", "admin", None, None),
    ]
    assert read_log(world, "admin", f"?upn={MOVED}")[0]["address"] == "203.0.113.9"
    get = world.client.get
    assert (
        get(f"/api/v1/audit/pupil-reads?upn={MOVED}", headers=world.headers("school")).status_code
        == 403
    )
    assert (
        get(
            f"/api/v1/audit/pupil-reads?upn={P1}", headers=world.headers("other_school")
        ).status_code
        == 403
    )
    assert get("/api/v1/audit/pupil-reads", headers=world.headers("school")).status_code == 403
    assert (
        get(f"/api/v1/audit/pupil-reads?upn={P1}&limit=x", headers=world.headers("hub")).status_code
        == 403
    )


def test_the_access_log_pages_by_id_like_the_other_lists():
    world = make_world()
    for _ in range(3):
        world.client.get(f"/api/v1/pupils/{P1}", headers=world.headers("school"))
    first = world.client.get(
        "/api/v1/audit/pupil-reads?limit=2", headers=world.headers("auditor")
    ).json
    rest = world.client.get(
        f"/api/v1/audit/pupil-reads?limit=2&after={first['next']}", headers=world.headers("auditor")
    ).json
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next"] is None
    assert [r["id"] for r in first["items"] + rest["items"]] == [1, 2, 3]


def test_the_dashboards_audit_page_logs_the_pupils_it_shows():
    world = make_world()
    browser = world.client.application.test_client()
    sign_in(browser, world.tokens["auditor"])
    assert browser.get(f"/dashboard/audit?upn={MOVED}").status_code == 200
    assert [(r["upn"], r["what"], r["scope"]) for r in read_log(world)] == [
        (MOVED, "GET /dashboard/audit", "auditor")
    ]
    assert browser.get("/dashboard/audit?type=Student.Registered").status_code == 200
    assert {r["upn"] for r in read_log(world)[1:]} == {p.upn for p in PUPILS}


def test_every_api_process_on_one_database_writes_to_and_reads_the_same_log(postgres_url):
    from api import create_app

    world = world_on(postgres_url)
    other = create_app(
        {"DATABASE_URL": postgres_url, "PROJECTIONS": "inline", "TESTING": True}
    ).test_client()
    assert other.get(f"/api/v1/pupils/{P1}", headers=world.headers("school")).status_code == 200
    assert (
        world.client.get(f"/api/v1/pupils/{P1}", headers=world.headers("admin")).status_code == 200
    )
    seen_by_other = other.get("/api/v1/audit/pupil-reads", headers=world.headers("auditor")).json[
        "items"
    ]
    assert (
        [r["subject"] for r in seen_by_other]
        == [r["subject"] for r in read_log(world)]
        == ["school@example", "admin@example"]
    )
