"""A school's placements as a board (year group by state), with the forms that move a placement
through its life: arrange, confirm once the checks are done, complete or cancel (docs/dashboard.md).
"""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request

from api.accesslog import log_read
from api.dashboard import _allow, _csrf_token, _school_form, bp, signed_in
from api.services import services
from projections import placement_board
from tracker.calendar import check_in_calendar
from tracker.domain.placement import HOST_ANSWERS
from tracker.errors import InvalidValue
from tracker.organisations import SIC_SECTIONS
from tracker.rulesets import EMPLOYER_SIZES, PLACEMENT_KINDS

# What confirming a placement means (domain.md): the safeguarding check and the risk assessment
# are done (`Placement.check_confirming` refuses a confirmation without both); the page asks for
# both and names the one not ticked.
CHECKS = {"safeguarding": "Safeguarding check done", "risk_assessment": "Risk assessment done"}
# What each form did, said back on the board.
DONE = {
    "arrange": "Arranged",
    "confirm": "Confirmed",
    "complete": "Completed",
    "cancel": "Cancelled",
}


@bp.get("/schools/<urn>/placements")
@signed_in
def placements(access, urn):
    """The board: for the school, auditors and admins (it names pupils); never a hub."""
    return _board(access, urn)


@bp.post("/schools/<urn>/placements")
@signed_in
def arrange_placement(access, urn):
    """Arrange a placement for one pupil with one employer, between two dates."""
    form = request.form

    def write(caller, key):
        return services().tracker.arrange_placement(
            urn,
            form.get("upn", "").strip().upper(),
            form.get("kind", ""),
            _employer(form),
            _form_date("starts_on"),
            _form_date("ends_on"),
            caller=caller,
            idempotency_key=key,
        )

    return _step(access, urn, "arrange", write)


@bp.post("/schools/<urn>/placements/<step>")
@signed_in
def placement_step(access, urn, step):
    """Confirm, complete or cancel one of the school's placements."""
    if step not in ("confirm", "complete", "cancel"):
        abort(404, "a placement is confirmed, completed or cancelled")
    form, tracker = request.form, services().tracker

    def write(caller, key):
        chosen = {"within_school": urn, "caller": caller, "idempotency_key": key}
        placement = form.get("placement_id", "")
        if step == "confirm":
            return tracker.confirm_placement(placement, _checks(form), **chosen)
        if step == "cancel":
            return tracker.cancel_placement(placement, form.get("reason", ""), **chosen)
        hours, host = _hours(form.get("hours", "")), form.get("would_host", "not_asked")
        return tracker.complete_placement(
            placement, _form_date("completed_on"), hours, would_host=host, **chosen
        )

    return _step(access, urn, step, write)


def _step(access, urn: str, form_name: str, write):
    """A board form posted; a refusal is the board again with the message beside the form that
    sent it."""
    return _school_form(
        access,
        urn,
        write,
        DONE[form_name],
        back=("dashboard.placements", {"urn": urn}),
        refused=lambda message: _board(access, urn, refusal=(form_name, message), status=422),
    )


def _board(access, urn: str, refusal: tuple[str, str] | None = None, status: int = 200):
    _allow(access.may_see_pupils_of(urn), "this sign-in may not see that school's placements")
    school = services().reads.school(urn)
    if school is None:
        abort(404, f"no school {urn}")
    cards = placement_board.school_placements(services().store, services().tracker, urn)
    log_read(services().store, sorted({c.upn for c in cards}), access.subject, str(access.scope))
    page = render_template(
        "placements.html",
        access=access,
        school=school,
        board=placement_board.by_year_group(cards),
        states=placement_board.STATES,
        open=[c for c in cards if c.state in ("arranged", "confirmed")],
        arranged=[c for c in cards if c.state == "arranged"],
        can_write=access.may_write_for(urn),
        kinds=PLACEMENT_KINDS,
        sizes=EMPLOYER_SIZES,
        sections=SIC_SECTIONS,
        checks=CHECKS,
        answers=HOST_ANSWERS,
        refused=dict([refusal]) if refusal else {},
        typed=request.form if refusal else {},
        sent=refusal[0] if refusal else None,
        done=request.args.get("done"),
        csrf=_csrf_token(),
    )
    return page, status


def _employer(form) -> dict:
    employer = {"name": form.get("employer", "").strip()}
    for field in ("sector", "size"):
        if value := form.get(field, "").strip():
            employer[field] = value
    return employer


def _checks(form) -> dict[str, bool]:
    missing = [label for check, label in CHECKS.items() if form.get(check) != "yes"]
    if missing:
        raise InvalidValue(
            "A placement is confirmed once the safeguarding check and the risk assessment are "
            f"done; not ticked: {', '.join(missing).lower()}.",
            "checks",
        )
    return {check: True for check in CHECKS}


def _form_date(field: str) -> date:
    try:
        return check_in_calendar(field, date.fromisoformat(request.form.get(field, "")))
    except ValueError:
        raise InvalidValue(f"{field} must be a date like 2019-06-03", field) from None


def _hours(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidValue("hours must be a number, such as 30 or 7.5", "hours") from None
