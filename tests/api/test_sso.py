"""Single sign-on against a real OpenID Connect provider on a localhost port: the dashboard
sends the person there, its login form answers over HTTP, and the dashboard fetches the token
and the keys from it; only an invited person with a verified address gets in."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests

from api.sso import NOT_SIGNED_IN
from tests.api.conftest import make_world
from tests.api.people import make_person
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider
from tracker.usecases.signin import LinkRefused


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture
def world(provider):
    provider.signing = provider.published
    return make_world(
        {
            "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_NAME": "Example School",
        }
    )


def to_provider(client) -> str:
    """Press the button: the provider's authorization address, with PKCE, state and nonce."""
    response = client.get("/dashboard/sign-in/sso")
    assert response.status_code == 302
    return response.headers["Location"]


def log_in_at_provider(authorize_url: str, email: str, verified: bool = True) -> str:
    """The provider's login form, filled in: where it sends the browser back to."""
    assert "<form" in requests.get(authorize_url, timeout=10).text
    form = {"email": email, "verified": "true" if verified else "false"}
    answer = requests.post(authorize_url, data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def back_at_dashboard(client, back_url: str):
    parts = urlsplit(back_url)
    return client.get(f"{parts.path}?{parts.query}")


def sso_sign_in(client, email: str, verified: bool = True):
    return back_at_dashboard(client, log_in_at_provider(to_provider(client), email, verified))


def assert_refused(response) -> None:
    assert response.status_code == 401
    assert NOT_SIGNED_IN in response.get_data(as_text=True)
    assert response.request.environ["PATH_INFO"].endswith("/sso/back")


def test_the_sign_in_page_offers_the_school_provider_by_name(world):
    page = world.client.get("/dashboard/sign-in").get_data(as_text=True)
    assert "Sign in with Example School" in page


def test_without_a_provider_the_page_offers_no_such_button():
    page = make_world().client.get("/dashboard/sign-in").get_data(as_text=True)
    assert "Sign in with" not in page


def test_the_request_to_the_provider_carries_pkce_state_and_nonce(world):
    query = parse_qs(urlsplit(to_provider(world.client)).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"] and query["scope"] == ["openid email profile"]


def test_an_invited_careers_leader_signs_in_with_the_school_account(world):
    make_person(world.tracker, "cl@example.org", "school:900001")
    response = sso_sign_in(world.client, "CL@example.org")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard/")
    page = world.client.get("/dashboard/", follow_redirects=True)
    assert page.status_code == 200 and "900001" in page.get_data(as_text=True)
    assert world.client.get("/dashboard/schools/900002").status_code == 403


def test_an_invited_person_who_never_set_a_password_joins_by_signing_in(world):
    secret = world.tracker.invite("new@example.org", "New Leader", "school:900001")
    response = sso_sign_in(world.client, "new@example.org")
    assert response.headers["Location"].endswith("/dashboard/")
    assert world.tracker.account_of("new@example.org").joined
    with pytest.raises(LinkRefused):  # the invitation was answered: its link sets no password
        world.tracker.accept_invitation(secret, "a password chosen later on")


def test_an_admin_still_gives_the_second_factor_after_the_provider(world):
    make_person(world.tracker, "admin@example.org", "admin")
    response = sso_sign_in(world.client, "admin@example.org")
    assert response.headers["Location"].endswith("/dashboard/second-factor")
    assert world.client.get("/dashboard/").status_code == 302


def test_an_unknown_address_is_refused_and_no_account_is_made(world):
    assert_refused(sso_sign_in(world.client, "stranger@example.org"))
    assert world.tracker.account_of("stranger@example.org") is None


def test_an_unverified_address_is_refused_like_an_unknown_one(world):
    make_person(world.tracker, "cl@example.org", "school:900001")
    assert_refused(sso_sign_in(world.client, "cl@example.org", verified=False))
    assert world.client.get("/dashboard/").status_code == 302


def test_a_disabled_account_is_refused(world):
    make_person(world.tracker, "cl@example.org", "school:900001")
    world.tracker.disable_account("cl@example.org", "left the school")
    assert_refused(sso_sign_in(world.client, "cl@example.org"))


def test_an_answer_with_another_state_is_refused(world):
    make_person(world.tracker, "cl@example.org", "school:900001")
    back = urlsplit(log_in_at_provider(to_provider(world.client), "cl@example.org"))
    query = {**parse_qs(back.query), "state": ["forged-state"]}
    forged = urlunsplit(back._replace(query=urlencode(query, doseq=True)))
    assert_refused(back_at_dashboard(world.client, forged))
    assert world.client.get("/dashboard/").status_code == 302


def test_an_answer_for_someone_elses_browser_is_refused(world):
    """Login CSRF: a code and state from another browser's sign-in do not sign this one in."""
    make_person(world.tracker, "cl@example.org", "school:900001")
    attackers = log_in_at_provider(to_provider(world.client), "cl@example.org")
    victim = world.client.application.test_client()
    assert_refused(back_at_dashboard(victim, attackers))


def test_an_id_token_signed_by_another_key_is_refused(world, provider):
    make_person(world.tracker, "cl@example.org", "school:900001")
    provider.sign_with_a_stranger_key()
    assert_refused(sso_sign_in(world.client, "cl@example.org"))
    assert world.client.get("/dashboard/").status_code == 302


def test_the_provider_sends_people_back_under_the_public_address(provider):
    config = {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID}
    world = make_world({**config, "OIDC_CLIENT_SECRET": "x", "PUBLIC_URL": "https://hub.example/"})
    query = parse_qs(urlsplit(to_provider(world.client)).query)
    assert query["redirect_uri"] == ["https://hub.example/dashboard/sign-in/sso/back"]
