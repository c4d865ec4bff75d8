"""Provider access (the Baker clause): encounters offered to year groups, a school's report per
phase and a hub's roll-up of schools meeting the duty."""

from __future__ import annotations

from api import auth, formats
from api import organisation_schemas as schemas
from api.routes import PREFIX, Blueprint, after_write, as_seen, found, idempotency_key
from api.routes.employers import as_known, year_and_date
from api.schemas import Written
from api.services import services
from projections import engagement_privacy, provider_access
from projections.metrics import hub_members

blp = Blueprint(
    "provider_access",
    __name__,
    url_prefix=PREFIX,
    description="Provider access",
    path_formats=formats.HUB_PATH,
)


@blp.post("/activities/<activity_id>/offered")
@auth.guard(auth.require_some_school_writer)
@blp.arguments(schemas.OfferIn)
@blp.response(200, Written)
def offer_activity(body, activity_id):
    """Record a provider encounter as offered to whole year groups (Years 12-13 count for the
    duty)."""
    return after_write(
        services().tracker.offer_activity(
            activity_id,
            body["year_groups"],
            within_school=auth.access().school,
            caller=auth.caller(),
            idempotency_key=idempotency_key(),
        )
    )


@blp.get("/schools/<urn>/provider-access")
@auth.guard(auth.require_school_reader, "urn")
@blp.arguments(schemas.EngagementArgs, location="query")
@blp.response(200, schemas.ProviderAccess)
def school_provider_access(args, urn):
    """The school's provider encounters per phase in a year, and whether the duty is met; as known
    at a past time when `known_at` is given."""
    found(services().reads.school(urn), f"school {urn}")
    year, as_of = year_and_date(args)
    answer = provider_access.provider_access(
        services().reads.views(args.get("known_at")), urn, year, as_of
    )
    return as_seen(engagement_privacy.provider_access)(as_known(answer, args.get("known_at")))


@blp.get("/hubs/<code>/provider-access")
@auth.guard(auth.require_hub_reader, "code")
@blp.arguments(schemas.EngagementArgs, location="query")
@blp.response(200, schemas.HubProviderAccess)
def hub_provider_access(args, code):
    """The hub's member schools meeting the provider access duty, per phase."""
    found(services().reads.hub(code, args.get("known_at")), f"hub {code}")
    year, as_of = year_and_date(args)
    store = services().reads.views(args.get("known_at"))
    schools = hub_members(store, code, as_of)
    answer = provider_access.hub_provider_access(store, code, schools, year, as_of)
    return as_known(answer, args.get("known_at"))
