"""A school's Benchmark 1-4 checklist: each criterion with its description, whether it is met, its
evidence and every change to it (who, when, evidence), and a form to change it."""

from __future__ import annotations

from flask import abort, render_template, request

from api.dashboard import _allow, _as_of, _csrf_token, _known_at, _school_form, bp, signed_in
from api.services import services
from projections.checklist_history import school_checklist
from tracker.calendar import AcademicYear
from tracker.errors import InvalidValue
from tracker.identifiers import is_digits
from tracker.rulesets import rule_set_for

MET = {"yes": True, "no": False}


@bp.get("/schools/<urn>/checklist")
@signed_in
def checklist(access, urn):
    """The checklist on a date (today by default): the school's figures, so its hub sees it too."""
    return _page(access, urn)


@bp.post("/schools/<urn>/checklist")
@signed_in
def change_criterion(access, urn):
    """Mark one criterion met or not met, with its evidence, as the API's checklist path does."""
    form = request.form

    def write(caller, form_id):
        return services().tracker.change_criterion(
            urn,
            _benchmark(form.get("benchmark", "")),
            form.get("code", ""),
            _met(form.get("met", "")),
            form.get("evidence", "").strip() or None,
            caller=caller,
            idempotency_key=form_id,
        )

    return _school_form(
        access,
        urn,
        write,
        f"Criterion {form.get('code')} changed",
        back=("dashboard.checklist", {"urn": urn}),
        refused=lambda message: _page(access, urn, message, 422),
    )


def _page(access, urn: str, refusal: str | None = None, status: int = 200):
    reads = services().reads
    _allow(access.may_read_school(urn, _as_of(), reads), "this sign-in may not see that school")
    school = reads.school(urn)
    if school is None:
        abort(404, f"no school {urn}")
    as_of = _as_of() or reads.today()
    rule_set = rule_set_for(AcademicYear.containing(as_of))
    known_at = _known_at()  # the checklist as it was recorded by then; a change is made as now
    benchmarks = school_checklist(reads.views(known_at), urn, rule_set, as_of)
    posted = (request.form.get("benchmark"), request.form.get("code"))
    beside = any((str(b), c.code) == posted for b, criteria in benchmarks.items() for c in criteria)
    page = render_template(
        "checklist.html",
        access=access,
        school=school,
        as_of=as_of,
        known_at=known_at,
        rule_set=rule_set,
        benchmarks=benchmarks,
        unplaced=refusal if refusal and not beside else None,
        can_write=access.may_write_for(urn),
        refused=refusal,
        typed=request.form if refusal else {},
        done=request.args.get("done"),
        csrf=_csrf_token(),
    )
    return page, status


def _benchmark(text: str) -> int:
    if not (is_digits(text) and len(text) == 1):
        raise InvalidValue("benchmark must be one of 1, 2, 3 and 4", "benchmark")
    return int(text)


def _met(text: str) -> bool:
    if text not in MET:
        raise InvalidValue("say whether the criterion is met: yes or no", "met")
    return MET[text]
