"""People's accounts: invited, joined, grants given and withdrawn, disabled; who may grant what."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import TODAY
from tracker.application import Tracker
from tracker.domain.account import Account
from tracker.domain.base import Caller
from tracker.errors import AccountNotFound, GrantRefused, InvalidValue, RuleBroken

LEAD = ["hub:NORTH"]
LEADER = ["school:100001"]


@pytest.fixture
def app():
    app = Tracker.from_url("memory://", today=lambda: TODAY)
    app.register_hub("NORTH", "North Hub", "North")
    for urn in ("100001", "100002", "100003"):
        app.register_school(urn, f"School {urn}", "secondary", "201", f"201{urn[-4:]}")
    app.join_hub("NORTH", "100001", date(2018, 9, 1))
    app.join_hub("NORTH", "100002", date(2018, 9, 1))
    return app


def test_an_invited_person_holds_the_grant_and_joins_once(app):
    app.invite_person("Ann.Lead@Example.org", "Ann Lead", "hub:north")
    account = app.account_of("ann.lead@example.org")
    assert account.email == "ann.lead@example.org" and account.grants == ["hub:NORTH"]
    assert not account.is_active
    app.join("ann.lead@example.org")
    assert app.account_of("ANN.LEAD@example.org").is_active
    with pytest.raises(RuleBroken):
        app.join("ann.lead@example.org")


def test_every_account_event_records_who_did_it(app):
    app.invite_person("cl@example.org", "Cee", "school:100001", caller=Caller("admin-1", "r1"))
    app.join("cl@example.org", caller=Caller("cl@example.org", "r2"))
    account_id = Account.create_id("cl@example.org")
    actors = [event.actor for event in app.events.get(account_id)]
    assert actors == ["admin-1", "cl@example.org"]


def test_inviting_someone_with_an_account_gives_them_a_second_grant(app):
    app.invite_person("trust@example.org", "Trust Lead", "school:100001")
    app.invite_person("trust@example.org", "ignored", "school:100003")
    assert app.account_of("trust@example.org").grants == ["school:100001", "school:100003"]


def test_a_hub_lead_invites_careers_staff_of_member_schools_only(app):
    app.invite_person("a@example.org", "A", "school:100002", granted_by=LEAD)
    with pytest.raises(GrantRefused):
        app.invite_person("b@example.org", "B", "school:100003", granted_by=LEAD)
    with pytest.raises(GrantRefused):
        app.invite_person("c@example.org", "C", "hub:NORTH", granted_by=LEAD)
    assert app.account_of("b@example.org") is None and app.account_of("c@example.org") is None


def test_a_careers_leader_invites_colleagues_at_their_own_school_only(app):
    app.invite_person("col@example.org", "Colleague", "school:100001", granted_by=LEADER)
    for grant in ("school:100002", "auditor", "admin", "hub:NORTH"):
        with pytest.raises(GrantRefused):
            app.invite_person("x@example.org", "X", grant, granted_by=LEADER)


def test_an_admin_grants_anything_and_nobody_else_grants_admin_or_auditor(app):
    app.invite_person("aud@example.org", "Aud", "auditor", granted_by=["admin"])
    for who in (LEAD, LEADER, ["auditor"], []):
        with pytest.raises(GrantRefused):
            app.invite_person("adm@example.org", "Adm", "admin", granted_by=who)


def test_a_school_that_left_the_hub_is_no_longer_the_hub_leads_to_grant(app):
    app.leave_hub("NORTH", "100002", date(2019, 7, 1))
    with pytest.raises(GrantRefused):
        app.invite_person("late@example.org", "Late", "school:100002", granted_by=LEAD)


def test_withdrawing_a_grant_follows_the_giving_rule(app):
    app.invite_person("w@example.org", "W", "school:100001")
    app.give_grant("w@example.org", "school:100002", granted_by=LEAD)
    with pytest.raises(GrantRefused):
        app.withdraw_grant("w@example.org", "school:100002", "moved on", granted_by=LEADER)
    app.withdraw_grant("w@example.org", "school:100002", "moved on", granted_by=LEAD)
    assert app.account_of("w@example.org").grants == ["school:100001"]
    with pytest.raises(RuleBroken):
        app.withdraw_grant("w@example.org", "school:100002", "again")


def test_only_an_admin_disables_and_reenables(app):
    app.invite_person("d@example.org", "D", "school:100001")
    app.join("d@example.org")
    with pytest.raises(GrantRefused):
        app.disable_account("d@example.org", "left", granted_by=LEADER)
    app.disable_account("d@example.org", "left", granted_by=["admin"])
    assert not app.account_of("d@example.org").is_active
    with pytest.raises(RuleBroken):
        app.disable_account("d@example.org", "left")
    app.reenable_account("d@example.org")
    assert app.account_of("d@example.org").is_active


def test_refusals_store_nothing_and_name_their_field(app):
    before = app.recorder.max_notification_id()
    with pytest.raises(InvalidValue) as bad_email:
        app.invite_person("not an email", "N", "school:100001")
    with pytest.raises(InvalidValue) as bad_grant:
        app.invite_person("n@example.org", "N", "teacher")
    with pytest.raises(AccountNotFound):
        app.join("nobody@example.org")
    assert bad_email.value.field == "email" and bad_grant.value.field == "scope"
    assert app.recorder.max_notification_id() == before
