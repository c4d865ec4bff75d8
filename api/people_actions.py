"""The People page's actions on one person beyond invite and withdraw: requiring a second factor
(docs/people.md). Each is a use case that checks who may do it; a refusal is shown on the page."""

from __future__ import annotations

from flask import request

from api.account_pages import _caller, people_page, person_signed_in
from api.dashboard import _check_csrf, bp
from api.services import services
from tracker.errors import TrackerError


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
