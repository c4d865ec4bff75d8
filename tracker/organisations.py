"""The register's vocabulary: SIC 2007 sections, how names are matched, and the identifiers."""

from __future__ import annotations

import re
from typing import Any

from tracker.errors import InvalidValue
from tracker.rulesets import EMPLOYER_SIZES, PROVIDER_TYPES
from tracker.validation import check_choice, check_text

ROLES = ("employer", "provider")

# The 21 sections of the UK Standard Industrial Classification 2007, by letter.
SIC_SECTIONS: dict[str, str] = {
    "A": "Agriculture, forestry and fishing",
    "B": "Mining and quarrying",
    "C": "Manufacturing",
    "D": "Electricity, gas, steam and air conditioning supply",
    "E": "Water supply; sewerage, waste management and remediation activities",
    "F": "Construction",
    "G": "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    "H": "Transportation and storage",
    "I": "Accommodation and food service activities",
    "J": "Information and communication",
    "K": "Financial and insurance activities",
    "L": "Real estate activities",
    "M": "Professional, scientific and technical activities",
    "N": "Administrative and support service activities",
    "O": "Public administration and defence; compulsory social security",
    "P": "Education",
    "Q": "Human health and social work activities",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Activities of households as employers; undifferentiated goods- and services-producing "
    "activities of households for own use",
    "U": "Activities of extraterritorial organisations and bodies",
}

_PUNCTUATION = re.compile(r"[^\w\s]")
_LEGAL_FORMS = ("ltd", "limited")
_COMPANY_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")
_UKPRN = re.compile(r"^1\d{7}$")
_POSTCODE_AREA = re.compile(r"^[A-Z]{1,2}$")


def normalised_name(name: str) -> str:
    """The form two names are compared in. Organisation ids are derived from it, so a change here
    would split the register: it is fixed like the id namespace (tracker/domain/base.py)."""
    words = _PUNCTUATION.sub(" ", name.casefold().replace("&", " and ")).split()
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def check_role(role: Any) -> str:
    return check_choice("role", role, ROLES)


def check_sector(sector: Any) -> str | None:
    """A SIC 2007 section letter, or None when not known."""
    if sector is None:
        return None
    if not isinstance(sector, str) or sector.upper() not in SIC_SECTIONS:
        raise InvalidValue("sector must be a SIC 2007 section letter, A to U", "sector")
    return sector.upper()


def _check_pattern(field: str, value: Any, pattern: re.Pattern, shape: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not pattern.match(value.strip().upper()):
        raise InvalidValue(f"{field} must be {shape}", field)
    return value.strip().upper()


def employer_details(details: dict[str, Any]) -> dict[str, Any]:
    """An employer's sector, size band, Companies House number and postcode area, checked."""
    size = details.get("size")
    return {
        "sector": check_sector(details.get("sector")),
        "size": None if size is None else check_choice("size", size, EMPLOYER_SIZES),
        "companies_house": _check_pattern(
            "companies_house", details.get("companies_house"), _COMPANY_NUMBER, "8 characters"
        ),
        "postcode_area": _check_pattern(
            "postcode_area", details.get("postcode_area"), _POSTCODE_AREA, "one or two letters"
        ),
    }


def provider_details(details: dict[str, Any]) -> dict[str, Any]:
    """A provider's type and UK Provider Reference Number, checked."""
    return {
        "provider_type": check_choice("type", details.get("type"), PROVIDER_TYPES),
        "ukprn": _check_pattern("ukprn", details.get("ukprn"), _UKPRN, "8 digits starting 1"),
    }


def checked_name(name: Any) -> str:
    name = check_text("name", name)
    if not normalised_name(name):
        raise InvalidValue("name must hold letters or digits", "name")
    return name
