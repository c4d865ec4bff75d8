"""An account that must have a second factor (an admin, an auditor, someone their hub requires
it of) sets up the authenticator app on the invitation page itself, with the password: a
password alone never enrols one."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.api.conftest import make_world
from tests.api.people import PASSWORD, csrf_of, password_sign_in
from tracker.errors import InvalidValue


def invitation_page(world, grant: str) -> tuple[str, str]:
    secret = world.tracker.invite("new@example.org", "New", grant)
    return secret, world.client.get(f"/dashboard/invitation/{secret}").get_data(as_text=True)


def accept(world, secret: str, code: str | None):
    data = {"password": PASSWORD, "again": PASSWORD, "csrf": csrf_of(world.client)}
    return world.client.post(f"/dashboard/invitation/{secret}", data={**data, "code": code or ""})


def test_an_auditor_sets_password_and_app_on_the_invitation_page_and_signs_in_with_a_code():
    world = make_world()
    secret, page = invitation_page(world, "auditor")
    totp = pyotp.TOTP(re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1))
    assert 'name="code"' in page
    again = world.client.get(f"/dashboard/invitation/{secret}").get_data(as_text=True)
    assert totp.secret in again, "a reloaded page shows the key the app already holds"
    answer = accept(world, secret, totp.at(time.time() - 30))
    assert answer.status_code == 200 and answer.get_data(as_text=True).count("<li><code>") == 10
    account = world.tracker.account_of("new@example.org")
    assert account.joined and world.tracker.has_second_factor(str(account.id))
    assert (
        password_sign_in(world.client, "new@example.org")
        .headers["Location"]
        .endswith("/dashboard/sign-in/code")
    )
    data = {"code": totp.now(), "csrf": csrf_of(world.client, "/dashboard/sign-in/code")}
    assert world.client.post("/dashboard/sign-in/code", data=data).status_code == 302
    assert world.client.get("/dashboard/audit").status_code == 200


@pytest.mark.parametrize("code", [None, "000000"])
def test_without_the_apps_code_the_invitation_is_not_spent_and_nothing_is_joined(code):
    world = make_world()
    secret, page = invitation_page(world, "admin")
    totp = pyotp.TOTP(re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1))
    before = world.tracker.recorder.max_notification_id()
    refused = accept(world, secret, code)
    assert refused.status_code == 422 and totp.secret in refused.get_data(as_text=True)
    assert world.tracker.recorder.max_notification_id() == before
    assert (
        world.tracker.credentials.password_hash(str(world.tracker.account_of("new@example.org").id))
        is None
    )
    assert accept(world, secret, totp.at(time.time() - 30)).status_code == 200


def test_the_use_case_refuses_a_password_alone_for_an_account_that_must_enrol():
    world = make_world()
    secret = world.tracker.invite("new@example.org", "New", "admin")
    with pytest.raises(InvalidValue):
        world.tracker.accept_invitation(secret, PASSWORD)
    assert not world.tracker.account_of("new@example.org").joined


def test_someone_their_hub_requires_it_of_enrols_on_the_invitation_page_too():
    world = make_world()
    secret = world.tracker.invite("new@example.org", "New", "school:900001")
    world.tracker.require_second_factor("new@example.org", "hub policy", ["hub:DEMO"])
    page = world.client.get(f"/dashboard/invitation/{secret}").get_data(as_text=True)
    assert 'id="totp-secret"' in page


def test_a_careers_leader_sets_only_a_password():
    world = make_world()
    secret, page = invitation_page(world, "school:900001")
    assert 'id="totp-secret"' not in page and 'name="code"' not in page
    answer = accept(world, secret, None)
    assert "Your password is set" in answer.get_data(as_text=True)
