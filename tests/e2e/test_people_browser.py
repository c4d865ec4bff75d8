"""A person's whole way in, in a real browser against gunicorn, with a real SMTP server: a Hub
Lead invites a Careers Leader, the email arrives, the Careers Leader sets a password and a
second factor, signs in with a code, records an activity on their school page and signs out. Then a
forgotten password reset through the email's link, and a grant withdrawn while its holder is
signed in."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.e2e.serving import free_bind, served
from tests.e2e.test_browser import (  # noqa: F401 (the browser page fixture)
    CHROMIUM,
    page,
    record_workplace_visit,
)
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
    bind = free_bind()
    with smtp_server() as (smtp_url, mailbox):
        settings = {"SMTP_URL": smtp_url, "PUBLIC_URL": f"http://{bind}"}
        with served(url, "people-browser-test", bind, **settings) as base:
            yield base, mailbox


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
    record_workplace_visit(page, "Visit after signing in with a code", "2019-02-11")
    assert "Recorded" in page.text_content("[role=status]")
    page.click("button:has-text('Sign out')")
    assert page.url.endswith("/dashboard/sign-in")
    page.goto(f"{base}/dashboard/schools/900001")
    assert page.url.endswith("/dashboard/sign-in"), "signed out: the school is not shown"


def mail_to(mailbox, email: str, subject: str = ""):
    """The latest message to `email`: the module's tests share one mailbox."""
    return mailbox.wait_for(email, subject)


def invited_and_joined(
    page,  # noqa: F811
    base: str,
    mailbox,
    email: str,
    grant: str,
    password: str,
) -> None:
    """The Hub Lead invites `email` with `grant` on the People page and the person sets
    `password` through the emailed link; the page is left signed out."""
    password_sign_in(page, base, "lead@example.org", LEAD_PASSWORD)
    page.click("text=People")
    page.fill("input[name=email]", email)
    page.fill("input[name=name]", email.split("@")[0].title())
    page.fill("input[name=grant]", grant)
    page.click("button:has-text('Invite')")
    assert f"Invited {email}" in page.text_content("[role=status]")
    page.click("button:has-text('Sign out')")
    page.goto(mailbox.link_in(mail_to(mailbox, email)))
    page.fill("input[name=password]", password)
    page.fill("input[name=again]", password)
    page.click("button:has-text('Set password')")
    assert "Your password is set" in page.text_content("[role=status]")


def test_a_forgotten_password_is_reset_through_the_emailed_link_once(site, page):  # noqa: F811
    base, mailbox = site
    email, old, new = "forgetful@example.org", "first chosen passphrase", "second chosen passphrase"
    invited_and_joined(page, base, mailbox, email, "school:900001", old)

    page.goto(f"{base}/dashboard/sign-in")
    page.click("text=Forgotten your password?")
    page.fill("input[name=email]", email)
    page.click("button:has-text('Send me a link')")
    assert "a link to choose a new password is on its way" in page.text_content("[role=status]")
    link = mailbox.link_in(mail_to(mailbox, email, "Reset"))
    assert "/dashboard/reset/" in link
    page.goto(link)
    page.fill("input[name=password]", new)
    page.fill("input[name=again]", new)
    page.click("button:has-text('Set password')")
    assert "Your password is set" in page.text_content("[role=status]")

    password_sign_in(page, base, email, new)
    assert "/dashboard/schools/900001" in page.url
    page.click("button:has-text('Sign out')")
    password_sign_in(page, base, email, old)
    assert "do not match" in page.text_content("[role=alert]"), "the old password is refused"

    page.goto(link)
    page.fill("input[name=password]", "a third chosen passphrase")
    page.fill("input[name=again]", "a third chosen passphrase")
    page.click("button:has-text('Set password')")
    assert "unknown, used or expired" in page.text_content("[role=alert]"), "used once only"
    password_sign_in(page, base, email, new)
    assert "/dashboard/schools/900001" in page.url, "the refused link changed nothing"


def test_a_withdrawn_grant_stops_its_holder_at_the_next_page(site, page):  # noqa: F811
    base, mailbox = site
    email, password = "withdrawn@example.org", "soon withdrawn passphrase"
    invited_and_joined(page, base, mailbox, email, "school:900002", password)
    password_sign_in(page, base, email, password)
    assert "/dashboard/schools/900002" in page.url
    assert "School B" in page.text_content("h1")

    # The Hub Lead in a browser of their own, with their own cookies.
    lead = page.context.browser.new_context().new_page()
    password_sign_in(lead, base, "lead@example.org", LEAD_PASSWORD)
    lead.click("text=People")
    row = lead.locator("#people tr", has_text=email)
    row.locator("input[name=reason]").fill("left the school")
    row.locator("button:has-text('Withdraw')").click()
    assert email in lead.text_content("[role=status]")

    # Still signed in (docs/people.md: the grants are read at every request), but refused.
    refused = page.goto(f"{base}/dashboard/schools/900002")
    assert refused.status == 403
