"""People's credentials on every store: kept beside the events, and never in them."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pyotp
import pytest

from tracker.application import Tracker
from tracker.passwords import hash_secret
from tracker.ports import PersonSession
from tracker.usecases.signin import LinkRefused

PASSWORD = "correct horse battery"


@pytest.fixture
def app(database_url):
    return Tracker.from_url(database_url, today=lambda: date(2019, 7, 15))


def test_no_event_in_the_store_holds_a_password_hash_a_totp_secret_or_a_link_secret(app):
    invitation = app.invite("p@example.org", "P", "admin")
    totp = app.enrolment_secret(invitation)  # an admin enrols on accepting the invitation
    code = pyotp.TOTP(totp).at(time.time() - 30)
    account_id = app.accept_invitation(invitation, PASSWORD, code=code)
    recovery = app.new_recovery_codes(account_id)
    reset = app.request_reset("p@example.org")
    app.reset_password(reset, "a brand new passphrase")
    password_hash = app.credentials.password_hash(account_id)
    assert password_hash.startswith("$argon2id$")
    secrets = [password_hash, totp, invitation, hash_secret(invitation), reset, *recovery]
    stored = app.recorder.select_notifications(start=1, limit=1000)
    assert [n.topic.rsplit(":", 1)[-1] for n in stored] == ["Account.Invited", "Account.Joined"]
    for notification in stored:
        for secret in (*secrets, PASSWORD, "a brand new passphrase"):
            assert secret.encode() not in notification.state, notification.topic


def test_a_link_works_once_on_every_store(app):
    secret = app.invite("p@example.org", "P", "school:100001")
    app.accept_invitation(secret, PASSWORD)
    with pytest.raises(LinkRefused):
        app.accept_invitation(secret, PASSWORD)
    assert app.check_credentials("p@example.org", PASSWORD) is not None


def test_sessions_are_listed_touched_and_ended_on_every_store(app):
    credentials = app.credentials
    for n, account in ((1, "a"), (2, "a"), (3, "b")):
        credentials.start_session(PersonSession(f"s{n}", account, float(n), float(n), f"tab {n}"))
    credentials.touch_session("s1", 9.0)
    assert credentials.session("s1").seen_at == 9.0
    assert [s.id_hash for s in credentials.sessions_of("a")] == ["s1", "s2"]
    credentials.end_sessions("a", "s2")
    assert [s.id_hash for s in credentials.sessions_of("a")] == ["s1"]
    credentials.end_sessions("a")
    assert credentials.sessions_of("a") == [] and credentials.session("s3").account_id == "b"


def test_a_totp_code_accepted_once_is_refused_again_in_its_window_on_every_store(app):
    invitation = app.invite("p@example.org", "P", "school:900001")
    account_id = app.accept_invitation(invitation, PASSWORD)
    totp = pyotp.TOTP(app.begin_second_factor(account_id))
    now = time.time()
    app.confirm_second_factor(account_id, totp.at(now - 30))
    assert not app.second_factor_matches(account_id, totp.at(now - 30)), "the enrolling code"
    assert app.second_factor_matches(account_id, totp.at(now))
    assert not app.second_factor_matches(account_id, totp.at(now)), "a replay"
    assert app.second_factor_matches(account_id, totp.at(now + 30)), "the next window's code"
    assert not app.second_factor_matches(account_id, totp.at(now)), "an older code after it"


def test_two_racing_sign_ins_with_one_code_let_one_in_on_every_store(app):
    invitation = app.invite("p@example.org", "P", "school:900001")
    account_id = app.accept_invitation(invitation, PASSWORD)
    totp = pyotp.TOTP(app.begin_second_factor(account_id))
    app.confirm_second_factor(account_id, totp.at(time.time() - 30))
    code = totp.now()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: app.second_factor_matches(account_id, code), range(4)))
    assert answers.count(True) == 1
