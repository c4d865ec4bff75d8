"""Failed sign-ins are limited per client address, through the API and the dashboard's form."""

from __future__ import annotations

from api import create_app
from api.ratelimit import FailedSignIns
from projections.store import SQLiteViewStore
from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in

LIMIT = 3


def test_after_too_many_wrong_tokens_an_address_must_wait_to_guess_again():
    world = make_world({"SIGN_IN_FAILURES_PER_MINUTE": LIMIT})
    wrong = {"Authorization": "Bearer guessed"}
    assert [
        world.client.get("/api/v1/metrics/national", headers=wrong).status_code
        for _ in range(LIMIT)
    ] == [401] * LIMIT
    refused = world.client.get("/api/v1/metrics/national", headers=wrong)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json["code"] == 429 and "too many failed sign-ins" in refused.json["message"]
    other_address = world.client.get(
        "/api/v1/metrics/national", headers=wrong, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert other_address.status_code == 401


def test_wrong_tokens_from_an_address_never_lock_out_a_valid_token_from_it():
    # Behind a proxy every user has the proxy's address: one user's typos must not lock out the
    # rest.
    world = make_world({"SIGN_IN_FAILURES_PER_MINUTE": LIMIT})
    for _ in range(LIMIT * 3):
        world.client.get("/api/v1/metrics/national", headers={"Authorization": "Bearer guessed"})
    assert (
        world.client.get("/api/v1/metrics/national", headers=world.headers("admin")).status_code
        == 200
    )
    assert sign_in(world.client, world.tokens["hub"]).status_code == 302


def test_requests_without_any_token_are_not_counted_as_guesses():
    world = make_world({"SIGN_IN_FAILURES_PER_MINUTE": LIMIT})
    for _ in range(LIMIT * 2):
        assert world.client.get("/api/v1/metrics/national").status_code == 401
    assert (
        world.client.get("/api/v1/metrics/national", headers=world.headers("admin")).status_code
        == 200
    )


def test_the_dashboard_sign_in_form_is_limited_too():
    world = make_world({"SIGN_IN_FAILURES_PER_MINUTE": LIMIT})
    assert [sign_in(world.client, "guessed").status_code for _ in range(LIMIT)] == [401] * LIMIT
    waiting = sign_in(world.client, "guessed again")
    assert waiting.status_code == 429 and "Too many failed sign-ins" in waiting.get_data(
        as_text=True
    )
    assert "Retry-After" in waiting.headers
    assert sign_in(world.client, world.tokens["hub"]).status_code == 302


def test_failures_age_out_of_the_window_and_the_table_keeps_only_recent_ones():
    store = SQLiteViewStore(":memory:")
    store.create_tables()
    now = [0.0]
    failures = FailedSignIns(lambda: store, limit=2, window=60, clock=lambda: now[0])
    failures.failed("a")
    failures.failed("a")
    assert failures.retry_after("a") == 60
    assert failures.retry_after("b") is None
    now[0] = 45.0
    assert failures.retry_after("a") == 15
    now[0] = 60.5
    assert failures.retry_after("a") is None
    failures.failed("b")
    assert store.query("SELECT address FROM {sign_in_failures}") == [("b",)]


def test_every_api_process_on_one_database_sees_the_same_failures(postgres_url):
    # As two gunicorn workers are: each its own app, services and connections.
    config = {"SIGN_IN_FAILURES_PER_MINUTE": LIMIT, "DATABASE_URL": postgres_url}
    world = make_world(config)
    first, second = world.client, create_app({**config, "TESTING": True}).test_client()
    wrong = {"Authorization": "Bearer guessed"}
    statuses = [
        client.get("/api/v1/metrics/national", headers=wrong).status_code
        for client in (first, second, first)
    ]
    assert statuses == [401] * LIMIT
    for client in (first, second):
        assert client.get("/api/v1/metrics/national", headers=wrong).status_code == 429
        assert (
            client.get("/api/v1/metrics/national", headers=world.headers("admin")).status_code
            == 200
        )


def test_a_rebuild_of_the_views_keeps_the_failures():
    from projections.rebuild import rebuild

    world = make_world({"SIGN_IN_FAILURES_PER_MINUTE": LIMIT})
    for _ in range(LIMIT):
        world.client.get("/api/v1/metrics/national", headers={"Authorization": "Bearer guessed"})
    services = world.client.application.extensions["tracker"]
    rebuild(services.tracker, services.store)
    assert (
        world.client.get(
            "/api/v1/metrics/national", headers={"Authorization": "Bearer guessed"}
        ).status_code
        == 429
    )


class WatchedStore:
    """The views' store, noting every read it is asked for."""

    def __init__(self, store):
        self.store, self.asked = store, []

    def query(self, template, params=()):
        self.asked.append(template)
        return self.store.query(template, params)

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_the_failures_are_read_only_for_a_wrong_token_never_on_a_good_sign_in():
    world = make_world({"SIGN_IN_FAILURES_PER_MINUTE": LIMIT})
    app = world.client.application
    watched = WatchedStore(app.extensions["tracker"].store)
    app.extensions["failed_sign_ins"] = FailedSignIns(lambda: watched, LIMIT)
    admin = world.headers("admin")
    assert world.client.get("/api/v1/metrics/national", headers=admin).status_code == 200
    assert sign_in(world.client, world.tokens["hub"]).status_code == 302
    assert watched.asked == []
    world.client.get("/api/v1/metrics/national", headers={"Authorization": "Bearer guessed"})
    assert len(watched.asked) == 1
