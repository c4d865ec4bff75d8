"""The shape of each item of the API's lists, for the OpenAPI document: the reads build these
items as plain dicts (projections/records.py, api/accesslog.py), so the shapes describe them
without a second dump that could drop a key."""

from __future__ import annotations

from marshmallow import Schema, fields

TEXT, NUMBER, FLAG, OBJECT = "string", "integer", "boolean", "object"


def _property(kind: str, description: str) -> dict:
    nullable = kind.endswith("?")
    schema = {"type": kind.rstrip("?"), "description": description}
    if schema["type"] == "array":
        schema["items"] = {"type": "string"}
    return {**schema, "nullable": True} if nullable else schema


Shape = dict[str, tuple[str, str]]  # each key's type (a trailing `?`: may be null) and meaning


def item(name: str, shape: Shape) -> fields.Dict:
    """A list's item, described key by key."""
    properties = {key: _property(*kind_and_meaning) for key, kind_and_meaning in shape.items()}
    return fields.Dict(metadata={"title": name, "properties": properties})


def list_of(name: str, shape: Shape) -> fields.List:
    return fields.List(item(name, shape))


ACTIVITY = dict(
    id=(TEXT, "the activity's id"),
    kind=(TEXT, "its kind, e.g. careers_fair"),
    category=(TEXT, "what it counts as: employer, workplace, fe, he or guidance"),
    title=(TEXT, "its title"),
    occurred_on=(TEXT, "the date it took place"),
    counts=(FLAG, "whether it counts towards the benchmarks"),
    meaningful=("boolean?", "the recorder's yes or no (2014 rules)"),
    criteria=("object?", "the 2024 checks, each true or false"),
    employer_name=("string?", "the employer"),
    provider_name=("string?", "the college, university or provider"),
    attendees=("integer?", "how many took part (withheld from hubs when small)"),
    retracted_reason=("string?", "why it was retracted, if it was"),
    retracted=(FLAG, "whether it was retracted"),
    recorded_at=(TEXT, "when it was recorded (UTC)"),
)
EVENT = dict(
    position=(NUMBER, "the event's position in the log"),
    recorded_at=(TEXT, "when it was stored (UTC)"),
    type=(TEXT, "what happened, e.g. Activity.Retracted"),
    aggregate=(TEXT, "the id of the record it changed"),
    version=(NUMBER, "that record's version after it"),
    actor=("string?", "who made it"),
    actor_name=("string?", "their name, where the actor is a person's account"),
    request_id=("string?", "the request that made it"),
    school_urn=("string?", "the school it belongs to"),
    upn=("string?", "the pupil it names, if one"),
    data=(OBJECT, "the event's own fields"),
)
TIMELINE_EVENT = dict(
    position=EVENT["position"],
    recorded_at=EVENT["recorded_at"],
    type=EVENT["type"],
    aggregate_id=EVENT["aggregate"],
    actor=EVENT["actor"],
    school_urn=EVENT["school_urn"],
)
PUPIL_READ = dict(
    id=(NUMBER, "the read's place in the access log"),
    read_at=(TEXT, "when (UTC)"),
    upn=(TEXT, "the pupil read"),
    subject=(TEXT, "who read it (the token's subject)"),
    scope=(TEXT, "the token's scope"),
    address=("string?", "the reader's address (auditors only)"),
    what=(TEXT, "what was read"),
    request_id=("string?", "the request (auditors only)"),
)
ENROLMENT = dict(
    school_urn=(TEXT, "the school"),
    enrolled_on=(TEXT, "the date enrolled"),
    left_on=("string?", "the date left, if they have"),
    destination=("string?", "where they went, if recorded"),
    sen=(FLAG, "special educational needs"),
    pupil_premium=(FLAG, "pupil premium"),
)
ENCOUNTER = dict(
    occurred_on=(TEXT, "the date"),
    category=(TEXT, "employer, workplace, fe, he or guidance"),
    kind=(TEXT, "the activity's kind"),
)
REJECTED_ROW = dict(
    line=(NUMBER, "the file's line"),
    reasons=(OBJECT, "each refused field, and why"),
)
DIFFERENCE = dict(
    table=(TEXT, "the view table"),
    only_live=(NUMBER, "rows only in the live views"),
    only_rebuilt=(NUMBER, "rows only in the rebuilt ones"),
    examples=("array", "a few of the differing rows"),
)


# A subject access export's parts (projections/subject_access.py).
IDENTITY = dict(
    given_name=("string?", "the given name the school recorded"),
    family_name=("string?", "the family name"),
    date_of_birth=("string?", "the date of birth"),
    pseudonymised=(FLAG, "whether the identity has been erased"),
)
SCHOOL_ENROLMENT = dict(ENROLMENT, school_name=("string?", "the school's name"))
YEAR_GROUPS = dict(
    this_year=("integer?", "the National Curriculum year this academic year"),
    recorded=("array", "each year group recorded, {from: academic year, year_group}"),
)
FLAGS = dict(sen=ENROLMENT["sen"], pupil_premium=ENROLMENT["pupil_premium"])
DESTINATION = dict(
    school_urn=(TEXT, "the school left"),
    left_on=(TEXT, "the date left"),
    destination=("string?", "where they went"),
)
ATTENDED = dict(
    id=ACTIVITY["id"],
    school_urn=(TEXT, "the school that recorded it"),
    kind=ACTIVITY["kind"],
    category=ACTIVITY["category"],
    title=ACTIVITY["title"],
    occurred_on=ACTIVITY["occurred_on"],
    employer=("string?", "the employer"),
    provider=("string?", "the college, university or provider"),
    meaningful=ACTIVITY["meaningful"],
    counts=ACTIVITY["counts"],
)
PLACEMENT = dict(
    id=(TEXT, "the placement's id"),
    school_urn=(TEXT, "the school that arranged it"),
    kind=(TEXT, "its kind"),
    employer=("string?", "the host employer"),
    starts_on=(TEXT, "the first day"),
    ends_on=(TEXT, "the last day"),
    state=(TEXT, "arranged, confirmed, completed or cancelled"),
    completed_on=("string?", "the date completed"),
    hours=("number?", "hours completed"),
)
ENCOUNTERS = dict(
    counts=(OBJECT, "how many counted encounters of each category"),
    counted=(
        "array",
        "each counted encounter: source_id, school_urn, kind, category, occurred_on, academic_year",
    ),
)


class _Page(Schema):
    next = fields.String(allow_none=True, metadata={"description": "the next page's cursor"})


class ActivityPage(_Page):
    items = list_of("Activity", ACTIVITY)


class EventPage(_Page):
    items = list_of("Event", EVENT)


class TimelinePage(_Page):
    items = list_of("TimelineEvent", TIMELINE_EVENT)


class PupilReadPage(_Page):
    items = list_of("PupilRead", PUPIL_READ)
