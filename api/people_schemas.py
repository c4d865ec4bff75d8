"""The bodies and queries of people's accounts: who could see what, invitations."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api import formats
from api.schemas import CalendarDate, Freshness


class AccessArgs(Freshness):
    school = fields.String(
        required=True, validate=validate.Length(min=1, max=10), metadata=formats.URN
    )
    on = CalendarDate(
        required=True,
        metadata={
            "description": "the day asked about: who held a grant that let them see the "
            "school's pupils on it"
        },
    )


class GrantHeld(Schema):
    email = fields.String()
    name = fields.String()
    scope = fields.String()
    given_at = fields.String()
    given_by = fields.String()
    withdrawn_at = fields.String(allow_none=True)
    withdrawn_by = fields.String(allow_none=True)


class GrantsHeld(Schema):
    items = fields.List(fields.Nested(GrantHeld))
