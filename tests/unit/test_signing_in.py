"""Signing in: invitation and reset links single-use and expiring, passwords as NIST has them,
the same answer for an unknown address and a wrong password, and the second factor."""

from __future__ import annotations

import pyotp
import pytest

from tests.conftest import TODAY
from tracker.application import Tracker
from tracker.errors import InvalidValue, RuleBroken
from tracker.passwords import check_password
from tracker.usecases.signin import DAY, LinkRefused

PASSWORD = "correct horse battery"


@pytest.fixture
def app():
    app = Tracker.from_url("memory://", today=lambda: TODAY)
    app.clock = lambda: 1_000_000.0
    return app


def joined(app, email="p@example.org", grant="school:100001"):
    secret = app.invite(email, "P", grant)
    totp = app.enrolment_secret(secret)  # admins and auditors enrol on accepting
    code = pyotp.TOTP(totp).at(app.clock()) if totp else None
    return app.accept_invitation(secret, PASSWORD, code=code)


def test_an_invitation_link_sets_the_password_joins_and_works_once(app):
    secret = app.invite("p@example.org", "P", "school:100001")
    account_id = app.accept_invitation(secret, PASSWORD)
    assert app.account_of("p@example.org").is_active
    assert app.check_credentials("P@example.org", PASSWORD).id.hex == account_id.replace("-", "")
    with pytest.raises(LinkRefused):
        app.accept_invitation(secret, "another good passphrase")


def test_an_invitation_link_expires_after_seven_days(app):
    secret = app.invite("p@example.org", "P", "school:100001")
    app.clock = lambda: 1_000_000.0 + 7 * DAY
    with pytest.raises(LinkRefused):
        app.accept_invitation(secret, PASSWORD)
    assert not app.account_of("p@example.org").joined


def test_a_refused_password_does_not_spend_the_link(app):
    secret = app.invite("p@example.org", "P", "school:100001")
    for weak in ("short", "123456654321", "qazwsxedcrfv", "a" * 257):
        with pytest.raises(InvalidValue):
            app.accept_invitation(secret, weak)
    app.accept_invitation(secret, PASSWORD)


def test_passwords_need_length_not_composition_and_not_the_common_ones():
    assert check_password("all lower case words") == "all lower case words"
    assert check_password("🙂" * 12) == "🙂" * 12
    with pytest.raises(InvalidValue):
        check_password("1q2w3e4r5t6y")  # on the list of the most common
    with pytest.raises(InvalidValue):
        check_password("elevenchars")


def test_the_same_answer_for_an_unknown_address_a_wrong_password_and_a_disabled_account(app):
    joined(app)
    assert app.check_credentials("nobody@example.org", PASSWORD) is None
    assert app.check_credentials("p@example.org", "wrong password here") is None
    app.disable_account("p@example.org", "left")
    assert app.check_credentials("p@example.org", PASSWORD) is None


def test_a_reset_link_sets_a_new_password_and_ends_every_session(app):
    account_id = joined(app)
    assert app.request_reset("nobody@example.org") is None
    secret = app.request_reset("P@example.org")
    app.reset_password(secret, "a brand new passphrase")
    assert app.check_credentials("p@example.org", PASSWORD) is None
    assert app.check_credentials("p@example.org", "a brand new passphrase") is not None
    with pytest.raises(LinkRefused):
        app.reset_password(secret, "yet another passphrase")
    with pytest.raises(LinkRefused):  # an invitation's secret is not a reset's
        app.reset_password(app.invite("q@example.org", "Q", "auditor"), "yet another one")
    assert account_id


def test_changing_a_password_needs_the_current_one(app):
    account_id = joined(app)
    with pytest.raises(InvalidValue):
        app.change_password(account_id, "not the password", "a brand new passphrase")
    app.change_password(account_id, PASSWORD, "a brand new passphrase")
    assert app.check_credentials("p@example.org", "a brand new passphrase") is not None


def test_a_second_factor_is_confirmed_by_a_code_and_recovery_codes_work_once(app):
    account_id = joined(app)
    secret = app.begin_second_factor(account_id)
    assert not app.has_second_factor(account_id)
    with pytest.raises(InvalidValue):
        app.confirm_second_factor(account_id, "000000")
    codes = app.confirm_second_factor(account_id, pyotp.TOTP(secret).at(app.clock() - 30))
    assert len(set(codes)) == 10 and app.has_second_factor(account_id)
    assert app.second_factor_matches(account_id, pyotp.TOTP(secret).at(app.clock()))
    assert not app.second_factor_matches(account_id, "123456")
    assert app.second_factor_matches(account_id, codes[0])
    assert not app.second_factor_matches(account_id, codes[0]), "a recovery code works once"
    with pytest.raises(RuleBroken):
        app.begin_second_factor(account_id)


def test_admins_and_auditors_must_have_a_second_factor_and_others_may(app):
    joined(app, "a@example.org", "auditor")
    joined(app, "s@example.org", "school:100001")
    assert app.must_have_second_factor(app.account_of("a@example.org"))
    assert not app.must_have_second_factor(app.account_of("s@example.org"))


def test_a_second_invitations_link_is_refused_once_the_first_was_accepted(app):
    first = app.invite("p@example.org", "P", "school:100001")
    second = app.invite("p@example.org", "P", "school:100002")
    app.accept_invitation(first, PASSWORD)
    with pytest.raises(LinkRefused):
        app.accept_invitation(second, "someone elses passphrase")
    assert app.check_credentials("p@example.org", PASSWORD) is not None
