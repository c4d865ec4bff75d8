"""Single sign-on in a real browser: gunicorn serves the dashboard, a real OpenID Connect
provider runs on another localhost port, and an invited Careers Leader who never chose a
password signs in with the school account, sees their school and signs out."""

from __future__ import annotations

import pytest

from api.sso import NOT_SIGNED_IN
from tests.e2e.serving import free_bind, served
from tests.e2e.test_browser import CHROMIUM, page  # noqa: F401 (the browser page fixture)
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider
from tests.scenarios import build_worked_example
from tracker.application import Tracker

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('sso') / 'site.sqlite3'}"
    app = Tracker.from_url(url)
    build_worked_example(app)
    app.invite("leader@example.org", "Cara Leader", "school:900001")
    bind = free_bind()
    with running_provider() as provider:
        settings = {
            "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_NAME": "Example School",
        }
        with served(url, "sso-browser-test", bind, **settings) as base:
            yield base


def sign_in_at_school(page, base: str, email: str) -> None:  # noqa: F811
    page.goto(f"{base}/dashboard/sign-in")
    page.click("text=Sign in with Example School")
    page.wait_for_url("**/authorize?**")
    page.fill("input[name=email]", email)
    page.click("button:has-text('Sign in')")


def test_an_invited_careers_leader_signs_in_with_the_school_account(site, page):  # noqa: F811
    sign_in_at_school(page, site, "leader@example.org")
    assert "/dashboard/schools/900001" in page.url
    assert "900001" in page.text_content("main")
    page.click("button:has-text('Sign out')")
    page.goto(f"{site}/dashboard/schools/900001")
    assert page.url.endswith("/dashboard/sign-in"), "signed out: the school is not shown"


def test_someone_never_invited_is_shown_the_refusal(site, page):  # noqa: F811
    sign_in_at_school(page, site, "stranger@example.org")
    assert page.url.startswith(f"{site}/dashboard/sign-in/sso/back")
    assert NOT_SIGNED_IN in page.text_content("[role=alert]")
