"""The People page's actions on one person beyond invite and withdraw: requiring a second
factor, disabling and re-enabling, an admin's reset link (docs/people.md). Each use case checks
who may do it; a refusal is shown on the page."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, request

from adapters import mail
from api.account_pages import _caller, people_page, person_signed_in
from api.dashboard import _check_csrf, bp
from api.people_pages import public_url
from api.services import services
from tracker.errors import TrackerError
from tracker.usecases.signin import LINK_DAYS


def _on_person(person, act, done: str):
    """Run `act(email, mine, caller)` for the person the form names; the People page after."""
    _check_csrf()
    email, mine = request.form.get("email", ""), [str(grant) for grant in person.grants]
    try:
        act(email, mine, _caller(person))
    except TrackerError as refused:
        return people_page(error=refused.message), 422
    return people_page(done=done.format(email=email))


@bp.post("/people/require-second-factor")
@person_signed_in
def require_second_factor(person):
    reason = request.form.get("reason") or "required by their hub or an admin"
    return _on_person(
        person,
        lambda email, mine, caller: services().tracker.require_second_factor(
            email, reason, mine, caller=caller
        ),
        "{email} must set up an authenticator app at their next sign-in.",
    )


@bp.post("/people/disable")
@person_signed_in
def disable(person):
    reason = request.form.get("reason") or "disabled from the People page"
    return _on_person(
        person,
        lambda email, mine, caller: services().tracker.disable_account(
            email, reason, mine, caller=caller
        ),
        "{email} may no longer sign in.",
    )


@bp.post("/people/reenable")
@person_signed_in
def reenable(person):
    return _on_person(
        person,
        lambda email, mine, caller: services().tracker.reenable_account(email, mine, caller=caller),
        "{email} may sign in again.",
    )


@bp.post("/people/reset-link")
@person_signed_in
def reset_link(person):
    """An admin's reset link for someone who forgot their password: emailed where SMTP is set
    up, else shown once on the page for the admin to pass on."""
    _check_csrf()
    email, mine = request.form.get("email", ""), [str(grant) for grant in person.grants]
    tracker = services().tracker
    try:
        tracker.check_may_grant(mine, "admin")
    except TrackerError as refused:
        return people_page(error=refused.message), 422
    secret = tracker.request_reset(email)
    if secret is None:
        return people_page(error=f"{email} has not joined, or is disabled: no reset link."), 422
    link = mail.link_to(public_url(), "reset", quote(secret))
    if smtp := current_app.config.get("SMTP_URL"):
        mail.send(smtp, email, *mail.reset_text(link, LINK_DAYS))
        return people_page(done=f"A reset link is on its way to {email}.")
    return people_page(done=f"A reset link for {email}.", reset_link=link)
