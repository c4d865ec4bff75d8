"""Rules shared by the use cases: scopes and the shapes of ids (the rest live on the aggregates)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tracker.errors import Forbidden, InvalidValue, TrackerError
from tracker.identifiers import validate_urn
from tracker.scopes import Scope
from tracker.validation import check_text


def check_scope_text(scope: str) -> str:
    if scope in ("admin", "auditor"):
        return scope
    parsed = Scope.parse(scope)
    if parsed.kind == "school":
        return f"school:{validate_urn(parsed.name or '', 'scope')}"
    if parsed.hub:
        return f"hub:{hub_code(parsed.hub)}"
    raise InvalidValue("scope must be admin, auditor, school:<URN> or hub:<CODE>", "scope")


def hub_code(code: Any) -> str:
    text = check_text("code", code, max_length=32)
    if not text.replace("-", "").replace("_", "").isalnum():
        raise InvalidValue("a hub code is letters, digits, - and _", "code")
    return text.upper()


def parse_uuid(text: str, not_found: type[TrackerError]) -> UUID:
    try:
        return UUID(str(text))
    except ValueError:
        raise not_found(text) from None


def check_scope(owner_urn: str, within_school: str | None, what: str) -> None:
    if within_school is not None and owner_urn != within_school:
        raise Forbidden(what)
