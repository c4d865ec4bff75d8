"""The school page's "Record an activity" form: whole groups filled in from the roll on the
activity's date, the employer or provider with its details, the criteria checks, and a failed
submit shown again as typed with each error beside its field (docs/dashboard.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import g, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from api import activity_groups as groups
from api import organisation_picker as picker
from api.dashboard import _allow, _check_csrf, _form_date, bp, school_page, signed_in
from api.services import services
from projections.metrics import year_groups_taught
from tracker.calendar import AcademicYear
from tracker.domain.base import Caller
from tracker.errors import TrackerError
from tracker.organisations import SIC_SECTIONS
from tracker.rulesets import (
    ACTIVITY_KINDS,
    CRITERIA_CHECKS,
    EMPLOYER_SIZES,
    MEANINGFUL_2024,
    PROVIDER_TYPES,
)

# The form's fields in page order: the error summary lists them so.
FIELDS = (
    "kind",
    "title",
    "occurred_on",
    "year_groups",
    "groups",
    "attendees",
    "with",
    "organisation",
    "sector",
    "size",
    "provider_type",
    "criteria",
    "reason",  # a correction's
)
# Where the domain names a field differently from the form.
FORM_FIELD = {
    "employer": "with",
    "employer.name": "with",
    "provider": "with",
    "provider.name": "with",
    "employer.sector": "sector",
    "employer.size": "size",
    "provider.type": "provider_type",
    "meaningful": "criteria",
}
# The domain's messages begin with its name for the field; the page says it in words.
IN_WORDS = {
    "occurred_on": "The date",
    "attendees": "Attendees:",
    "title": "The title",
    "kind": "The kind",
    "employer.name": "The name",
    "provider.name": "The name",
    "employer.sector": "The sector",
    "employer.size": "The size",
    "provider.type": "The provider's type",
    "reason": "A reason",  # a correction's
}
UNREADABLE_DATE = "Give the date it happened, such as 2019-03-05."


@dataclass
class ActivityForm:
    """What the page's form shows: the values as typed, an error per field, and what was found."""

    values: MultiDict = field(default_factory=MultiDict)
    errors: dict[str, str] = field(default_factory=dict)
    matches: list[dict] = field(default_factory=list)
    notice: str | None = None
    # The page's form: its fields in order, the domain's names for them, and its ids.
    fields = FIELDS
    form_field = FORM_FIELD
    prefix, form_id = "af-", "record-activity"

    def refuse(self, name: str, message: str) -> None:
        if name in IN_WORDS and message.startswith(name + " "):
            message = IN_WORDS[name] + message[len(name) :]
        self.errors.setdefault(self.form_field.get(name, name), message)

    @property
    def summary(self) -> list[tuple[str, str]]:
        """Each error's link (its field, or the form for one no field holds) and message, in the
        order of the fields on the page."""
        order = {name: i for i, name in enumerate(self.fields)}
        ordered = sorted(self.errors.items(), key=lambda item: order.get(item[0], len(order)))
        return [
            (f"{self.prefix}{name}" if name in order else self.form_id, message)
            for name, message in ordered
        ]


@bp.post("/schools/<urn>/activities")
@signed_in
def record_activity(access, urn):
    """The school's form: one activity, its date, its employer or provider, and who took part.
    "Fill attendees" (or Record with groups chosen) shows the groups' pupils to check first."""
    _check_csrf()
    _allow(access.may_write_for(urn), "this sign-in may not write for that school")
    form = ActivityForm(MultiDict(request.form))
    step = request.form.get("step", "record")  # "find" only shows the register's matches
    if step == "fill" or (step == "record" and groups.chosen(request.form)):
        _allow(access.may_see_pupils_of(urn), "this sign-in may not see that school's pupils")
        groups.fill(form, urn, occurred_on_of(form))
    elif step == "record" and (written := _record(form, urn, access)) is not None:
        services().catch_up_inline()
        done = f"Recorded (position {written.position})."
        return redirect(url_for("dashboard.school", urn=urn, done=done))
    form.matches = picker.offered(form.values.get("with", ""), role_of(form.values))
    return school_page(access, urn, form, 422 if form.errors else 200)


