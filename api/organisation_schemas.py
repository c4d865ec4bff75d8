"""Shapes of the register's requests and answers, and of the employer engagement figures."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api import formats
from api.schemas import TEXT, CalendarDate, CalendarDateTime, Freshness
from tracker.organisations import ROLES, SIC_SECTIONS
from tracker.rulesets import EMPLOYER_SIZES, PROVIDER_TYPES

IDENTIFIER = validate.Length(min=1, max=20)


class OrganisationIn(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    name = fields.String(required=True, validate=TEXT, metadata=formats.TEXT)
    sector = fields.String(allow_none=True, validate=validate.OneOf(tuple(SIC_SECTIONS)))
    size = fields.String(allow_none=True, validate=validate.OneOf(EMPLOYER_SIZES))
    companies_house = fields.String(allow_none=True, validate=IDENTIFIER)
    postcode_area = fields.String(allow_none=True, validate=IDENTIFIER)
    type = fields.String(allow_none=True, validate=validate.OneOf(PROVIDER_TYPES))
    ukprn = fields.String(allow_none=True, validate=IDENTIFIER)


class MatchArgs(Freshness):
    q = fields.String(validate=validate.Length(max=200), metadata=formats.IN_ADDRESS)
    role = fields.String(validate=validate.OneOf(ROLES))
    as_of = CalendarDate()
    known_at = CalendarDateTime()


class MergeIn(Schema):
    into = fields.UUID(required=True)


class Organisation(Schema):
    id = fields.String(required=True)
    role = fields.String(required=True)
    name = fields.String(required=True)
    registered = fields.Boolean(required=True)
    sector = fields.String(allow_none=True)
    size = fields.String(allow_none=True)
    companies_house = fields.String(allow_none=True)
    postcode_area = fields.String(allow_none=True)
    provider_type = fields.String(allow_none=True)
    ukprn = fields.String(allow_none=True)
    names = fields.List(fields.String(), required=True)
    merged_into = fields.String(allow_none=True)


class Organisations(Schema):
    items = fields.List(fields.Nested(Organisation), required=True)


class EngagementArgs(Freshness):
    year = fields.String(validate=validate.Length(max=7), metadata=formats.academic_year())
    as_of = CalendarDate()
    known_at = CalendarDateTime()


class Reach(Schema):
    employers = fields.Integer(required=True)
    encounters = fields.Integer(required=True)
    pupils = fields.Integer(allow_none=True, required=True)
    schools = fields.Integer(required=True)


class EmployerRow(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    sector = fields.String(allow_none=True)
    size = fields.String(allow_none=True)
    encounters = fields.Integer(required=True)
    schools = fields.Integer(required=True)
    placements = fields.Integer(allow_none=True, required=True)
    years_engaged = fields.List(fields.String(), required=True)
    repeat = fields.Boolean(required=True)
    new_this_year = fields.Boolean(required=True)


class SectorCell(Schema):
    sector = fields.String(required=True)
    encounters = fields.Integer(required=True)


class GridRow(Schema):
    urn = fields.String(required=True)
    sectors = fields.List(fields.Nested(SectorCell), required=True)


class Engagement(Schema):
    year = fields.String(required=True)
    as_of = fields.Date(required=True)
    totals = fields.Nested(Reach, required=True)
    by_sector = fields.Dict(keys=fields.String(), values=fields.Nested(Reach), required=True)
    by_size = fields.Dict(keys=fields.String(), values=fields.Nested(Reach), required=True)
    repeat_employers = fields.Integer(required=True)
    new_employers = fields.Integer(required=True)
    employers = fields.List(fields.Nested(EmployerRow), required=True)
    grid = fields.List(fields.Nested(GridRow), required=True)
    suppressed = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    known_at = fields.DateTime(allow_none=True)


class HistoryRow(Schema):
    year = fields.String(required=True)
    urn = fields.String(required=True)
    encounters = fields.Integer(required=True)
    placements = fields.Integer(allow_none=True, required=True)
    pupils = fields.Integer(allow_none=True, required=True)


class EmployerHistory(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    sector = fields.String(allow_none=True)
    size = fields.String(allow_none=True)
    merged_into = fields.String(allow_none=True)
    names = fields.List(fields.String(), required=True)
    history = fields.List(fields.Nested(HistoryRow), required=True)
    suppressed = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    known_at = fields.DateTime(allow_none=True)


class AsOfArgs(Freshness):
    as_of = CalendarDate()
    known_at = CalendarDateTime()


class Host(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    sector = fields.String(allow_none=True)
    placements = fields.Integer(required=True)
    last_placement_on = fields.Date(required=True)
    last_answer = fields.String(required=True)
    answered_on = fields.Date(required=True)


class Hosts(Schema):
    items = fields.List(fields.Nested(Host), required=True)


class OfferIn(Schema):
    year_groups = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=14)),
        required=True,
        validate=validate.Length(min=1, max=14),
    )


class Phase(Schema):
    phase = fields.String(required=True)
    taught = fields.Boolean(required=True)
    pupils = fields.Integer(allow_none=True, required=True)
    pupils_with_two = fields.Integer(allow_none=True, required=True)
    final_year_pupils = fields.Integer(allow_none=True, required=True)
    final_year_with_two = fields.Integer(allow_none=True, required=True)
    offered = fields.Integer(required=True)
    met = fields.Boolean(allow_none=True, required=True)
    suppressed = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class ProviderAccess(Schema):
    urn = fields.String(required=True)
    year = fields.String(required=True)
    as_of = fields.Date(required=True)
    phases = fields.List(fields.Nested(Phase), required=True)
    known_at = fields.DateTime(allow_none=True)


class SchoolDuty(Schema):
    urn = fields.String(required=True)
    met = fields.Dict(keys=fields.String(), values=fields.Boolean(allow_none=True), required=True)


class PhaseCount(Schema):
    phase = fields.String(required=True)
    schools_meeting = fields.Integer(required=True)
    schools_applicable = fields.Integer(required=True)


class HubProviderAccess(Schema):
    code = fields.String(required=True)
    year = fields.String(required=True)
    as_of = fields.Date(required=True)
    schools = fields.List(fields.Nested(SchoolDuty), required=True)
    phases = fields.List(fields.Nested(PhaseCount), required=True)
    known_at = fields.DateTime(allow_none=True)
