"""Checks on the values a command carries, each naming the field it refuses."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tracker.calendar import AcademicYear
from tracker.errors import InvalidUPN, InvalidValue
from tracker.identifiers import validate_upn
from tracker.rulesets import (
    ACTIVITY_KINDS,
    CRITERIA_CHECKS,
    DESTINATIONS,
    EMPLOYER_SIZES,
    PLACEMENT_KINDS,
    PROVIDER_TYPES,
    SCHOOL_TYPES,
    rule_set_for,
)

MAX_TEXT = 200
MAX_EVIDENCE = 2000
# Control characters other than tab and line breaks: never meant, invisible when shown, and NUL
# cannot be stored in a PostgreSQL text column at all (a view could not hold the event).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Half of a UTF-16 surrogate pair on its own: a JSON escape (\ud800) or a command line's undecodable
# byte can carry one into a str, but it is no character and UTF-8 cannot encode it for the store.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(
    field: str, value: Any, *, required: bool = True, max_length: int = MAX_TEXT
) -> str | None:
    """Trimmed text of at most `max_length` characters; None where it may be left out."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidValue(f"{field} is required", field)
        return None
    if not isinstance(value, str):
        raise InvalidValue(f"{field} must be text", field)
    if len(value) > max_length:
        raise InvalidValue(f"{field} is longer than {max_length} characters", field)
    if _CONTROL.search(value):
        raise InvalidValue(f"{field} contains a control character", field)
    check_storable(field, value)
    return value.strip()


def check_storable(field: str, value: str) -> None:
    """Refuse text UTF-8 cannot encode, before any work is done with it."""
    if _LONE_SURROGATE.search(value):
        raise InvalidValue(
            f"{field} holds half of a surrogate pair (\\ud800 to \\udfff) alone: "
            "that is not text, and cannot be stored",
            field,
        )


def check_choice(field: str, value: Any, choices) -> str:
    if value not in choices:
        raise InvalidValue(
            f"{field} must be one of {', '.join(sorted(choices))}; got {value!r}", field
        )
    return value


def check_school_type(value: Any) -> str:
    return check_choice("type", value, SCHOOL_TYPES)


def check_destination(value: Any) -> str | None:
    """One of the destination measures, or None: not known yet (counted as unknown)."""
    return None if value is None else check_choice("destination", value, DESTINATIONS)


def check_kind(value: Any) -> str:
    return check_choice("kind", value, ACTIVITY_KINDS)


def check_placement_kind(value: Any) -> str:
    return check_choice("kind", value, PLACEMENT_KINDS)


def check_upns(field: str, upns: Any, *, allow_empty: bool = False) -> list[str]:
    """Every UPN valid (all the bad ones named at once), duplicates dropped, order kept."""
    if not isinstance(upns, (list, tuple)) or (not upns and not allow_empty):
        raise InvalidValue(f"{field} must be a non-empty list of UPNs", field)
    reasons, good = [], []
    for upn in upns:
        try:
            good.append(validate_upn(upn, field))
        except InvalidUPN as refused:
            reasons.append(refused.message)
    if reasons:
        raise InvalidValue("; ".join(reasons), field, reasons)
    return list(dict.fromkeys(good))


def check_employer(value: Any, field: str = "employer") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidValue(f"{field} needs a name, sector and size", field)
    return {
        "name": check_text(f"{field}.name", value.get("name")),
        "sector": check_text(f"{field}.sector", value.get("sector"), required=False),
        "size": check_choice(f"{field}.size", value.get("size"), EMPLOYER_SIZES)
        if value.get("size") is not None
        else None,
    }


def check_provider(value: Any, field: str = "provider") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidValue(f"{field} needs a name and type", field)
    return {
        "name": check_text(f"{field}.name", value.get("name")),
        "type": check_choice(f"{field}.type", value.get("type"), PROVIDER_TYPES),
    }


def check_criteria(value: Any) -> dict[str, bool] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - set(CRITERIA_CHECKS):
        raise InvalidValue(f"criteria may only hold {', '.join(CRITERIA_CHECKS)}", "criteria")
    if not all(isinstance(v, bool) for v in value.values()):
        raise InvalidValue("criteria values must be true or false", "criteria")
    return {check: bool(value.get(check, False)) for check in CRITERIA_CHECKS}


def check_counterpart(kind: str, employer: Any, provider: Any) -> tuple[dict | None, dict | None]:
    """Employer kinds name an employer; FE/HE kinds name a provider; guidance may name either."""
    category = ACTIVITY_KINDS[kind]
    checked_employer = check_employer(employer) if employer is not None else None
    checked_provider = check_provider(provider) if provider is not None else None
    if category in ("employer", "workplace") and checked_employer is None:
        raise InvalidValue(f"a {kind} must name its employer", "employer")
    if category in ("fe", "he") and checked_provider is None:
        raise InvalidValue(f"a {kind} must name its provider", "provider")
    return checked_employer, checked_provider


def check_meaningfulness_given(
    kind: str, occurred_on: date, meaningful: Any, criteria: Any
) -> None:
    """The rule set of the activity's year says which assertion a counting kind needs."""
    if meaningful is not None and not isinstance(meaningful, bool):
        raise InvalidValue("meaningful must be true or false", "meaningful")
    rule_set = rule_set_for(AcademicYear.containing(occurred_on))
    if not rule_set.needs_meaningful(ACTIVITY_KINDS[kind]):
        return
    if rule_set.meaningful_by_checks and criteria is None:
        raise InvalidValue(
            f"under {rule_set.name} a {kind} must give its criteria checks", "criteria"
        )
    if not rule_set.meaningful_by_checks and meaningful is None:
        raise InvalidValue(
            f"under {rule_set.name} a {kind} must say whether it was meaningful", "meaningful"
        )
