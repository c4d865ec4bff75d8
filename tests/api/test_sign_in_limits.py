"""Failed sign-ins are limited per client address, through the API and the dashboard's form."""

from __future__ import annotations

from api.ratelimit import FailedSignIns
from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in

LIMIT = 3


def test_after_too_many_wrong_tokens_an_address_must_wait_even_with_a_good_one():
    world = make_world({"SIGN_IN_FAILURES_PER_MINUTE": LIMIT})
    wrong = {"Authorization": "Bearer guessed"}
    assert [world.client.get("/api/v1/metrics/national", headers=wrong).status_code
            for _ in range(LIMIT)] == [401] * LIMIT
    refused = world.client.get("/api/v1/metrics/national", headers=world.headers("admin"))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json["code"] == 429 and "too many failed sign-ins" in refused.json["message"]
    other_address = world.client.get("/api/v1/metrics/national", headers=world.headers("admin"),
                                     environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_address.status_code == 200


def test_requests_without_any_token_are_not_counted_as_guesses():
    world = make_world({"SIGN_IN_FAILURES_PER_MINUTE": LIMIT})
    for _ in range(LIMIT * 2):
        assert world.client.get("/api/v1/metrics/national").status_code == 401
    assert world.client.get("/api/v1/metrics/national", headers=world.headers("admin")).status_code == 200


def test_the_dashboard_sign_in_form_is_limited_too():
    world = make_world({"SIGN_IN_FAILURES_PER_MINUTE": LIMIT})
    assert [sign_in(world.client, "guessed").status_code for _ in range(LIMIT)] == [401] * LIMIT
    waiting = sign_in(world.client, world.tokens["hub"])
    assert waiting.status_code == 429 and "Too many failed sign-ins" in waiting.get_data(as_text=True)
    assert "Retry-After" in waiting.headers


def test_failures_age_out_of_the_window_and_memory_is_bounded():
    now = [0.0]
    failures = FailedSignIns(limit=2, window=60, clock=lambda: now[0])
    failures.failed("a")
    failures.failed("a")
    assert failures.retry_after("a") == 60
    now[0] = 45.0
    assert failures.retry_after("a") == 15
    now[0] = 60.5
    assert failures.retry_after("a") is None
    for n in range(10_050):
        failures.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(failures._failures) == 10_000
