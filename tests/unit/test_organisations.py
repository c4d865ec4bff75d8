"""The register of organisations on the in-memory store: matching names, registering, merging."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.application import Tracker
from tracker.domain.organisation import organisation_id
from tracker.errors import AlreadyExists, InvalidValue, RuleBroken
from tracker.organisations import normalised_name

TODAY = date(2019, 7, 15)


@pytest.fixture
def app() -> Tracker:
    return Tracker(today=lambda: TODAY)


@pytest.mark.parametrize(
    "typed",
    ["Acme Ltd", "ACME LIMITED", "acme", "Acme Ltd.", " Acme  limited "],
)
def test_names_differing_in_case_punctuation_and_legal_form_match(typed):
    assert normalised_name(typed) == "acme"


def test_an_ampersand_matches_and():
    assert normalised_name("Smith & Jones Ltd") == normalised_name("Smith and Jones Limited")


def test_a_name_that_is_only_a_legal_form_keeps_it():
    assert normalised_name("Limited") == "limited"


def test_an_employer_is_registered_under_its_matched_name(app):
    written = app.register_organisation(
        "employer", "Acme Ltd", {"sector": "c", "size": "large", "companies_house": "01234567"}
    )
    assert written.id == str(organisation_id("employer", "ACME LIMITED"))
    registered = app.repository.get(organisation_id("employer", "acme"))
    assert (registered.sector, registered.size, registered.companies_house) == (
        "C",
        "large",
        "01234567",
    )


def test_a_second_employer_whose_name_matches_is_refused(app):
    app.register_organisation("employer", "Smith & Jones", {})
    with pytest.raises(AlreadyExists):
        app.register_organisation("employer", "smith and jones ltd", {})


def test_a_provider_and_an_employer_may_share_a_name(app):
    first = app.register_organisation("employer", "Northern College", {})
    second = app.register_organisation("provider", "Northern College", {"type": "fe_college"})
    assert first.id != second.id


@pytest.mark.parametrize(
    "role, details, field",
    [
        ("employer", {"sector": "Z"}, "sector"),
        ("employer", {"size": "huge"}, "size"),
        ("employer", {"companies_house": "123"}, "companies_house"),
        ("employer", {"postcode_area": "N3"}, "postcode_area"),
        ("provider", {"type": "castle"}, "type"),
        ("provider", {"type": "fe_college", "ukprn": "20000000"}, "ukprn"),
    ],
)
def test_details_outside_the_standard_lists_are_refused(app, role, details, field):
    with pytest.raises(InvalidValue) as refused:
        app.register_organisation(role, "Acme", details)
    assert refused.value.field == field


def test_a_merge_is_undone_by_an_unmerge_and_may_be_made_again(app):
    a, b = str(organisation_id("employer", "A")), str(organisation_id("employer", "B"))
    app.merge_organisation(b, a)
    app.unmerge_organisation(b)
    app.merge_organisation(b, a)
    with pytest.raises(RuleBroken):
        app.merge_organisation(b, a)


def test_merges_that_would_loop_are_refused(app):
    a, b, c = (str(organisation_id("employer", name)) for name in "ABC")
    app.merge_organisation(b, a)
    app.merge_organisation(c, b)
    with pytest.raises(RuleBroken):
        app.merge_organisation(a, c)
    with pytest.raises(RuleBroken):
        app.merge_organisation(a, a)


def test_unmerging_what_was_never_merged_is_refused(app):
    with pytest.raises(RuleBroken):
        app.unmerge_organisation(str(organisation_id("employer", "A")))
