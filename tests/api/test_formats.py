"""The OpenAPI document states each format the domain checks, and states it truly: a value of the
documented shape is refused by the domain only for what the description says no pattern can
state."""

from __future__ import annotations

import re
from datetime import timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api import create_app, formats
from tracker.calendar import YEARS, AcademicYear, check_in_calendar, check_year_group
from tracker.errors import InvalidValue
from tracker.identifiers import (
    CHECK_LETTERS,
    upn_check_letter,
    validate_la_code,
    validate_laestab,
    validate_upn,
    validate_urn,
)
from tracker.rules import hub_code
from tracker.rulesets import RULE_SETS
from tracker.validation import MAX_TEXT, check_text

DOCUMENT = (
    create_app({"DATABASE_URL": "memory://", "TESTING": True})
    .test_client()
    .get("/api/openapi.json")
    .json
)
PARAMETERS = [
    (method.upper(), path, parameter)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if method != "parameters"
    for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]
]
SAMPLED = settings(max_examples=300, deadline=None)


def matches(rule: dict, text: str) -> bool:
    return re.search(rule["pattern"], text) is not None


def accepts(validate, value) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def test_every_path_parameter_states_its_format():
    path_parameters = [
        (m, p, parameter) for m, p, parameter in PARAMETERS if parameter["in"] == "path"
    ]
    assert len(path_parameters) >= 38  # all of them, not a handful the filter above let through
    for method, path, parameter in path_parameters:
        schema = parameter["schema"]
        stated = {"pattern", "enum", "format", "maximum"} & set(schema)
        assert stated, f"{method} {path}: {parameter['name']} says nothing of its format: {schema}"


def test_every_text_in_an_address_states_its_pattern_or_choices():
    """api/bodies.py refuses an address holding a control character: a free-text query parameter
    says so."""
    for method, path, parameter in PARAMETERS:
        schema = parameter["schema"].get("items", parameter["schema"])
        if schema.get("type") == "string":
            assert {"pattern", "enum", "format"} & set(schema), (
                f"{method} {path}: {parameter['name']}: {schema}"
            )


def test_the_identifiers_are_documented_where_they_are_read_and_written():
    assert _parameter("GET", "/api/v1/pupils/{upn}", "upn")["pattern"] == formats.UPN["pattern"]
    assert (
        _parameter("GET", "/api/v1/hubs/{code}/metrics", "code")["pattern"]
        == formats.HUB_CODE["pattern"]
    )
    assert (
        _parameter("GET", "/api/v1/schools/{urn}/status", "year")["pattern"]
        == formats.academic_year()["pattern"]
    )
    assert (
        _parameter("GET", "/api/v1/schools/{urn}/status", "as_of")["pattern"]
        == formats.DATE["pattern"]
    )
    assert (
        _parameter("GET", "/api/v1/schools/{urn}/status", "known_at")["pattern"]
        == formats.DATE_TIME["pattern"]
    )
    criterion = "/api/v1/schools/{urn}/benchmarks/{benchmark}/criteria/{code}"
    benchmark = _parameter("POST", criterion, "benchmark")
    assert (benchmark["minimum"], benchmark["maximum"]) == (1, 4)
    school, pupil = _body("SchoolIn"), _body("PupilIn")
    assert [school[name]["pattern"] for name in ("urn", "la_code", "laestab")] == [
        formats.URN["pattern"],
        formats.LA_CODE["pattern"],
        formats.LAESTAB["pattern"],
    ]
    assert (
        pupil["upn"]["pattern"],
        pupil["year_group"]["minimum"],
        pupil["year_group"]["maximum"],
    ) == (formats.UPN["pattern"], 1, 14)
    assert _body("ActivityIn")["attendees"]["items"]["pattern"] == formats.UPN["pattern"]
    assert "year after the first" in _body("YearGroupIn")["year"]["description"]


def _parameter(method: str, path: str, name: str) -> dict:
    return next(
        p["schema"] for m, p_path, p in PARAMETERS if (m, p_path, p["name"]) == (method, path, name)
    )


def _body(schema: str) -> dict:
    return DOCUMENT["components"]["schemas"][schema]["properties"]


@SAMPLED
@given(st.from_regex(formats.UPN["pattern"], fullmatch=True))
def test_a_upn_of_the_documented_shape_is_refused_for_its_check_letter_alone(upn):
    if upn[0] == upn_check_letter(upn[1:]):
        assert validate_upn(upn) == upn
    else:
        with pytest.raises(InvalidValue, match="check letter should be"):
            validate_upn(upn)


