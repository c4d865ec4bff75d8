"""The dashboard's pages for people signing in: email and password, the second factor's code,
accepting an invitation, a forgotten password (docs/people.md)."""

from __future__ import annotations

import time

import pyotp
from flask import current_app, redirect, render_template, request, session, url_for

from adapters import mail
from api.dashboard import _check_csrf, _csrf_token, bp
from api.people_sessions import start_person_session
from api.ratelimit import FailedSignIns
from api.services import services
from tracker.errors import TrackerError
from tracker.usecases.signin import LINK_DAYS

PENDING_SECONDS = 300  # between a right password and its second factor
NOT_RECOGNISED = "That email address and password do not match an account that may sign in."


class FailedAccountSignIns(FailedSignIns):
    """Failed passwords and codes per account (keyed `account:<email>`), over a longer window:
    a guesser spread over many addresses still waits, and the person can always reset."""


def _account_failures() -> FailedAccountSignIns:
    app = current_app
    if "failed_account_sign_ins" not in app.extensions:
        app.extensions["failed_account_sign_ins"] = FailedAccountSignIns(
            lambda: services().store,
            app.config["ACCOUNT_SIGN_IN_FAILURES"],
            app.config["ACCOUNT_FAILURE_WINDOW_SECONDS"],
        )
    return app.extensions["failed_account_sign_ins"]


def _waiting(email: str) -> int | None:
    """Seconds to wait before trying again from this address or for this account, if any."""
    address = request.remote_addr or "unknown"
    by_address = current_app.extensions["failed_sign_ins"].retry_after(address)
    return by_address or _account_failures().retry_after(f"account:{email}")


def _failed(email: str) -> None:
    current_app.extensions["failed_sign_ins"].failed(request.remote_addr or "unknown")
    _account_failures().failed(f"account:{email}")


def _sign_in_page(error: str | None, status: int = 200, headers: dict | None = None):
    page = render_template("sign_in.html", csrf=_csrf_token(), error=error)
    return page, status, headers or {}


@bp.post("/sign-in/password")
def sign_in_password():
    """Email and password; then the second factor's code where the account has one."""
    _check_csrf()
    email = request.form.get("email", "").strip().lower()[:254]
    if (wait := _waiting(email)) is not None:
        error = (
            "Too many failed sign-ins; wait a few minutes and try again, or reset your password."
        )
        return _sign_in_page(error, 429, {"Retry-After": str(wait)})
    account = services().tracker.check_credentials(email, request.form.get("password", ""))
    if account is None:
        _failed(email)
        return _sign_in_page(NOT_RECOGNISED, 401)
    return _after_password(account)


def _after_password(account):
    tracker, account_id = services().tracker, str(account.id)
    if tracker.has_second_factor(account_id) or tracker.must_have_second_factor(account):
        session.clear()
        session["pending"] = {"account": account_id, "email": account.email, "at": time.time()}
        if tracker.has_second_factor(account_id):
            return redirect(url_for("dashboard.sign_in_code"))
        return redirect(url_for("dashboard.second_factor"))
    start_person_session(account_id)
    return redirect(url_for("dashboard.home"))


def pending_account() -> str | None:
    """The account whose password was right a moment ago, awaiting its second factor."""
    pending = session.get("pending") or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return pending["account"]


@bp.get("/sign-in/code")
def sign_in_code():
    if pending_account() is None:
        return redirect(url_for("dashboard.sign_in"))
    return render_template("sign_in_code.html", csrf=_csrf_token(), error=None)


@bp.post("/sign-in/code")
def sign_in_code_post():
    _check_csrf()
    account_id, email = pending_account(), (session.get("pending") or {}).get("email", "")
    if account_id is None:
        return redirect(url_for("dashboard.sign_in"))
    if (wait := _waiting(email)) is not None:
        page = render_template("sign_in_code.html", csrf=_csrf_token(), error="Wait and retry.")
        return page, 429, {"Retry-After": str(wait)}
    if not services().tracker.second_factor_matches(account_id, request.form.get("code", "")):
        _failed(email)
        error = "That code is not right: try the one your app shows now, or a recovery code."
        return render_template("sign_in_code.html", csrf=_csrf_token(), error=error), 401
    start_person_session(account_id)
    return redirect(url_for("dashboard.home"))


# --- links: an invitation, a reset ---------------------------------------------------------


@bp.route("/invitation/<secret>", methods=["GET", "POST"])
def accept_invitation(secret):
    """Choose a password (and, where the account must have one, set up the authenticator app
    at the same time): the account joins, and the person signs in with it."""
    tracker = services().tracker
    totp_secret = tracker.enrolment_secret(secret)
    if totp_secret is None:
        return _set_password(secret, tracker.accept_invitation, "Welcome")
    return _set_password(secret, _accept_enrolling, "Welcome", enrolment=_enrolment(totp_secret))


def _enrolment(totp_secret: str) -> dict:
    uri = pyotp.TOTP(totp_secret).provisioning_uri(issuer_name="Careers Hub Tracker")
    return {"secret": totp_secret, "uri": uri}


def _accept_enrolling(secret: str, password: str) -> str:
    """The password, and the app's code."""
    code = request.form.get("code", "")
    return services().tracker.accept_invitation(secret, password, code=code)


@bp.route("/reset/<secret>", methods=["GET", "POST"])
def reset_password(secret):
    return _set_password(secret, services().tracker.reset_password, "Choose a new password")


def _set_password(secret: str, use_link, title: str, enrolment: dict | None = None):
    shown = {"csrf": _csrf_token(), "title": title, "enrolment": enrolment}
    if request.method == "GET":
        return render_template("set_password.html", error=None, **shown)
    _check_csrf()
    password = request.form.get("password", "")
    if password != request.form.get("again", ""):
        error = "The two passwords differ."
    else:
        try:
            account_id = use_link(secret, password)
            if enrolment:  # the app is set up too: its recovery codes, shown once
                codes = services().tracker.new_recovery_codes(account_id)
                return render_template("recovery_codes.html", csrf=_csrf_token(), codes=codes)
            done = "Your password is set: sign in with it."
            return render_template("sign_in.html", csrf=_csrf_token(), error=None, done=done)
        except TrackerError as refused:
            error = refused.message
    return render_template("set_password.html", error=error, **shown), 422


@bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten_password():
    """The same answer whether or not the address has an account; the link goes by email."""
    if request.method == "GET":
        return render_template("forgotten.html", csrf=_csrf_token(), sent=False)
    _check_csrf()
    email = request.form.get("email", "").strip()[:254]
    smtp = current_app.config.get("SMTP_URL")
    if smtp:
        # After the answer, not before: making the link and sending the mail take time only for
        # an address with an account, so doing them first would tell who has one.
        tracker, base = services().tracker, public_url()
        mail.OUTBOX.submit(_send_reset_link, tracker, smtp, base, email)
    return render_template("forgotten.html", csrf=_csrf_token(), sent=True)


def _send_reset_link(tracker, smtp: str, base: str, email: str) -> None:
    secret = tracker.request_reset(email)
    if secret is not None:
        mail.send(smtp, email, *mail.reset_text(mail.link_to(base, "reset", secret), LINK_DAYS))


def public_url() -> str:
    return current_app.config.get("PUBLIC_URL") or request.host_url
