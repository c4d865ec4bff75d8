"""A person's whole way in, in a real browser against gunicorn, with a real SMTP server: a Hub
Lead invites a Careers Leader, the email arrives, the Careers Leader sets a password and a
second factor, signs in with a code, sees their school and signs out."""

from __future__ import annotations

import os
import subprocess
import time

import pyotp
import pytest

from bench.cluster import free_port, wait_until_up
from tests.e2e.test_browser import CHROMIUM, page  # noqa: F401 (the browser page fixture)
from tests.e2e.test_gunicorn import BIN, ROOT
from tests.mailbox import smtp_server
from tests.scenarios import build_worked_example
from tracker.application import Tracker

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)
LEAD_PASSWORD, LEADER_PASSWORD = "hub lead passphrase", "careers leader passphrase"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('people') / 'site.sqlite3'}"
    app = Tracker.from_url(url)
    build_worked_example(app)
    app.accept_invitation(app.invite("lead@example.org", "Lee Lead", "hub:DEMO"), LEAD_PASSWORD)
    bind = f"127.0.0.1:{free_port()}"
    with smtp_server() as (smtp_url, mailbox):
        environment = {
            **os.environ,
            "DATABASE_URL": url,
            "BIND": bind,
            "WEB_CONCURRENCY": "1",
            "SECRET_KEY": "people-browser-test",
            "SMTP_URL": smtp_url,
            "PUBLIC_URL": f"http://{bind}",
        }
        server = subprocess.Popen(
            [BIN / "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=environment,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://{bind}"
        if not wait_until_up(base):
            raise RuntimeError("gunicorn did not start")
        yield base, mailbox
        server.terminate()
        server.wait(timeout=20)


def password_sign_in(page, base: str, email: str, password: str) -> None:  # noqa: F811
    page.goto(f"{base}/dashboard/sign-in")
    page.fill("#password-sign-in input[name=email]", email)
    page.fill("#password-sign-in input[name=password]", password)
    page.click("#continue")


def test_invited_by_email_a_careers_leader_sets_up_and_signs_in_with_a_code(site, page):  # noqa: F811
    base, mailbox = site
    password_sign_in(page, base, "lead@example.org", LEAD_PASSWORD)
    page.click("text=People")
    page.fill("input[name=email]", "leader@example.org")
    page.fill("input[name=name]", "Cara Leader")
    page.fill("input[name=grant]", "school:900001")
    page.click("button:has-text('Invite')")
    assert "Invited leader@example.org" in page.text_content("[role=status]")
    page.click("button:has-text('Sign out')")

    (message,) = mailbox.messages
    assert message["To"] == "leader@example.org"
    page.goto(mailbox.link_in(message))
    page.fill("input[name=password]", LEADER_PASSWORD)
    page.fill("input[name=again]", LEADER_PASSWORD)
    page.click("button:has-text('Set password')")
    assert "Your password is set" in page.text_content("[role=status]")

    password_sign_in(page, base, "leader@example.org", LEADER_PASSWORD)
    assert "/dashboard/schools/900001" in page.url
    page.click("#account-link")
    page.click("#set-up-second-factor")
    secret = page.text_content("#totp-secret")
    # The window before's code: the sign-in below gives now's, and a used code is refused again.
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() - 30))
    page.click("button:has-text('Confirm')")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("#continue")
    page.click("button:has-text('Sign out')")

    password_sign_in(page, base, "leader@example.org", LEADER_PASSWORD)
    assert page.url.endswith("/dashboard/sign-in/code")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("button:has-text('Sign in')")
    assert "/dashboard/schools/900001" in page.url
    assert "900001" in page.text_content("main")
    page.click("button:has-text('Sign out')")
    assert page.url.endswith("/dashboard/sign-in")
    page.goto(f"{base}/dashboard/schools/900001")
    assert page.url.endswith("/dashboard/sign-in"), "signed out: the school is not shown"
