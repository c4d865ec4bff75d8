"""The activity form's organisation picker: the register's matches for a typed name (as
`GET /organisations?q=` matches), an existing one or a new one chosen, and what the activity then
names (docs/employers.md)."""

from __future__ import annotations

from flask import jsonify, request

from api.dashboard import bp, signed_in
from api.services import services
from projections import register
from tracker.organisations import ROLES, SIC_SECTIONS, normalised_name
from tracker.rulesets import EMPLOYER_SIZES, PROVIDER_TYPES

OFFERED = 8  # matches offered: enough to choose from, short enough to read
NEW = "new"


@bp.get("/organisations")
@signed_in
def organisation_matches(access):
    """The register's matches for `q` (with `role` employer or provider), for the picker's script:
    names and details of organisations, which every sign-in may read."""
    role = request.args.get("role")
    return jsonify(offered(request.args.get("q", ""), role if role in ROLES else None))


def offered(text: str, role: str | None) -> list[dict]:
    """The register's matches for a typed name, the same-named first (none for no letters)."""
    wanted = normalised_name(text[:200])
    if not wanted:
        return []
    found = register.matching(services().store, text[:200], services().reads.today(), role)
    return [_offer(organisation, wanted) for organisation in found[:OFFERED]]


def _offer(organisation: register.Organisation, wanted: str) -> dict:
    return {
        "id": organisation.id,
        "name": organisation.name,
        "role": organisation.role,
        "registered": organisation.registered,
        # The same organisation by the register's rule: a "new" one of this name would be it.
        "same_name": any(
            normalised_name(name) == wanted for name in [organisation.name, *organisation.names]
        ),
        "sector": organisation.sector if organisation.sector in SIC_SECTIONS else None,
        "size": organisation.size if organisation.size in EMPLOYER_SIZES else None,
        "provider_type": organisation.provider_type
        if organisation.provider_type in PROVIDER_TYPES
        else None,
        "about": _about(organisation),
    }


def _about(organisation: register.Organisation) -> str:
    """The details that tell one match from another, in words."""
    details = [
        "registered" if organisation.registered else "named on activities",
        SIC_SECTIONS.get(organisation.sector or "", ""),
        organisation.size or "",
        (organisation.provider_type or "").replace("_", " "),
    ]
    return ", ".join(detail for detail in details if detail)


def check_choice(form, role: str | None) -> None:
    """A chosen organisation must be one the register offers for the name, in the kind's role."""
    choice = form.values.get("organisation", "")
    if choice in ("", NEW):
        return
    if _chosen(choice, role) is None:
        form.refuse("organisation", "That organisation is not in the register: choose again.")


def _chosen(choice: str, role: str | None) -> register.Organisation | None:
    found = register.organisations(services().store, services().reads.today()).get(choice)
    if found is None or found.merged_into is not None or role not in (None, found.role):
        return None
    return found


def counterpart(values, role: str | None) -> dict:
    """The activity's `employer` or `provider`, as the API takes it: the chosen organisation's
    name (so the activity refers to it) with the details typed, else the register's."""
    chosen = _chosen(values.get("organisation", ""), role)
    name = (chosen.name if chosen else values.get("with", "").strip()) or None
    if name is None:
        return {}
    if role == "provider" or (chosen and chosen.role == "provider"):
        kind_type = "university" if values.get("kind", "").startswith(("he", "univ")) else None
        typed = values.get("provider_type") or (chosen and chosen.provider_type) or kind_type
        return {"provider": {"name": name, "type": typed or "fe_college"}}
    return {
        "employer": {
            "name": name,
            "sector": values.get("sector") or (chosen and chosen.sector) or None,
            "size": values.get("size") or (chosen and chosen.size) or None,
        }
    }
