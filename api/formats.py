"""The formats of identifiers, academic years, year groups and dates, as OpenAPI can state them:
patterns and bounds, for request fields and path parameters.

They document; the domain's validators (tracker/identifiers.py, tracker/calendar.py) still decide,
and refuse by name with the usual 422. A pattern states the canonical form, where the domain is
kinder (it trims, and upper-cases a UPN). What no pattern can state is said in the description,
and generated requests are tested against exactly this (tests/api/test_schemathesis_acceptance.py).
"""

from __future__ import annotations

from typing import Any

from tracker.calendar import YEAR_GROUPS
from tracker.rulesets import RULE_SETS

# [0-9], not \d: Python's \d also matches other scripts' digits, which the domain refuses.
_LETTER = "[A-HJ-NP-RT-Z]"  # tracker.identifiers.CHECK_LETTERS: A to Z without I, O and S
_CENTURIES = "(19|20|21)"  # tracker.calendar.YEARS, 1900 to 2199

UPN = {
    "pattern": f"^{_LETTER}[0-9]{{11}}[0-9A-HJ-NP-RT-Z]$",
    "description": "a Unique Pupil Number: a check letter, 11 digits, and a digit (or, for a "
    "temporary UPN, a letter). The first letter must be the check letter of the other twelve "
    "characters (modulus 23), which no pattern can state: a UPN of this shape that fails it "
    "names no pupil (a read finds nobody; a write refuses it).",
}
URN = {
    "pattern": "^[1-9][0-9]{5}$",
    "description": "a school's Unique Reference Number: 100000 to 999999",
}
LA_CODE = {"pattern": "^[0-9]{3}$", "description": "the local authority's 3-digit code"}
LAESTAB = {
    "pattern": "^[0-9]{7}$",
    "description": "the LA code and the establishment number, 7 digits; "
    "the first 3 must be la_code",
}
HUB_CODE = {
    "pattern": "^[A-Za-z0-9_-]*[A-Za-z0-9][A-Za-z0-9_-]*$",
    "minLength": 1,
    "maxLength": 32,
    "description": "a hub's code: letters, digits, - and _, with at least one letter or digit; "
    "kept upper-cased. The pattern names ASCII letters and digits only; other scripts' "
    "letters are accepted too, which a pattern without Unicode classes cannot say.",
}
# Free text in a path or query: api/bodies.py refuses an address holding a control character (400).
IN_ADDRESS = {"pattern": "^[^\\x00-\\x1f\\x7f]*$"}
# Free text in a body (tracker.validation.check_text): no control character but tab and line breaks,
# and where it is required something besides spaces (\x85 is a space to Python, not to a pattern's
# \s). Half a surrogate pair alone is refused too, which no pattern can name.
_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f"
OPTIONAL_TEXT = {"pattern": f"^[^{_CONTROL}]*$"}
TEXT = {"pattern": f"^[^{_CONTROL}]*[^\\s\\x85{_CONTROL}][^{_CONTROL}]*$"}
YEAR_GROUP = {"minimum": YEAR_GROUPS.start, "maximum": YEAR_GROUPS.stop - 1}
# Dates and moments in YEARS, which `format: date` alone cannot bound. Whole, not just the year: a
# generator drawing from a pattern that left the rest open would seldom draw a date at all.
_DAY = f"{_CENTURIES}[0-9]{{2}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DATE = {"pattern": f"^{_DAY}$"}
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
DATE_TIME = {"pattern": f"^{_DAY}T{_TIME}$"}
CHECKLIST_BENCHMARK = {
    "type": "integer",
    "minimum": 1,
    "maximum": 4,
    "description": "benchmarks 1 to 4 have checklists",
}
CRITERION_CODE = {
    "type": "string",
    "enum": sorted(
        {
            criterion.code
            for rule_set in RULE_SETS.values()
            for criteria in rule_set.checklist.values()
            for criterion in criteria
        }
    ),
    "description": "a criterion of the benchmark's checklist under the rule set of the day it "
    "changed; which code belongs to which benchmark and rule set the enumeration "
    "cannot say",
}
ID = {"type": "string", "format": "uuid"}


def academic_year(description: str | None = None) -> dict[str, Any]:
    """An academic year's pattern, `description` first, then what the pattern cannot state."""
    rule = (
        "the second part is the year after the first (2024/25, not 2024/26), which no pattern can "
        "state; years 1900/01 to 2199/00"
    )
    return {
        "pattern": f"^{_CENTURIES}[0-9]{{2}}/[0-9]{{2}}$",
        "description": f"{description}; {rule}"
        if description
        else f"an academic year, e.g. 2024/25; {rule}",
    }


# Path arguments by name, documented on every route that has them (api/routes: Blueprint.route); a
# blueprint adds its own (`code` is a hub's in one, a checklist criterion's in another).
PATH = {
    "upn": {"type": "string", **UPN},
    "urn": {"type": "string", **URN},
    "activity_id": ID,
    "placement_id": ID,
}
HUB_PATH = {"code": {"type": "string", **HUB_CODE}}
ORGANISATION_PATH = {**HUB_PATH, "organisation_id": ID, "employer_id": ID}
CHECKLIST_PATH = {"benchmark": CHECKLIST_BENCHMARK, "code": CRITERION_CODE}


def path_parameters(names: list[str], formats: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The OpenAPI path parameters of the `names` that `formats` describes, each with its
    description."""
    return [_path_parameter(name, formats[name]) for name in names if name in formats]


def _path_parameter(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    schema = dict(schema)
    description = schema.pop("description", None)
    return {
        "in": "path",
        "name": name,
        "required": True,
        "schema": schema,
        **({"description": description} if description else {}),
    }
