"""A person's own pages: their account (password, second factor, sessions) and, for admins and
Hub Leads, People (invite, withdraw, who has access to what). docs/people.md."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from urllib.parse import quote

import pyotp
from flask import abort, current_app, g, redirect, render_template, request, session, url_for

from adapters import mail
from api.dashboard import _check_csrf, _csrf_token, bp
from api.people_pages import pending_account, public_url
from api.people_sessions import (
    current_person,
    current_session_hash,
    person_sessions,
    start_person_session,
)
from api.services import services
from projections.people import people, personal_tokens
from tracker.domain.base import Caller
from tracker.errors import TrackerError
from tracker.usecases.personal_tokens import ALL_GRANTS, MAX_DAYS
from tracker.usecases.signin import LINK_DAYS


def person_signed_in(view):
    """Pages for people only (a token has no account): their access with every grant."""

    @wraps(view)
    def guarded(*args, **kwargs):
        person = current_person()
        if person is None:
            return redirect(url_for("dashboard.sign_in"))
        return view(person, *args, **kwargs)

    return guarded


def _caller(person) -> Caller:
    return Caller(person.account_id, g.get("request_id", ""))


@bp.get("/account")
@person_signed_in
def account(person, **shown):
    tracker = services().tracker
    return render_template(
        "account.html",
        access=person.narrowed(services().reads),
        person=person,
        account=tracker.account_by_id(person.account_id),
        has_second_factor=tracker.has_second_factor(person.account_id),
        sessions=person_sessions().live(person.account_id),
        tokens=_caught_up_tokens(person.account_id),
        max_expiry=services().tracker.today() + timedelta(days=MAX_DAYS),
        this_session=current_session_hash(),
        all_grants=ALL_GRANTS,
        csrf=_csrf_token(),
        **shown,
    )


def _caught_up_tokens(account_id: str) -> list[dict]:
    services().catch_up_inline()  # a token made or revoked a moment ago is listed as it is now
    return personal_tokens(services().store, account_id)


@bp.post("/account/password")
@person_signed_in
def change_password(person):
    _check_csrf()
    form = request.form
    try:
        services().tracker.change_password(person.account_id, form.get("current", ""), form["new"])
    except (TrackerError, KeyError) as refused:
        return account(error=getattr(refused, "message", "a new password is needed")), 422
    return account(done="Your password is changed.")


@bp.post("/account/sessions/end")
@person_signed_in
def end_sessions(person):
    """End one session, or every one ("sign out everywhere", this one too)."""
    _check_csrf()
    which = request.form.get("session") or None
    person_sessions().end(person.account_id, which)
    if which is None or which == current_session_hash():
        session.clear()
        return redirect(url_for("dashboard.sign_in"))
    return redirect(url_for("dashboard.account"))


# --- the second factor: set up signed in, or on the way in when it is required ------------


def _second_factor_account() -> tuple[str | None, bool]:
    """(account id, whether signed in already) for the second factor's set-up."""
    person = current_person()
    if person is not None:
        return person.account_id, True
    return pending_account(), False


@bp.route("/second-factor", methods=["GET", "POST"])
def second_factor():
    account_id, signed_in = _second_factor_account()
    if account_id is None:
        return redirect(url_for("dashboard.sign_in"))
    tracker = services().tracker
    if tracker.has_second_factor(account_id):
        return redirect(url_for("dashboard.account" if signed_in else "dashboard.sign_in_code"))
    if request.method == "GET":
        secret = tracker.begin_second_factor(account_id)
        email = tracker.account_by_id(account_id).email
        uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Careers Hub Tracker")
        return render_template(
            "second_factor.html", csrf=_csrf_token(), secret=secret, uri=uri, error=None
        )
    _check_csrf()
    try:
        codes = tracker.confirm_second_factor(account_id, request.form.get("code", ""))
    except TrackerError as refused:
        page = render_template("second_factor.html", csrf=_csrf_token(), error=refused.message)
        return page, 422
    if not signed_in:
        start_person_session(account_id)
    return render_template("recovery_codes.html", csrf=_csrf_token(), codes=codes)


# --- People: invite, withdraw, who has access to what --------------------------------------


def _may_manage(person) -> bool:
    return any(grant.kind in ("admin", "hub", "school") for grant in person.grants)


def _visible_to(person, everyone: list[dict]) -> list[dict]:
    """An admin sees everyone; others, the people holding grants they could give."""
    if any(grant.kind == "admin" for grant in person.grants):
        return everyone
    tracker, mine = services().tracker, [str(grant) for grant in person.grants]
    return [
        {**p, "grants": [g for g in p["grants"] if _may_give(tracker, mine, g)]}
        for p in everyone
        if any(_may_give(tracker, mine, g) for g in p["grants"])
    ]


def _may_give(tracker, mine: list[str], grant: str) -> bool:
    try:
        tracker.check_may_grant(mine, grant)
    except TrackerError:
        return False
    return True


@bp.get("/people")
@person_signed_in
def people_page(person, **shown):
    if not _may_manage(person):
        abort(403, "only admins, Hub Leads and Careers Leaders manage people")
    services().catch_up_inline()
    return render_template(
        "people.html",
        access=person.narrowed(services().reads),
        people=_visible_to(person, people(services().store)),
        is_admin=any(grant.kind == "admin" for grant in person.grants),
        csrf=_csrf_token(),
        **shown,
    )


@bp.post("/people/invite")
@person_signed_in
def invite(person):
    _check_csrf()
    form, mine = request.form, [str(grant) for grant in person.grants]
    try:
        secret = services().tracker.invite(
            form.get("email", ""),
            form.get("name", ""),
            form.get("grant", ""),
            mine,
            caller=_caller(person),
        )
    except TrackerError as refused:
        return people_page(error=refused.message), 422
    return people_page(done=f"Invited {form.get('email')}.", link=_deliver(form, secret))


def _deliver(form, secret: str | None) -> str | None:
    """Email the invitation where SMTP is set up; else the link, for the inviter to pass on."""
    if secret is None:
        return None
    link = mail.link_to(public_url(), "invitation", quote(secret))
    smtp = current_app.config.get("SMTP_URL")
    if not smtp:
        return link
    mail.send(
        smtp, form.get("email", ""), *mail.invitation_text(form.get("name", ""), link, LINK_DAYS)
    )
    return None


@bp.post("/people/withdraw")
@person_signed_in
def withdraw(person):
    _check_csrf()
    form, mine = request.form, [str(grant) for grant in person.grants]
    try:
        services().tracker.withdraw_grant(
            form.get("email", ""),
            form.get("grant", ""),
            form.get("reason", ""),
            mine,
            caller=_caller(person),
        )
    except TrackerError as refused:
        return people_page(error=refused.message), 422
    return people_page(done=f"Withdrew {form.get('grant')} from {form.get('email')}.")