@SAMPLED
@given(st.from_regex(r"[0-9]{11}[0-9A-Z]", fullmatch=True))
def test_every_upn_the_domain_accepts_has_the_documented_shape(body):
    upn = (
        upn_check_letter(body) + body
        if body[-1].isdigit() or body[-1] in CHECK_LETTERS
        else "X" + body
    )
    assert accepts(validate_upn, upn) == matches(formats.UPN, upn)


@SAMPLED
@given(st.from_regex(r"[0-9]{2,8}", fullmatch=True))
def test_urns_la_codes_and_laestabs_of_the_documented_shape_are_the_ones_the_domain_accepts(digits):
    assert accepts(validate_urn, digits) == matches(formats.URN, digits)
    assert accepts(validate_la_code, digits) == matches(formats.LA_CODE, digits)
    assert accepts(lambda text: validate_laestab(text, la_code=text[:3]), digits) == matches(
        formats.LAESTAB, digits
    )


@SAMPLED
@given(st.from_regex(r"[0-9]{4}/[0-9]{2}", fullmatch=True))
def test_an_academic_year_is_refused_outside_its_pattern_or_for_the_rule_it_describes(text):
    first, second = int(text[:4]), int(text[5:])
    the_year_after = second == (first + 1) % 100
    assert accepts(AcademicYear.parse, text) == (
        matches(formats.academic_year(), text) and the_year_after
    )


@SAMPLED
@given(st.dates())
def test_a_date_of_the_documented_shape_is_in_the_calendar(day):
    assert accepts(lambda value: check_in_calendar("as_of", value), day) == matches(
        formats.DATE, day.isoformat()
    )


@SAMPLED
@given(st.datetimes(timezones=st.just(timezone.utc)))
def test_a_moment_of_the_documented_shape_is_in_the_calendar(moment):
    assert (moment.year in YEARS) == matches(formats.DATE_TIME, moment.isoformat())


def test_the_year_group_bounds_are_the_calendars():
    low, high = formats.YEAR_GROUP["minimum"], formats.YEAR_GROUP["maximum"]
    assert accepts(check_year_group, low) and accepts(check_year_group, high)
    assert not accepts(check_year_group, low - 1) and not accepts(check_year_group, high + 1)


@SAMPLED
@given(st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True))
def test_an_ascii_hub_code_of_the_documented_shape_is_one_the_domain_accepts(code):
    assert accepts(hub_code, code) == matches(formats.HUB_CODE, code)


# The characters where the rules for free text and Python's idea of a space meet.
EDGES = st.text(st.sampled_from(" a\t\n\r\x00\x01\x0b\x1c\x1f\x7f\x85\xa0\u3000"), max_size=4)


@SAMPLED
@given(EDGES)
def test_free_text_of_the_documented_shape_is_what_the_domain_keeps(text):
    assert accepts(lambda value: check_text("title", value), text) == matches(formats.TEXT, text)
    # Left blank (by Python's idea of a space), optional text is no text: kept as none, whatever the
    # blank.
    assert accepts(lambda value: check_text("sector", value, required=False), text) == (
        matches(formats.OPTIONAL_TEXT, text) or not text.strip()
    )


def test_a_reason_is_documented_as_long_as_the_domain_keeps_it():
    assert (
        _body("ReasonIn")["reason"]["maxLength"]
        == _body("AmendIn")["reason"]["maxLength"]
        == MAX_TEXT
    )
    assert accepts(lambda value: check_text("reason", value), "r" * MAX_TEXT)
    assert not accepts(lambda value: check_text("reason", value), "r" * (MAX_TEXT + 1))
    assert (
        _body("ActivityIn")["title"]["pattern"]
        == _body("ReasonIn")["reason"]["pattern"]
        == formats.TEXT["pattern"]
    )


def test_the_criterion_codes_are_every_rule_sets_checklist():
    codes = {
        criterion.code
        for rule_set in RULE_SETS.values()
        for criteria in rule_set.checklist.values()
        for criterion in criteria
    }
    assert set(formats.CRITERION_CODE["enum"]) == codes
    assert {int(code.split(".")[0]) for code in codes} == set(
        range(formats.CHECKLIST_BENCHMARK["minimum"], formats.CHECKLIST_BENCHMARK["maximum"] + 1)
    )
