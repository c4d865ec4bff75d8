"""People on the dashboard: signing in with a password, the second factor, sessions that time
out and end, grants that count from the next request."""

from __future__ import annotations

import socket
import threading

import pyotp

from adapters import mail
from api.people_pages import NOT_RECOGNISED
from tests.api.conftest import make_world
from tests.api.people import (
    PASSWORD,
    csrf_of,
    make_person,
    password_sign_in,
    sign_in_person,
)
from tests.mailbox import smtp_server


def test_a_careers_leader_signs_in_with_a_password_and_sees_their_school():
    world = make_world()
    make_person(world.tracker, "cl@example.org", "school:900001")
    response = password_sign_in(world.client, "CL@example.org")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard/")
    page = world.client.get("/dashboard/", follow_redirects=True)
    assert page.status_code == 200 and "900001" in page.get_data(as_text=True)
    assert world.client.get("/dashboard/schools/900002").status_code == 403


def test_an_unknown_address_and_a_wrong_password_get_the_same_answer():
    world = make_world()
    make_person(world.tracker, "cl@example.org", "school:900001")
    unknown = password_sign_in(world.client, "nobody@example.org")
    wrong = password_sign_in(world.client, "cl@example.org", "not the password at all")
    assert unknown.status_code == wrong.status_code == 401
    for answer in (unknown, wrong):
        assert NOT_RECOGNISED in answer.get_data(as_text=True)


def test_failed_sign_ins_for_one_account_back_off_but_the_right_password_works_later():
    world = make_world({"ACCOUNT_SIGN_IN_FAILURES": 3, "SIGN_IN_FAILURES_PER_MINUTE": 100})
    make_person(world.tracker, "cl@example.org", "school:900001")
    for _ in range(3):
        assert (
            password_sign_in(world.client, "cl@example.org", "wrong guess number").status_code
            == 401
        )
    waiting = password_sign_in(world.client, "cl@example.org")
    assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) > 0
    assert password_sign_in(world.client, "other@example.org", "x" * 12).status_code == 401


def test_failed_sign_ins_from_one_address_back_off_across_accounts():
    world = make_world({"SIGN_IN_FAILURES_PER_MINUTE": 3})
    for n in range(3):
        assert (
            password_sign_in(world.client, f"p{n}@example.org", "guess guess guess").status_code
            == 401
        )
    assert password_sign_in(world.client, "p9@example.org", "guess guess guess").status_code == 429


def test_an_admin_must_give_a_second_factor_code_after_the_password():
    world = make_world()
    account_id = make_person(world.tracker, "admin@example.org", "admin")
    first = password_sign_in(world.client, "admin@example.org")
    assert first.headers["Location"].endswith("/dashboard/second-factor")
    setup = world.client.get("/dashboard/second-factor").get_data(as_text=True)
    secret = setup.split('id="totp-secret">')[1].split("<")[0]
    data = {"code": pyotp.TOTP(secret).now(), "csrf": csrf_of(world.client, "/dashboard/sign-in")}
    codes = world.client.post("/dashboard/second-factor", data=data).get_data(as_text=True)
    assert codes.count("<li><code>") == 10
    assert world.client.get("/dashboard/audit").status_code == 200
    world.client.post(
        "/dashboard/sign-out", data={"csrf": csrf_of(world.client, "/dashboard/account")}
    )
    assert password_sign_in(world.client, "admin@example.org").headers["Location"].endswith("/code")
    wrong = {"code": "000000", "csrf": csrf_of(world.client, "/dashboard/sign-in/code")}
    assert world.client.post("/dashboard/sign-in/code", data=wrong).status_code == 401
    assert world.client.get("/dashboard/audit").status_code == 302, "no session without the code"
    assert world.tracker.has_second_factor(account_id)


def test_withdrawing_a_grant_or_disabling_the_account_counts_on_the_next_request():
    world = make_world()
    make_person(world.tracker, "cl@example.org", "school:900001", "school:900002")
    sign_in_person(world.client, world.tracker, "cl@example.org")
    assert world.client.get("/dashboard/schools/900002").status_code == 200
    world.tracker.withdraw_grant("cl@example.org", "school:900002", "moved on")
    assert world.client.get("/dashboard/schools/900002").status_code == 403
    assert world.client.get("/dashboard/schools/900001").status_code == 200
    world.tracker.disable_account("cl@example.org", "left")
    assert world.client.get("/dashboard/schools/900001").status_code == 302


def test_sessions_time_out_when_idle_and_after_twelve_hours():
    world = make_world()
    make_person(world.tracker, "cl@example.org", "school:900001")
    sessions = world.client.application.extensions["person_sessions"]
    now = [1_000_000.0]
    sessions.clock = lambda: now[0]
    sign_in_person(world.client, world.tracker, "cl@example.org")
    for _ in range(30):  # used every 29 minutes, it lasts; but never past 12 hours
        now[0] += 29 * 60
        if world.client.get("/dashboard/schools/900001").status_code != 200:
            break
    assert 12 * 3600 - 29 * 60 <= now[0] - 1_000_000.0 <= 12 * 3600 + 29 * 60
    sign_in_person(world.client, world.tracker, "cl@example.org")
    now[0] += 30 * 60
    assert world.client.get("/dashboard/schools/900001").status_code == 302


