"""The register of organisations: registering one, matching a typed name, merging duplicates."""

from __future__ import annotations

from datetime import date

from api import auth, formats
from api import organisation_schemas as schemas
from api.routes import PREFIX, Blueprint, after_write, found, idempotency_key
from api.schemas import Written
from api.services import services
from projections import register

blp = Blueprint(
    "organisations",
    __name__,
    url_prefix=f"{PREFIX}/organisations",
    description="The register of employers and providers",
    path_formats=formats.ORGANISATION_PATH,
)


def _today() -> date:
    return services().reads.today()


@blp.post("")
@auth.guard(auth.require_organisation_registrar)
@blp.arguments(schemas.OrganisationIn)
@blp.response(201, Written)
def register_organisation(body):
    """Register an employer or provider; a name matching one registered is refused (409)."""
    details = {k: v for k, v in body.items() if k not in ("role", "name")}
    return after_write(
        services().tracker.register_organisation(
            body["role"],
            body["name"],
            details,
            caller=auth.caller(),
            idempotency_key=idempotency_key(),
        )
    )


@blp.get("")
@blp.arguments(schemas.MatchArgs, location="query")
@blp.response(200, schemas.Organisations)
def match_organisations(args):
    """Organisations whose name matches `q` (case, punctuation, Ltd and & aside), best first."""
    as_of, store = args.get("as_of") or _today(), services().reads.views(args.get("known_at"))
    return {"items": register.matching(store, args.get("q", ""), as_of, args.get("role"))}


@blp.post("/<organisation_id>/merge")
@auth.guard(auth.require_organisation_merger)
@blp.arguments(schemas.MergeIn)
@blp.response(200, Written)
def merge_organisation(body, organisation_id):
    """Merge a duplicate into another organisation: every figure counts them as one (admin, hub)."""
    # Only the views know names typed on activities: bring them up to the log where the API
    # applies it itself (a separate worker is a moment behind; a 404 then is worth a retry).
    services().catch_up_inline()
    known = register.organisations(services().store, _today())
    found(known.get(organisation_id), f"organisation {organisation_id}")
    found(known.get(str(body["into"])), f"organisation {body['into']}")
    return after_write(
        services().tracker.merge_organisation(
            organisation_id, str(body["into"]), caller=auth.caller()
        )
    )


@blp.post("/<organisation_id>/unmerge")
@auth.guard(auth.require_organisation_merger)
@blp.response(200, Written)
def unmerge_organisation(organisation_id):
    """Undo a merge: the two are counted apart again (admin, hub)."""
    return after_write(
        services().tracker.unmerge_organisation(organisation_id, caller=auth.caller())
    )
