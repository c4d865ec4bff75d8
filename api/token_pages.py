"""A person's own API tokens on their account page: made (limited to one grant, or all, and
always expiring), listed and revoked (docs/people.md)."""

from __future__ import annotations

from datetime import date

from flask import request

from api.account_pages import account, person_signed_in
from api.dashboard import _check_csrf, bp
from api.services import services
from tracker.errors import TrackerError


@bp.post("/account/tokens")
@person_signed_in
def make_token(person):
    """The token is shown once, on the page that answers this form."""
    _check_csrf()
    form = request.form
    try:
        expires_on = date.fromisoformat(form.get("expires", ""))
    except ValueError:
        return account(error="Choose the day the token stops working."), 422
    try:
        token, _ = services().tracker.issue_personal_token(
            person.account_id, form.get("grant", ""), expires_on, form.get("note", "")[:200]
        )
    except TrackerError as refused:
        return account(error=refused.message), 422
    return account(done="Your new token is below: copy it now, it is not shown again.", token=token)


@bp.post("/account/tokens/revoke")
@person_signed_in
def revoke_token(person):
    _check_csrf()
    try:
        services().tracker.revoke_personal_token(person.account_id, request.form.get("token", ""))
    except TrackerError as refused:
        return account(error=refused.message), 422
    return account(done="The token is revoked.")
