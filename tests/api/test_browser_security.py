"""What a browser is told with every answer, the session cookie, signing out, and tokens that
expire."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from api.sessions import Sessions
from projections.store import SQLiteViewStore
from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in
from tests.conftest import TODAY


def _answers(world) -> dict[str, object]:
    client, admin = world.client, world.headers("admin")
    return {
        "sign-in page": client.get("/dashboard/sign-in"),
        "API figures": client.get("/api/v1/hubs/DEMO/metrics", headers=admin),
        "API pupil": client.get("/api/v1/pupils/V885400112003", headers=admin),
        "401": client.get("/api/v1/metrics/national"),
        "404": client.get("/api/v1/nowhere", headers=admin),
        "API docs": client.get("/api/docs"),
        "OpenAPI": client.get("/api/openapi.json"),
        "health": client.get("/healthz"),
    }


def test_every_answer_tells_the_browser_to_load_nothing_from_elsewhere_and_never_frame_or_sniff_it():  # noqa: E501
    for what, response in _answers(make_world()).items():
        headers = response.headers
        policy = dict(
            part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'", what
        assert policy["style-src"] == "'self'" and policy["frame-ancestors"] == "'none'", what
        assert headers["X-Content-Type-Options"] == "nosniff", what
        assert headers["X-Frame-Options"] == "DENY", what
        assert headers["Referrer-Policy"] == "no-referrer", what
        assert headers["Cache-Control"] == "no-store", what


def test_pages_with_pupil_data_are_not_kept_by_caches_but_the_static_files_may_be():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    page = world.client.get("/dashboard/pupils/V885400112003")
    assert page.status_code == 200 and "V885400112003" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    for path in ("/dashboard/static/dashboard.css", "/dashboard/static/dashboard.js"):
        static = world.client.get(path)
        assert static.status_code == 200 and "no-store" not in static.headers.get(
            "Cache-Control", ""
        ), path
        assert static.headers["X-Content-Type-Options"] == "nosniff"


def test_the_pages_have_no_inline_script_or_style_for_the_policy_to_refuse():
    world = make_world()
    sign_in(world.client, world.tokens["admin"])
    for path in (
        "/dashboard/hubs/DEMO?as_of=2019-03-31",
        "/dashboard/schools/900001",
        "/dashboard/audit",
        "/dashboard/pupils/V885400112003",
        "/api/docs",
    ):
        page = world.client.get(path).get_data(as_text=True)
        assert "<style" not in page and " style=" not in page and " onsubmit=" not in page, path
        assert "<script>" not in page, path


def _set_cookie(response) -> str:
    cookies = [value for name, value in response.headers.items() if name == "Set-Cookie"]
    assert len(cookies) == 1
    return cookies[0]


def test_the_session_cookie_is_http_only_and_same_site_lax_and_secure_over_https():
    world = make_world()
    plain = _set_cookie(sign_in(world.client, world.tokens["hub"]))
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    over_https = make_world()
    client, https = over_https.client, "https://localhost"
    form = client.get("/dashboard/sign-in", base_url=https).get_data(as_text=True)
    csrf = form.split('name="csrf" value="')[1].split('"')[0]
    signed_in = client.post(
        "/dashboard/sign-in", data={"token": over_https.tokens["hub"], "csrf": csrf}, base_url=https
    )
    assert signed_in.status_code == 302
    secure = _set_cookie(signed_in)
    assert "Secure" in secure and "HttpOnly" in secure and "SameSite=Lax" in secure


def test_the_session_cookie_can_be_marked_secure_where_tls_ends_at_a_proxy(monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    world = make_world()
    assert "Secure" in _set_cookie(sign_in(world.client, world.tokens["hub"]))


def test_signing_out_ends_the_session_so_a_copied_cookie_no_longer_works(database_url):
    world = make_world({"DATABASE_URL": database_url, "PROJECTIONS": "inline"})
    sign_in(world.client, world.tokens["school"])
    copied = world.client.get_cookie("session").value
    thief = world.client.application.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/dashboard/schools/900001").status_code == 200
    page = world.client.get("/dashboard/schools/900001").get_data(as_text=True)
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    assert world.client.post("/dashboard/sign-out", data={"csrf": csrf}).status_code == 302
    refused = thief.get("/dashboard/schools/900001")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/dashboard/sign-in")


def test_the_session_cookie_holds_neither_the_token_nor_its_id():
    import base64
    import zlib

    world = make_world()
    sign_in(world.client, world.tokens["school"])
    payload = world.client.get_cookie("session").value.split(".")
    data = payload[1] if payload[0] == "" else payload[0]
    decoded = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    text = (zlib.decompress(decoded) if payload[0] == "" else decoded).decode()
    access = world.tracker.token_for(world.tokens["school"])
    assert (
        world.tokens["school"] not in text and str(access.id) not in text and "session_id" in text
    )


def test_a_session_counts_only_within_its_lifetime_and_old_ones_are_cleared_away():
    store = SQLiteViewStore(":memory:")
    store.create_tables()
    now = [1000.0]
    sessions = Sessions(lambda: store, lifetime=60, clock=lambda: now[0])
    first = sessions.start("token-1")
    assert sessions.token_id(first) == "token-1" and sessions.token_id("forged") is None
    now[0] = 1061.0
    assert sessions.token_id(first) is None
    second = sessions.start("token-2")
    assert store.query("SELECT token_id FROM {sessions}") == [("token-2",)]
    sessions.end(second)
    assert sessions.token_id(second) is None and store.query("SELECT COUNT(*) FROM {sessions}") == [
        (0,)
    ]


def test_a_session_is_kept_by_a_hash_of_its_id_not_the_id_itself():
    store = SQLiteViewStore(":memory:")
    store.create_tables()
    session_id = Sessions(lambda: store, lifetime=60, clock=time.time).start("token-1")
    assert session_id not in str(store.query("SELECT id FROM {sessions}"))


@pytest.fixture
def expiring():
    today = [TODAY]
    world = make_world({"TODAY": lambda: today[0]})
    token, _ = world.tracker.issue_token(
        "school:900001", "visitor@example", expires_on=TODAY + timedelta(days=1)
    )
    return world, token, today


def test_an_expired_token_is_401_for_the_api(expiring):
    world, token, today = expiring
    bearer = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/v1/schools/900001", headers=bearer).status_code == 200
    today[0] = TODAY + timedelta(days=1)
    expired = world.client.get("/api/v1/schools/900001", headers=bearer)
    assert expired.status_code == 401 and expired.json["code"] == 401


def test_an_expired_token_is_signed_out_of_the_dashboard(expiring):
    world, token, today = expiring
    assert sign_in(world.client, token).status_code == 302
    assert world.client.get("/dashboard/schools/900001").status_code == 200
    today[0] = TODAY + timedelta(days=1)
    signed_out = world.client.get("/dashboard/schools/900001")
    assert signed_out.status_code == 302 and signed_out.headers["Location"].endswith(
        "/dashboard/sign-in"
    )
    assert sign_in(world.client, token).status_code == 401


def test_a_form_with_an_empty_csrf_field_is_refused_before_any_page_has_given_a_token():
    """Right after signing in the session holds no form token yet: an empty field must not
    match it."""
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    for data in ({"csrf": ""}, {}):
        refused = world.client.post("/dashboard/sign-out", data=data)
        assert refused.status_code == 400, data
    assert world.client.get("/dashboard/schools/900001").status_code == 200, "still signed in"
