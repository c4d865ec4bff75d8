"""The People page's buttons: an admin disables and re-enables an account, and makes a reset
link that is shown once when no email is set up; nobody else may."""

from __future__ import annotations

import re

from tests.api.conftest import make_world
from tests.api.people import csrf_of, make_person, password_sign_in, sign_in_person
from tests.mailbox import smtp_server

NEW_PASSWORD = "a brand new passphrase"


def post(world, action: str, **form: str):
    data = {**form, "csrf": csrf_of(world.client, "/dashboard/people")}
    return world.client.post(f"/dashboard/people/{action}", data=data)


def signed_in_admin(config: dict | None = None):
    world = make_world(config)
    make_person(world.tracker, "ada@example.org", "admin")
    make_person(world.tracker, "cl@example.org", "school:900001")
    sign_in_person(world.client, world.tracker, "ada@example.org")
    return world


def test_an_admin_disables_and_re_enables_an_account_from_the_people_page():
    world = signed_in_admin()
    page = world.client.get("/dashboard/people").get_data(as_text=True)
    assert 'class="disable"' in page
    assert post(world, "disable", email="cl@example.org", reason="left").status_code == 200
    assert world.tracker.account_of("cl@example.org").disabled
    page = world.client.get("/dashboard/people").get_data(as_text=True)
    assert "(disabled)" in page and 'class="reenable"' in page
    assert post(world, "reenable", email="cl@example.org").status_code == 200
    assert not world.tracker.account_of("cl@example.org").disabled
    events = list(world.tracker.events.get(world.tracker.account_of("cl@example.org").id))
    admin = str(world.tracker.account_of("ada@example.org").id)
    assert [type(e).__name__ for e in events[-2:]] == ["Disabled", "Reenabled"]
    assert {e.actor for e in events[-2:]} == {admin}


def test_a_hub_lead_sees_no_account_buttons_and_may_not_disable_or_make_reset_links():
    world = make_world()
    make_person(world.tracker, "lead@example.org", "hub:DEMO")
    make_person(world.tracker, "cl@example.org", "school:900001")
    sign_in_person(world.client, world.tracker, "lead@example.org")
    page = world.client.get("/dashboard/people").get_data(as_text=True)
    assert 'class="disable"' not in page and 'class="reset-link"' not in page
    before = world.tracker.recorder.max_notification_id()
    assert post(world, "disable", email="cl@example.org", reason="x").status_code == 422
    answer = post(world, "reset-link", email="cl@example.org")
    assert answer.status_code == 422 and "/dashboard/reset/" not in answer.get_data(as_text=True)
    assert world.tracker.recorder.max_notification_id() == before


def test_without_smtp_an_admins_reset_link_is_shown_once_and_sets_a_new_password():
    world = signed_in_admin()
    page = post(world, "reset-link", email="cl@example.org").get_data(as_text=True)
    link = re.search(r'id="reset-link">[^<]*<code>([^<]+)</code>', page).group(1)
    assert "/dashboard/reset/" not in world.client.get("/dashboard/people").get_data(as_text=True)
    path = link[link.index("/dashboard/reset/") :]
    world.client.post("/dashboard/sign-out", data={"csrf": csrf_of(world.client)})
    data = {"password": NEW_PASSWORD, "again": NEW_PASSWORD, "csrf": csrf_of(world.client)}
    assert "Your password is set" in world.client.post(path, data=data).get_data(as_text=True)
    assert password_sign_in(world.client, "cl@example.org", NEW_PASSWORD).status_code == 302
    data["csrf"] = csrf_of(world.client)  # signing in began a new session
    assert world.client.post(path, data=data).status_code == 422, "the link works once"


def test_with_smtp_the_admins_reset_link_goes_by_email_and_is_not_shown():
    with smtp_server() as (smtp_url, mailbox):
        world = signed_in_admin({"SMTP_URL": smtp_url, "PUBLIC_URL": "https://t.example.org"})
        page = post(world, "reset-link", email="cl@example.org").get_data(as_text=True)
        assert "/dashboard/reset/" not in page and "on its way" in page
        (message,) = mailbox.messages
        assert message["To"] == "cl@example.org"
        assert "https://t.example.org/dashboard/reset/" in mailbox.link_in(message)
