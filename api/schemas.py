"""Marshmallow schemas: the shapes of every request and response of the contract."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, missing, validate

from api import formats
from api import list_items as items
from api.list_items import DIFFERENCE, ENCOUNTER, ENROLMENT, REJECTED_ROW, list_of
from api.rows import Rows
from tracker.calendar import OUTSIDE_YEARS, in_calendar
from tracker.rulesets import (
    ACTIVITY_KINDS,
    DESTINATIONS,
    EMPLOYER_SIZES,
    PLACEMENT_KINDS,
    PROVIDER_TYPES,
    SCHOOL_TYPES,
)
from tracker.validation import MAX_EVIDENCE

TEXT = validate.Length(min=1, max=200)
POSITION = validate.Range(min=0, max=2**53)  # positions fit any database's integer column


class _InYears:
    """A date or moment in the years the tracker deals in (tracker.calendar.YEARS), so calendar
    arithmetic on it (the year before, UTC) stays in range."""

    in_years: dict  # the pattern that says so in the document

    def __init__(self, *args, metadata=None, **kwargs):
        super().__init__(*args, metadata={**self.in_years, **(metadata or {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if not in_calendar(parsed):
            raise ValidationError(OUTSIDE_YEARS)
        return parsed


class CalendarDate(_InYears, fields.Date):
    in_years = formats.DATE


class CalendarDateTime(_InYears, fields.AwareDateTime):
    in_years = formats.DATE_TIME


class Written(Schema):
    id = fields.String(allow_none=True)
    position = fields.Integer(required=True)


class HubIn(Schema):
    code = fields.String(
        required=True, validate=validate.Length(min=1, max=32), metadata=formats.HUB_CODE
    )
    name = fields.String(required=True, validate=TEXT, metadata=formats.TEXT)
    area = fields.String(required=True, validate=TEXT, metadata=formats.TEXT)
    wave = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100))


class JoinIn(Schema):
    joined_on = CalendarDate(required=True)


class LeaveHubIn(Schema):
    left_on = CalendarDate(required=True)


class SchoolIn(Schema):
    urn = fields.String(required=True, validate=validate.Length(max=10), metadata=formats.URN)
    name = fields.String(required=True, validate=TEXT, metadata=formats.TEXT)
    type = fields.String(required=True, validate=validate.OneOf(SCHOOL_TYPES))
    la_code = fields.String(
        required=True, validate=validate.Length(max=10), metadata=formats.LA_CODE
    )
    laestab = fields.String(
        required=True, validate=validate.Length(max=10), metadata=formats.LAESTAB
    )
    first_year_group = fields.Integer(
        validate=validate.Range(1, 14),
        metadata={
            "description": "the first year group taught "
            "(default by type: secondary 7, middle 5, colleges 12)"
        },
    )
    last_year_group = fields.Integer(
        validate=validate.Range(1, 14),
        metadata={
            "description": "the last year group taught "
            "(default by type: secondary 11, middle 8, colleges 14)"
        },
    )


class RolloverIn(Schema):
    year = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{4}/\d{2}$"),
        metadata=formats.academic_year("the academic year starting, e.g. 2027/28"),
    )
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "say who would leave; store nothing"}
    )


class RolloverReport(Schema):
    school_urn = fields.String()
    year = fields.String()
    left_on = fields.String(metadata={"description": "the last day of the year before: 31 August"})
    leavers = fields.List(fields.String(), metadata={"description": "UPNs of the pupils who leave"})
    dry_run = fields.Boolean()
    position = fields.Integer(allow_none=True)


class YearGroupsIn(Schema):
    first_year_group = fields.Integer(required=True, validate=validate.Range(1, 14))
    last_year_group = fields.Integer(required=True, validate=validate.Range(1, 14))
    from_year = fields.String(
        validate=validate.Regexp(r"^\d{4}/\d{2}$"),
        metadata=formats.academic_year(
            "the academic year the range applies from, e.g. 2027/28 (default: since registration)"
        ),
    )


class PupilIn(Schema):
    upn = fields.String(required=True, validate=validate.Length(max=20), metadata=formats.UPN)
    given_name = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata=formats.TEXT
    )
    family_name = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata=formats.TEXT
    )
    date_of_birth = CalendarDate(required=True)
    year_group = fields.Integer(required=True, strict=True, metadata=formats.YEAR_GROUP)
    enrolled_on = CalendarDate(required=True)
    sen = fields.Boolean(load_default=False)
    pupil_premium = fields.Boolean(load_default=False)


class PupilLeaveIn(Schema):
    left_on = CalendarDate(
        required=True,
        metadata={
            "description": "the last day on roll: no later than the end of this academic year"
        },
    )
    destination = fields.String(
        allow_none=True,
        validate=validate.OneOf(DESTINATIONS),
        metadata={"description": "where they went, if known (it can be recorded later)"},
    )


class YearGroupIn(Schema):
    year_group = fields.Integer(required=True, strict=True, metadata=formats.YEAR_GROUP)
    year = fields.String(
        required=True, validate=validate.Length(max=7), metadata=formats.academic_year()
    )


class Employer(Schema):
    name = fields.String(required=True, validate=TEXT, metadata=formats.TEXT)
    sector = fields.String(
        allow_none=True, validate=validate.Length(max=100), metadata=formats.OPTIONAL_TEXT
    )
    size = fields.String(allow_none=True, validate=validate.OneOf(EMPLOYER_SIZES))


class Provider(Schema):
    name = fields.String(required=True, validate=TEXT, metadata=formats.TEXT)
    type = fields.String(required=True, validate=validate.OneOf(PROVIDER_TYPES))


class Criteria(Schema):
    purpose_shared = fields.Boolean()
    outcomes = fields.Boolean()
    two_way = fields.Boolean()
    reflection = fields.Boolean()
    employer_task = fields.Boolean()


class ActivityIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(sorted(ACTIVITY_KINDS)))
    title = fields.String(required=True, validate=TEXT, metadata=formats.TEXT)
    occurred_on = CalendarDate(required=True)
    employer = fields.Nested(Employer, allow_none=True)
    provider = fields.Nested(Provider, allow_none=True)
    meaningful = fields.Boolean(allow_none=True)
    criteria = fields.Nested(Criteria, allow_none=True)
    attendees = fields.List(
        fields.String(validate=validate.Length(max=20), metadata=formats.UPN),
        required=True,
        validate=validate.Length(min=1, max=2000),
    )


class AttendeesIn(Schema):
    add = fields.List(
        fields.String(validate=validate.Length(max=20), metadata=formats.UPN),
        load_default=list,
        validate=validate.Length(max=2000),
    )
    remove = fields.List(
        fields.String(validate=validate.Length(max=20), metadata=formats.UPN),
        load_default=list,
        validate=validate.Length(max=2000),
    )


class AmendIn(Schema):
    title = fields.String(validate=TEXT, metadata=formats.TEXT)
    occurred_on = CalendarDate()
    employer = fields.Nested(Employer)
    provider = fields.Nested(Provider)
    meaningful = fields.Boolean()
    criteria = fields.Nested(Criteria)
    reason = fields.String(validate=validate.Length(max=200), metadata=formats.OPTIONAL_TEXT)


class ReasonIn(Schema):
    reason = fields.String(required=True, validate=TEXT, metadata=formats.TEXT)


class PlacementIn(Schema):
    upn = fields.String(required=True, validate=validate.Length(max=20), metadata=formats.UPN)
    kind = fields.String(required=True, validate=validate.OneOf(PLACEMENT_KINDS))
    employer = fields.Nested(Employer, required=True)
    starts_on = CalendarDate(required=True)
    ends_on = CalendarDate(required=True)


class ConfirmIn(Schema):
    checks = fields.Dict(
        keys=fields.String(validate=validate.Length(max=50)),
        values=fields.Boolean(),
        load_default=dict,
    )


class CompleteIn(Schema):
    completed_on = CalendarDate(required=True)
    hours = fields.Float(
        required=True, validate=validate.Range(min=0, min_inclusive=False, max=1000)
    )
    would_host = fields.String(validate=validate.OneOf(("yes", "no", "not_asked")))


class CriterionIn(Schema):
    met = fields.Boolean(required=True)
    evidence = fields.String(
        allow_none=True, validate=validate.Length(max=MAX_EVIDENCE), metadata=formats.OPTIONAL_TEXT
    )
    changed_on = CalendarDate()


# --- reads ---------------------------------------------------------------------------


class Freshness(Schema):
    min_position = fields.Integer(validate=POSITION)


class Figures(Freshness):
    as_of = CalendarDate()
    known_at = CalendarDateTime()


class SchoolStatusArgs(Figures):
    year = fields.String(validate=validate.Length(max=7), metadata=formats.academic_year())


class SeriesArgs(Freshness):
    year = fields.String(validate=validate.Length(max=7), metadata=formats.academic_year())
    dates = fields.List(CalendarDate(), validate=validate.Length(max=24))
    known_at = CalendarDateTime()


class ActivitiesArgs(Freshness):
    start = CalendarDate(data_key="from")
    end = CalendarDate(data_key="to")
    kind = fields.String(validate=validate.OneOf(sorted(ACTIVITY_KINDS)))
    after = fields.String(
        validate=validate.Length(max=80),
        metadata={
            **formats.IN_ADDRESS,
            "description": "the cursor a previous page gave (its `next`), as it gave it",
        },
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class AuditArgs(Freshness):
    after = fields.Integer(load_default=0, validate=POSITION)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    school = fields.String(validate=validate.Length(max=10), metadata=formats.URN)
    upn = fields.String(validate=validate.Length(max=20), metadata=formats.UPN)
    type = fields.String(validate=validate.Length(max=80), metadata=formats.IN_ADDRESS)


class Answer(Schema):
    """The schema of a typed answer (projections/answers.py): its fields read as attributes (or,
    from a dict, as keys)."""

    def get_attribute(self, obj, attr, default):
        return obj.get(attr, default) if isinstance(obj, dict) else getattr(obj, attr, default)


class _WhenGiven:
    """A figure in the body only where the answer has it: `suppressed` for hub tokens,
    `position` beside a comparison."""

    when_given = True

    def serialize(self, attr, obj, accessor=None, **kwargs):
        value = super().serialize(attr, obj, accessor, **kwargs)
        return missing if value is None else value


class Withheld(_WhenGiven, fields.Dict):
    def __init__(self, description: str):
        super().__init__(
            keys=fields.String(), values=fields.String(), metadata={"description": description}
        )


class ComparedAt(_WhenGiven, fields.Integer):
    pass


class Benchmark(Answer):
    benchmark = fields.Integer()
    measured = fields.Integer()
    met = fields.Integer()
    coverage = fields.Float(allow_none=True)
    score = fields.Float(allow_none=True)
    achieved = fields.Boolean()
    applicable = fields.Boolean()
    suppressed = Withheld(
        "hub tokens only: each count or rate withheld (shown as null) and why: low or secondary"
    )


class SchoolRow(Answer):
    urn = fields.String()
    name = fields.String()
    type = fields.String()
    benchmarks = fields.List(fields.Nested(Benchmark))
    benchmarks_achieved = fields.Integer()


class YearGroupRow(Answer):
    year_group = fields.Integer()
    pupils = fields.Integer(allow_none=True)
    bm5_measured = fields.Integer(allow_none=True)
    bm5_met = fields.Integer(allow_none=True)
    bm6_by_16 = fields.Integer(allow_none=True)
    bm7_by_16 = fields.Integer(allow_none=True)
    bm8_by_16 = fields.Integer(allow_none=True)
    suppressed = Withheld(
        "hub tokens only: each count withheld (shown as null) and why: low or secondary"
    )


class SeriesFigures(Answer):
    schools = fields.Integer()
    every_student_employer_encounters = fields.Float(allow_none=True)
    every_student_workplace_experience = fields.Float(allow_none=True)
    mean_benchmarks_achieved = fields.Float(allow_none=True)
    pct_schools_achieving = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    mean_coverage = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        metadata={"description": "per benchmark: the mean of the schools' coverages (metrics.md)"},
    )
    pupil_coverage = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    pupils_measured = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True))
    pupils_met = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True))
    suppressed = Withheld(
        "hub tokens only: each figure withheld (shown as null) and why: low or secondary"
    )


class Summary(SeriesFigures):
    position = ComparedAt(
        metadata={"description": "the view position these figures were computed at"}
    )


class Header(Answer):
    as_of = fields.Date()
    year = fields.String()
    rule_set = fields.String()
    known_at = fields.DateTime(allow_none=True)


class SchoolStatus(Header, SchoolRow):
    by_year_group = fields.List(fields.Nested(YearGroupRow))


class Hub(Answer):
    code = fields.String()
    name = fields.String()
    area = fields.String()
    wave = fields.Integer(allow_none=True)


class HubMetrics(Header, Summary):
    hub = fields.Nested(Hub)
    school_rows = Rows(SchoolRow)
    national = fields.Nested(Summary, allow_none=True)
    non_hub = fields.Nested(Summary, allow_none=True)


class NationalMetrics(Header, Summary):
    non_hub = fields.Nested(Summary, allow_none=True)


class SeriesPoint(SeriesFigures):
    as_of = fields.Date()
    national = fields.Nested(
        SeriesFigures, metadata={"description": "every registered school's figures on the date"}
    )
    non_hub = fields.Nested(
        SeriesFigures,
        allow_none=True,
        metadata={"description": "the figures of the schools in no hub on the date"},
    )


class Series(Answer):
    hub = fields.String()
    year = fields.String()
    known_at = fields.DateTime(allow_none=True)
    points = fields.List(fields.Nested(SeriesPoint))


class Pupil(Schema):
    upn = fields.String(allow_none=True)
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    date_of_birth = fields.String(allow_none=True)
    erased = fields.Boolean()
    pseudonymised = fields.Boolean()  # the same as `erased`: the name older clients read
    known_at = fields.DateTime(allow_none=True)
    year_group = fields.Integer(allow_none=True)
    current_school = fields.String(allow_none=True)
    enrolments = list_of("Enrolment", ENROLMENT)
    sen = fields.Boolean()
    pupil_premium = fields.Boolean()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    encounters = list_of("Encounter", ENCOUNTER)  # the counted ones
    benchmarks = fields.List(
        fields.Nested(lambda: BenchmarkStatus()),
        metadata={
            "description": "benchmarks 5-8 on as_of at the school the pupil is on roll at then "
            "(a school: its own)"
        },
    )


class ImportArgs(Schema):
    exported_on = fields.Date(
        metadata={
            **formats.DATE,
            "description": "the day the MIS made the file: its NC Year is each "
            "pupil's year group in that academic year (default today)",
        }
    )
    full_roll = fields.Boolean(
        load_default=False,
        metadata={
            "description": "the file is the whole roll: pupils on roll but not in it leave on the "
            "day before the export; all or nothing when a row is refused"
        },
    )
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "report what would happen; store nothing"}
    )
    apply_good_rows = fields.Boolean(
        load_default=False,
        metadata={
            "description": "with full_roll: apply the good rows even though some are refused"
        },
    )


class Report(Schema):
    accepted = fields.Integer()
    changed = fields.Integer(
        metadata={
            "description": "pupils on roll here already, with another year group, "
            "group, SEN or pupil premium now"
        }
    )
    unchanged = fields.Integer()
    leavers = fields.List(
        fields.String(), metadata={"description": "a full roll: pupils on roll not in the file"}
    )
    left_on = fields.String(allow_none=True)
    dry_run = fields.Boolean()
    applied = fields.Boolean(
        metadata={
            "description": "false when nothing was stored (a dry run, or a full roll "
            "with refused rows)"
        }
    )
    rejected = list_of("RejectedRow", REJECTED_ROW)
    position = fields.Integer()


class Health(Schema):
    status = fields.String()


class Ready(Health):
    head = fields.Integer()
    position = fields.Integer()
    events = fields.Integer()
    seconds = fields.Float()


class SchoolDetails(Answer):
    urn = fields.String()
    name = fields.String()
    type = fields.String()
    la_code = fields.String()
    laestab = fields.String()
    careers_leader = fields.String(allow_none=True)
    hub = fields.String(allow_none=True)


class ActivityDetails(Schema):
    id = fields.String()
    school_urn = fields.String()
    attendees = fields.List(fields.String())


class TimelineArgs(Freshness):
    after = fields.Integer(load_default=0, validate=POSITION)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class Verification(Schema):
    agree = fields.Boolean()
    differences = list_of("Difference", DIFFERENCE)


class DestinationArgs(Freshness):
    known_at = CalendarDateTime(
        metadata={"description": "the destinations as the system knew them at this time"}
    )
    cohort = fields.String(
        validate=validate.Regexp(r"^\d{4}/\d{2}$"),
        metadata=formats.academic_year(
            "the academic year the pupils left in, e.g. 2025/26 (default: the year before as_of's)"
        ),
    )
    as_of = CalendarDate(
        metadata={"description": "destinations as recorded by this date (default today)"}
    )


class DestinationCount(Schema):
    destination = fields.String()
    count = fields.Integer(
        allow_none=True,
        metadata={"description": "leavers with this destination (for hubs, null where withheld)"},
    )
    share = fields.Float(allow_none=True)
    suppressed = fields.Dict(
        metadata={"description": "for hubs: why a value is withheld (low, secondary)"}
    )


class FollowUp(Schema):
    upn = fields.String()
    left_on = fields.String()
    destination = fields.String()
    recorded_on = fields.String()
    followed_up = fields.Boolean()
    next_follow_up = fields.String(allow_none=True)


class DestinationReport(Schema):
    cohort = fields.String()
    as_of = fields.String()
    known_at = fields.DateTime(allow_none=True)
    schools = fields.Integer()
    leavers = fields.Integer(allow_none=True)
    destinations = fields.List(fields.Nested(DestinationCount))
    unknown = fields.Integer(
        allow_none=True,
        metadata={"description": "leavers with no destination recorded, or 'unknown'"},
    )
    not_followed_up = fields.Integer(
        allow_none=True,
        metadata={
            "description": "leavers not asked since the last follow-up date "
            "(1 October after leaving, then 1, 2 and 3 years on)"
        },
    )
    suppressed = fields.Dict(
        metadata={"description": "for hubs: why a value is withheld (low, secondary)"}
    )
    follow_ups = fields.List(
        fields.Nested(FollowUp), metadata={"description": "the school's own leavers only"}
    )


class DestinationIn(Schema):
    destination = fields.String(required=True, validate=validate.OneOf(DESTINATIONS))
    recorded_on = CalendarDate(
        metadata={"description": "when the school learnt it (default today)"}
    )


class YearsArgs(Freshness):
    known_at = CalendarDateTime(
        metadata={"description": "each year's figures as the system knew them at this time"}
    )
    since = fields.String(
        validate=validate.Regexp(r"^\d{4}/\d{2}$"),
        metadata=formats.academic_year(
            "the first academic year (default: the year of the first activity; ten years at most)"
        ),
    )


class HubYear(Header, Summary):
    national = fields.Nested(Summary, allow_none=True)
    non_hub = fields.Nested(Summary, allow_none=True)


class HubYears(Answer):
    hub = fields.String()
    years = fields.List(
        fields.Nested(HubYear),
        metadata={
            "description": "each academic year's figures on its last day (this year's as of today)"
        },
    )


class SchoolYear(Header, SchoolRow):
    pass


class SchoolYears(Answer):
    urn = fields.String()
    years = fields.List(
        fields.Nested(SchoolYear),
        metadata={
            "description": "each academic year's figures on its last day (this year's as of today)"
        },
    )


# --- subject access, the access log, small numbers ------------------------------------


class ExportArgs(Freshness):
    format = fields.String(
        validate=validate.OneOf(["json", "html"]),
        metadata={"description": "html for a printable page (or send Accept: text/html)"},
    )


class SubjectAccess(Schema):
    upn = fields.String()
    as_of = fields.String()
    generated_at = fields.String()
    identity = items.item("Identity", items.IDENTITY)
    enrolments = items.list_of("SchoolEnrolment", items.SCHOOL_ENROLMENT)
    year_groups = items.item("YearGroups", items.YEAR_GROUPS)
    flags = items.item("Flags", items.FLAGS)
    destinations = items.list_of("Destination", items.DESTINATION)
    activities = items.list_of("Attended", items.ATTENDED)
    guidance = items.list_of("Attended", items.ATTENDED)
    placements = items.list_of("Placement", items.PLACEMENT)
    encounters = items.item("Encounters", items.ENCOUNTERS)
    events = items.list_of("Event", items.EVENT)


class PupilReadsArgs(Freshness):
    upn = fields.String(validate=validate.Length(max=20), metadata=formats.UPN)
    after = fields.Integer(load_default=0, validate=POSITION)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class PupilArgs(Freshness):
    as_of = CalendarDate(
        metadata={"description": "the year group and benchmark status on this date (default today)"}
    )
    known_at = CalendarDateTime(
        metadata={
            "description": "the record and benchmark status as the system knew them at this time "
            "(who the pupil is, and an erasure, as now)"
        }
    )


class BenchmarkStatus(Schema):
    benchmark = fields.Integer()
    measured = fields.Boolean(
        metadata={"description": "whether the pupil is in the school's figure this year"}
    )
    met = fields.Boolean(
        metadata={"description": "whether they have what it counts (in earlier years: so far)"}
    )
    have = fields.Integer()
    need = fields.Integer()
    counted = fields.String(metadata={"description": "this year, by 16 or by 18"})
    still_needed = fields.String(
        allow_none=True, metadata={"description": "e.g. 1 more workplace experience by 16"}
    )


class RollArgs(Freshness):
    as_of = CalendarDate(metadata={"description": "the roll on this date (default today)"})
    known_at = CalendarDateTime(
        metadata={"description": "the roll and statuses as the system knew them at this time"}
    )
    year_group = fields.Integer(validate=validate.Range(1, 14))
    group = fields.String(
        validate=validate.Length(min=1, max=20),
        metadata={**formats.IN_ADDRESS, "description": "registration group"},
    )
    not_met = fields.Integer(
        validate=validate.Range(5, 8),
        metadata={"description": "only pupils who do not (yet) meet this benchmark"},
    )
    sen = fields.Boolean()
    pupil_premium = fields.Boolean()
    after = fields.String(
        validate=validate.Regexp(r"^[A-Z]\d{11}[0-9A-Z]$"),
        metadata={
            "pattern": formats.UPN["pattern"],
            "description": "the cursor a previous page gave: the UPN it ended on",
        },
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class RollPupil(Schema):
    upn = fields.String()
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    year_group = fields.Integer()
    group = fields.String(allow_none=True)
    sen = fields.Boolean()
    pupil_premium = fields.Boolean()
    benchmarks = fields.List(fields.Nested(BenchmarkStatus))


class Roll(Schema):
    as_of = fields.String()
    known_at = fields.DateTime(allow_none=True)
    items = fields.List(fields.Nested(RollPupil))
    next = fields.String(
        allow_none=True, metadata={"description": "pass as `after` for the next page"}
    )


class NationalArgs(Figures):
    """National figures are asked as a hub's are: on a date, as known at a time."""


class EraseIn(Schema):
    requested_by = fields.String(
        required=True,
        validate=validate.Length(max=20),
        metadata={
            **formats.URN,
            "description": "URN of the school that held the pupil and asks for the erasure",
        },
    )
    reason = fields.String(
        required=True, validate=validate.Length(min=1, max=500), metadata=formats.TEXT
    )
