"""The school's roll on the dashboard: its pupils with their benchmark status, filtered as a Careers
Leader asks, and the MIS import with its preview and confirm step (docs/years.md)."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from flask import abort, g, redirect, render_template, request, url_for

from api.accesslog import log_read
from api.dashboard import _allow, _as_of, _check_csrf, _csrf_token, _known_at, bp, signed_in
from api.routes.pupils import limited_enrol
from api.services import services
from projections.pupil_status import RollFilter
from tracker.calendar import check_in_calendar
from tracker.domain.base import Caller
from tracker.errors import TrackerError
from tracker.identifiers import is_digits
from tracker.imports import import_pupils

ROLL_PAGE = 200  # pupils a page; a large year group is about that


@bp.get("/schools/<urn>/pupils")
@signed_in
def roll(access, urn):
    """The roll on a date, each pupil with benchmarks 5-8 met or still needed: for the school,
    auditors and admins (it names pupils), and every pupil shown goes in the access log."""
    _allow(access.may_see_pupils_of(urn), "this sign-in may not see that school's pupils")
    wanted = _roll_filter(request.args)
    page = services().reads.roll(
        urn, _as_of(), wanted, request.args.get("after") or None, ROLL_PAGE, _known_at()
    )
    if page is None:
        abort(404, f"no school {urn}")
    log_read(
        services().store, [item["upn"] for item in page["items"]], access.subject, str(access.scope)
    )
    return render_template(
        "roll.html",
        access=access,
        urn=urn,
        page=page,
        wanted=wanted,
        args=request.args,
        school=services().reads.school(urn),
        done=request.args.get("done"),
    )


def _roll_filter(args) -> RollFilter:
    def number(name: str, low: int, high: int) -> int | None:
        text = args.get(name, "")
        if not text:
            return None
        if not (is_digits(text) and low <= int(text) <= high):
            abort(400, f"{name} must be a whole number from {low} to {high}")
        return int(text)

    def flag(name: str) -> bool | None:
        return {"": None, "yes": True, "no": False}.get(args.get(name, ""))

    return RollFilter(
        number("year_group", 1, 14),
        args.get("group") or None,
        number("not_met", 5, 8),
        flag("sen"),
        flag("pupil_premium"),
    )


@bp.post("/schools/<urn>/import")
@signed_in
def import_roll(access, urn):
    """An MIS file: first a preview of what it would do (storing nothing), then, confirmed, the
    import."""
    _check_csrf()
    _allow(access.may_write_for(urn), "this sign-in may not write for that school")
    form, confirmed = request.form, request.form.get("confirm") == "yes"
    data = _file_bytes()
    options = {
        "exported_on": _export_date(form.get("exported_on", "")),
        "full_roll": form.get("full_roll") == "yes",
        "apply_good_rows": form.get("apply_good_rows") == "yes",
    }
    token = access.token_id if access.school else None  # a school's refusals are counted
    try:
        report = import_pupils(
            services().tracker,
            urn,
            data,
            caller=Caller(access.subject, g.get("request_id", "")),
            enrol=limited_enrol(token),
            dry_run=not confirmed,
            **options,
        )
    except TrackerError as refused:
        return render_template(
            "import.html",
            access=access,
            urn=urn,
            error=refused.message,
            report=None,
            csrf=_csrf_token(),
            options=options,
            data="",
        )
    if confirmed:
        services().catch_up_inline()
        done = (
            f"Imported: {report.accepted} enrolled, {report.changed} changed, "
            f"{report.unchanged} unchanged, {len(report.leavers)} left."
            if report.applied
            else "Nothing was changed: rows were refused."
        )
        return redirect(url_for("dashboard.roll", urn=urn, done=done))
    return render_template(
        "import.html",
        access=access,
        urn=urn,
        error=None,
        report=report,
        csrf=_csrf_token(),
        options=options,
        data=base64.b64encode(data).decode(),
    )


def _file_bytes() -> bytes:
    """The uploaded file, or (on the confirm step) the same file carried back in the form."""
    if upload := request.files.get("file"):
        return upload.read()
    try:
        return base64.b64decode(request.form.get("data", ""), validate=True)
    except binascii.Error:
        abort(400, "the file did not come back whole; upload it again")


def _export_date(text: str) -> date | None:
    if not text:
        return None
    try:
        return check_in_calendar("exported_on", date.fromisoformat(text))
    except ValueError:
        abort(400, "exported_on must be a date like 2026-12-04")
