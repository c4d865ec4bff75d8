"""With the store away: 503 with Retry-After (never a 500), liveness still answers, nothing
half-written."""

from __future__ import annotations

from api import create_app

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nowhere"


def test_requests_get_503_with_retry_after_while_the_store_is_unreachable():
    client = create_app({"DATABASE_URL": UNREACHABLE, "TESTING": True}).test_client()
    for method, path in (
        ("GET", "/api/v1/metrics/national"),
        ("POST", "/api/v1/hubs"),
        ("GET", "/readyz"),
    ):
        response = client.open(
            path, method=method, json={}, headers={"Authorization": "Bearer anything"}
        )
        assert response.status_code == 503, (path, response.json)
        assert response.json["code"] == 503 and "Traceback" not in response.get_data(as_text=True)
    assert (
        client.get(
            "/api/v1/metrics/national", headers={"Authorization": "Bearer anything"}
        ).headers["Retry-After"]
        == "2"
    )
    assert client.get("/healthz").status_code == 200


def test_views_made_by_another_version_give_503_saying_to_rebuild_not_a_500(tmp_path):
    from projections.store import view_store_for
    from tests.scenarios import build_worked_example
    from tracker.application import Tracker

    url = f"sqlite:///{tmp_path / 'events.sqlite3'}"
    app = Tracker.from_url(url)
    build_worked_example(app)
    token, _ = app.issue_token("admin", "admin@example")
    views = view_store_for(url)
    views.create_tables()
    with views.transaction() as cursor:  # as views made by an earlier version look
        views.execute(cursor, "UPDATE {tracking} SET position = 1 WHERE name = 'schema'")
    client = create_app({"DATABASE_URL": url, "TESTING": True}).test_client()
    response = client.get("/api/v1/metrics/national", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503, response.json
    assert "tracker rebuild" in response.json["message"] and "Traceback" not in response.get_data(
        as_text=True
    )