def test_a_person_lists_their_sessions_ends_one_and_signs_out_everywhere():
    world = make_world()
    make_person(world.tracker, "cl@example.org", "school:900001")
    other = world.client.application.test_client()
    for client in (world.client, other):
        sign_in_person(client, world.tracker, "cl@example.org")
    page = world.client.get("/dashboard/account").get_data(as_text=True)
    assert page.count("<button>End</button>") == 2 and "(this one)" in page
    csrf = csrf_of(world.client, "/dashboard/account")
    world.client.post("/dashboard/account/sessions/end", data={"csrf": csrf})
    assert world.client.get("/dashboard/account").status_code == 302
    assert other.get("/dashboard/account").status_code == 302, "signed out everywhere"


def test_a_person_changes_their_password():
    world = make_world()
    make_person(world.tracker, "cl@example.org", "school:900001")
    sign_in_person(world.client, world.tracker, "cl@example.org")
    csrf = csrf_of(world.client, "/dashboard/account")
    data = {"current": PASSWORD, "new": "a different passphrase", "csrf": csrf}
    assert world.client.post("/dashboard/account/password", data=data).status_code == 200
    assert world.tracker.check_credentials("cl@example.org", "a different passphrase")


def test_a_hub_lead_invites_a_careers_leader_of_a_member_school_and_no_one_else():
    world = make_world()
    make_person(world.tracker, "lead@example.org", "hub:DEMO")
    sign_in_person(world.client, world.tracker, "lead@example.org")
    csrf = csrf_of(world.client, "/dashboard/people")
    invite = {"email": "new@example.org", "name": "New", "grant": "school:900001", "csrf": csrf}
    page = world.client.post("/dashboard/people/invite", data=invite).get_data(as_text=True)
    assert 'id="invitation-link"' in page and "/dashboard/invitation/" in page
    refused = world.client.post("/dashboard/people/invite", data={**invite, "grant": "auditor"})
    assert refused.status_code == 422
    account = world.tracker.account_of("new@example.org")
    assert account.grants == ["school:900001"]
    (event,) = list(world.tracker.events.get(account.id))
    assert event.actor == str(world.tracker.account_of("lead@example.org").id)


def test_events_a_person_causes_record_their_account_id():
    world = make_world()
    account_id = make_person(world.tracker, "cl@example.org", "school:900001")
    sign_in_person(world.client, world.tracker, "cl@example.org")
    form = {
        "kind": "employer_talk",
        "title": "Talk",
        "occurred_on": "2019-01-10",
        "with": "Acme",
        "meaningful": "yes",
        "attendees": "R885400112001",
        "csrf": csrf_of(world.client, "/dashboard/account"),
    }
    response = world.client.post("/dashboard/schools/900001/activities", data=form)
    assert "done=" in response.headers["Location"]
    last = world.tracker.recorder.max_notification_id()
    (notification,) = world.tracker.recorder.select_notifications(start=last, limit=1)
    assert world.tracker.mapper.to_domain_event(notification).actor == account_id


def test_a_forgotten_password_is_reset_by_an_emailed_link_that_works_once():
    with smtp_server() as (smtp_url, mailbox):
        world = make_world({"SMTP_URL": smtp_url, "PUBLIC_URL": "https://tracker.example.org"})
        make_person(world.tracker, "cl@example.org", "school:900001")
        for email in ("cl@example.org", "nobody@example.org"):
            data = {"email": email, "csrf": csrf_of(world.client)}
            answer = world.client.post("/dashboard/forgotten-password", data=data)
            assert "If that address has an account" in answer.get_data(as_text=True)
        mail.OUTBOX.drain()
    (message,) = mailbox.messages
    link = mailbox.link_in(message)
    assert message["To"] == "cl@example.org" and link.startswith("https://tracker.example.org/")
    path = link.removeprefix("https://tracker.example.org")
    new = {"password": "a brand new passphrase", "again": "a brand new passphrase"}
    done = world.client.post(path, data={**new, "csrf": csrf_of(world.client)})
    assert "Your password is set" in done.get_data(as_text=True)
    assert password_sign_in(world.client, "cl@example.org", new["password"]).status_code == 302
    again = world.client.post(path, data={**new, "csrf": csrf_of(world.client)})
    assert again.status_code == 422, "a reset link works once"


def test_the_forgotten_password_answer_does_not_wait_for_the_link_or_the_mail():
    """Making the link and sending it take time only for an address with an account: the answer
    must come first, or its timing tells who has one. Here the mail server accepts the connection
    and then never speaks, so an answer that waited for the mail would never come."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        world = make_world({"SMTP_URL": f"smtp://127.0.0.1:{silent.getsockname()[1]}"})
        make_person(world.tracker, "cl@example.org", "school:900001")
        answered = threading.Event()

        def ask() -> None:
            data = {"email": "cl@example.org", "csrf": csrf_of(world.client)}
            answer = world.client.post("/dashboard/forgotten-password", data=data)
            assert "If that address has an account" in answer.get_data(as_text=True)
            answered.set()

        asking = threading.Thread(target=ask)
        asking.start()
        assert answered.wait(5), "the answer waited for the mail server"
        silent.settimeout(5)
        connection, _ = silent.accept()  # the mail goes after the answer, not instead of it
        connection.close()
        asking.join()
    mail.OUTBOX.drain()
