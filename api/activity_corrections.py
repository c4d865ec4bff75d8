"""Corrections from the school page: an activity's details amended on a page of its own (the record
form's fields, filled in as recorded), and attendees added or removed or the activity retracted;
each refused on the page beside its field with every value kept (docs/dashboard.md)."""

from __future__ import annotations

import json

from flask import abort, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from api import activity_forms as forms
from api import organisation_picker as picker
from api.dashboard import _allow, _check_csrf, _csrf_token, bp, school_page, signed_in
from api.services import services
from tracker.domain.base import Caller
from tracker.errors import TrackerError
from tracker.rulesets import ACTIVITY_KINDS, MEANINGFUL_2024


class CorrectionForm(forms.ActivityForm):
    """The school page's "Correct an activity" form: attendees added or removed, or a retraction."""

    fields = ("activity_id", "action", "upns", "reason")
    form_field = {"id": "activity_id", "add": "upns", "remove": "upns", "attendees": "upns"}
    prefix, form_id = "cf-", "correct-activity"


@bp.context_processor
def correction_form() -> dict:
    """The corrections form as posted (`g.correction`), or blank on a fresh school page."""
    return {"correction": g.get("correction") or CorrectionForm()}


@bp.post("/schools/<urn>/corrections")
@signed_in
def correct_activity(access, urn):
    """Add or remove attendees, or retract an activity: each a further record, never an edit."""
    _check_csrf()
    _allow(access.may_write_for(urn), "this sign-in may not write for that school")
    form = CorrectionForm(MultiDict(request.form))
    written = _correct(form, urn, _caller(access, form))
    if written is None:
        g.correction = form  # the school page draws it again, as typed, beside its errors
        return school_page(access, urn, None, 422)
    services().catch_up_inline()
    return redirect(url_for("dashboard.school", urn=urn, done=_done(written)))


def _correct(form: CorrectionForm, urn: str, keyed: dict):
    values, tracker = form.values, services().tracker
    action, upns = values.get("action"), values.get("upns", "").split()
    if action not in ("add", "remove", "retract"):
        form.refuse("action", "Choose to add attendees, remove them or retract the activity.")
    elif action != "retract" and not upns:
        form.refuse("upns", f"List the UPNs to {action}, one per line.")
    if form.errors:
        return None
    try:
        if action == "retract":
            return tracker.retract_activity(
                values.get("activity_id", ""), values.get("reason", ""), **keyed, within_school=urn
            )
        return tracker.change_attendees(
            values.get("activity_id", ""), **{action: upns}, **keyed, within_school=urn
        )
    except TrackerError as refused:
        form.refuse(refused.field, refused.message)
        return None


def _caller(access, form: forms.ActivityForm) -> dict:
    """Who asks, and the form's id as the key a retried submit is answered by."""
    return {
        "caller": Caller(access.subject, g.get("request_id", "")),
        "idempotency_key": form.values.get("form_id") or None,
    }


def _done(written) -> str:
    return f"Corrected (position {written.position})."


class AmendForm(forms.ActivityForm):
    """The activity form on its own page, filled in with an activity's details to correct them."""


@bp.get("/schools/<urn>/activities/<activity_id>/amend")
@signed_in
def amend_page(access, urn, activity_id):
    """An activity's details as recorded, in the record form's fields, to correct."""
    _allow(access.may_write_for(urn), "this sign-in may not write for that school")
    form = AmendForm(as_recorded(urn, activity_id))
    # The register's entry for the name recorded is shown chosen, not offered as a new one.
    form.matches = picker.offered(form.values.get("with", ""), forms.role_of(form.values))
    return _amend_page(access, urn, activity_id, form)


@bp.post("/schools/<urn>/activities/<activity_id>/amend")
@signed_in
def amend_activity(access, urn, activity_id):
    """The corrected details: stored as a further record, or shown again beside their errors.
    "Find in the register" only shows the register's matches for the name."""
    _check_csrf()
    _allow(access.may_write_for(urn), "this sign-in may not write for that school")
    recorded = as_recorded(urn, activity_id)
    form = AmendForm(MultiDict(request.form))
    form.values.setlist("kind", [recorded["kind"]])  # the kind is not corrected, whatever is sent
    if request.form.get("step") != "find":
        written = _amend(form, activity_id, urn, _caller(access, form))
        if written is not None:
            services().catch_up_inline()
            return redirect(url_for("dashboard.school", urn=urn, done=_done(written)))
    form.matches = picker.offered(form.values.get("with", ""), forms.role_of(form.values))
    return _amend_page(access, urn, activity_id, form)


def _amend(form: AmendForm, activity_id: str, urn: str, keyed: dict):
    """The activity amended, or None with the form's errors said. Every detail on the form is
    sent, not only those changed: a retried submit must ask the very same of the use case."""
    occurred_on = forms.occurred_on_of(form)
    forms.check_details(form)
    if form.errors:
        return None
    values = form.values
    changes = {
        "title": values.get("title", ""),
        "occurred_on": occurred_on,
        **picker.counterpart(values, forms.role_of(values)),
        **forms.checks_ticked(values),
    }
    reason = values.get("reason", "").strip() or None
    try:
        return services().tracker.amend_activity(
            activity_id, changes, reason, **keyed, within_school=urn
        )
    except TrackerError as refused:
        form.refuse(refused.field, refused.message)
        return None


def _amend_page(access, urn: str, activity_id: str, form: AmendForm):
    page = render_template(
        "activity_amend.html",
        access=access,
        s={"urn": urn},
        csrf=_csrf_token(),
        kinds=sorted(ACTIVITY_KINDS),
        form=form,
        amending=activity_id,
    )
    return page, 422 if form.errors else 200


def as_recorded(urn: str, activity_id: str) -> MultiDict:
    """The activity's details as the form's fields hold them; 404 for none at this school, 409
    for one retracted (it cannot change)."""
    store = services().store
    rows = store.query(
        "SELECT kind, title, occurred_on, meaningful, criteria, retracted_reason "
        "FROM {activities} WHERE id = ? AND school_urn = ?",
        (activity_id, urn),
    )
    if not rows:
        abort(404, f"no activity {activity_id} at school {urn}")
    kind, title, occurred_on, meaningful, criteria, retracted = rows[0]
    if retracted is not None:
        abort(409, f"activity {activity_id} was retracted and cannot change")
    values = MultiDict({"kind": kind, "title": title, "occurred_on": str(occurred_on)[:10]})
    values.setlist("criteria", _ticked(meaningful, criteria))
    for name, sector, size, provider_type in store.query(
        "SELECT name, sector, size, provider_type FROM {counterparts} WHERE source_id = ?",
        (activity_id,),
    ):
        details = {"with": name, "sector": sector, "size": size, "provider_type": provider_type}
        values.update({key: value for key, value in details.items() if value})
    return values


def _ticked(meaningful, criteria: str | None) -> list[str]:
    """The checks that held; one recorded with only the 2014 yes held the four it stands for."""
    if criteria:
        return [check for check, held in json.loads(criteria).items() if held]
    return list(MEANINGFUL_2024) if meaningful else []