def occurred_on_of(form: ActivityForm) -> date | None:
    try:
        return _form_date(form.values.get("occurred_on", ""))
    except TrackerError as refused:
        unreadable = refused.message.endswith("must be a date")
        form.refuse("occurred_on", UNREADABLE_DATE if unreadable else refused.message)
        return None


def check_details(form: ActivityForm) -> None:
    """What the form itself can tell of the activity's details; the use case checks the rest."""
    values = form.values
    if values.get("kind") not in ACTIVITY_KINDS:
        form.refuse("kind", "Choose the kind of activity.")
    if not values.get("title", "").strip():
        form.refuse("title", "Give the activity a title.")
    picker.check_choice(form, role_of(values))


def _check_fields(form: ActivityForm) -> None:
    check_details(form)
    if not form.values.get("attendees", "").split():
        form.refuse("attendees", "List who took part (UPNs), or fill them in from their groups.")


def _record(form: ActivityForm, urn: str, access):
    """The activity recorded, or None with the form's errors said."""
    occurred_on = occurred_on_of(form)
    _check_fields(form)
    if form.errors:
        return None
    values = form.values
    try:
        return services().tracker.record_activity(
            urn,
            values.get("kind", ""),
            values.get("title", ""),
            occurred_on,
            values.get("attendees", "").split(),
            **picker.counterpart(values, role_of(values)),
            **checks_ticked(values),
            caller=Caller(access.subject, g.get("request_id", "")),
            idempotency_key=values.get("form_id") or None,
        )
    except TrackerError as refused:
        form.refuse(refused.field, refused.message)
        return None


def checks_ticked(values: MultiDict) -> dict:
    """The four checks and the employer's task as ticked, and under the 2014 rules the one yes or
    no: every one of the four checks held."""
    ticked = set(values.getlist("criteria"))
    return {
        "meaningful": ticked.issuperset(MEANINGFUL_2024),
        "criteria": {check: check in ticked for check in CRITERIA_CHECKS},
    }


def role_of(values: MultiDict) -> str | None:
    """employer or provider, as the kind says; guidance may name either (a provider when its
    type is chosen)."""
    category = ACTIVITY_KINDS.get(values.get("kind", ""))
    if category in ("fe", "he"):
        return "provider"
    if category == "guidance":
        return "provider" if values.get("provider_type") else None
    return "employer"


# The four checks of a meaningful encounter (2024), and the employer's task, in plain words.
CHECK_HINTS = {
    "purpose_shared": (
        "Its purpose was shared",
        "Pupils were told beforehand what it was for and what they could get from it.",
    ),
    "outcomes": (
        "It had learning outcomes",
        "What pupils should learn was planned, as part of the careers programme.",
    ),
    "two_way": (
        "Pupils took part, both ways",
        "Pupils talked with the people from work or study and asked questions, not only listened.",
    ),
    "reflection": (
        "Pupils reflected on it",
        "Afterwards pupils thought about what they learnt, and it was noted.",
    ),
    "employer_task": (
        "The employer set a task",
        "Workplace visits and job shadowing only: the employer gave pupils a task or challenge. "
        "The 2024 rules count those only with it.",
    ),
}


@bp.context_processor
def activity_form_choices() -> dict:
    """The form's fixed choices, for the school page whether shown fresh or again as typed."""
    return {
        "checks": CHECK_HINTS,
        "sectors": SIC_SECTIONS,
        "sizes": EMPLOYER_SIZES,
        "provider_types": PROVIDER_TYPES,
        "role_of_kind": {
            kind: {"fe": "provider", "he": "provider", "guidance": ""}.get(category, "employer")
            for kind, category in ACTIVITY_KINDS.items()
        },
        "category_of_kind": ACTIVITY_KINDS,
        "year_groups_of": year_groups_of,
        "blank_form": ActivityForm(),
    }


def year_groups_of(urn: str, as_of) -> range:
    """The year groups the school teaches in the page's academic year: the boxes to choose from,
    whether or not anyone is on roll in them today."""
    year = AcademicYear.containing(date.fromisoformat(str(as_of)[:10]))
    first, last = year_groups_taught(services().store, year, [urn]).get(urn, (7, 11))
    return range(first, last + 1)
