"""The two Gatsby rule sets: which applies when, what is meaningful, what counts, the checklists."""

from __future__ import annotations

import pytest

from tracker.calendar import AcademicYear
from tracker.errors import InvalidValue
from tracker.rulesets import (
    ACTIVITY_KINDS,
    COLLEGE_TYPES,
    CRITERIA_CHECKS,
    EMPLOYER_SIZES,
    GATSBY_2014,
    GATSBY_2024,
    PLACEMENT_KINDS,
    PROVIDER_ACCESS_KINDS,
    PROVIDER_TYPES,
    RULE_SETS,
    SCHOOL_TYPES,
    Criterion,
    rule_set_for,
    rule_set_named,
)

ALL_CHECKS = dict.fromkeys(CRITERIA_CHECKS, True)
WITHOUT_TASK = {**ALL_CHECKS, "employer_task": False}
EMPLOYER_KINDS = [
    "employer_talk",
    "careers_fair",
    "mentoring",
    "enterprise_challenge",
    "mock_interview",
    "employer_project",
]


def test_vocabularies_are_the_exact_strings_of_the_api():
    assert set(SCHOOL_TYPES) == {
        "secondary",
        "middle",
        "special",
        "alternative_provision",
        "fe_college",
        "sixth_form_college",
        "utc",
    }
    assert COLLEGE_TYPES == {"fe_college", "sixth_form_college"} and COLLEGE_TYPES <= set(
        SCHOOL_TYPES
    )
    assert set(EMPLOYER_SIZES) == {"micro", "small", "medium", "large", "self_employed"}
    assert set(PROVIDER_TYPES) == {
        "sixth_form",
        "fe_college",
        "training_provider",
        "apprenticeship_provider",
        "university",
    }
    assert set(PLACEMENT_KINDS) == {"work_experience", "virtual_work_experience"}
    assert PROVIDER_ACCESS_KINDS == {"fe_encounter", "apprenticeship_encounter"}
    assert CRITERIA_CHECKS == (
        "purpose_shared",
        "outcomes",
        "two_way",
        "reflection",
        "employer_task",
    )


def test_every_activity_kind_of_the_domain_has_its_category():
    assert ACTIVITY_KINDS == {
        **dict.fromkeys(EMPLOYER_KINDS, "employer"),
        "workplace_visit": "workplace",
        "job_shadowing": "workplace",
        "fe_encounter": "fe",
        "apprenticeship_encounter": "fe",
        "he_encounter": "he",
        "university_visit": "he",
        "guidance_meeting": "guidance",
    }


@pytest.mark.parametrize(
    "start_year, name",
    [
        (2018, "gatsby-2014"),
        (2023, "gatsby-2014"),
        (2024, "gatsby-2014"),
        (2025, "gatsby-2024"),
        (2030, "gatsby-2024"),
    ],
)
def test_the_refreshed_benchmarks_apply_from_2025_26(start_year, name):
    assert rule_set_for(AcademicYear(start_year)).name == name


def test_rule_sets_are_found_by_name_and_an_unknown_name_is_refused():
    assert rule_set_named("gatsby-2014") is GATSBY_2014
    assert rule_set_named("gatsby-2024") is GATSBY_2024
    assert set(RULE_SETS) == {"gatsby-2014", "gatsby-2024"}
    with pytest.raises(InvalidValue) as error:
        rule_set_named("gatsby-2019")
    assert error.value.field == "rule_set"


def test_thresholds_differ_only_in_workplace_experiences_by_16():
    assert (GATSBY_2014.k6, GATSBY_2024.k6) == (1, 2)
    for rules in (GATSBY_2014, GATSBY_2024):
        assert (rules.k5, rules.k5_college, rules.ks5_workplace) == (1, 2, 1)
        assert (rules.bm7_university_visits_ks5, rules.bm8_meetings) == (2, 1)
        assert list(rules.bm5_year_groups) == [7, 8, 9, 10, 11, 12, 13]
        assert (rules.by_16_year_group, rules.by_18_year_group) == (11, 13)


@pytest.mark.parametrize(
    "school_type, k5",
    [
        ("fe_college", 2),
        ("sixth_form_college", 2),
        ("secondary", 1),
        ("utc", 1),
        ("special", 1),
    ],
)
def test_colleges_need_two_employer_encounters_a_year(school_type, k5):
    assert GATSBY_2014.k5_for(school_type) == k5
    assert GATSBY_2024.k5_for(school_type) == k5


def test_rule_sets_can_be_compared_and_hashed():
    assert GATSBY_2014 != GATSBY_2024
    assert len({GATSBY_2014, GATSBY_2024, rule_set_named("gatsby-2014")}) == 2


# --- meaningful ------------------------------------------------------------------


@pytest.mark.parametrize("meaningful, expected", [(True, True), (False, False), (None, False)])
def test_under_2014_meaningful_is_the_recorders_yes_or_no(meaningful, expected):
    assert GATSBY_2014.is_meaningful("careers_fair", meaningful, None) is expected
    assert GATSBY_2014.is_meaningful("careers_fair", meaningful, ALL_CHECKS) is expected


def test_under_2014_a_truthy_value_that_is_not_true_is_not_a_yes():
    assert not GATSBY_2014.is_meaningful("careers_fair", "false", None)


def test_under_2024_the_four_checks_must_all_hold():
    four = dict.fromkeys(CRITERIA_CHECKS[:4], True)
    assert GATSBY_2024.is_meaningful("employer_talk", None, four)
    for check in CRITERIA_CHECKS[:4]:
        assert not GATSBY_2024.is_meaningful("employer_talk", True, {**four, check: False})
        assert not GATSBY_2024.is_meaningful(
            "employer_talk", True, {k: v for k, v in four.items() if k != check}
        )


def test_under_2024_the_recorders_yes_alone_is_not_meaningful():
    assert not GATSBY_2024.is_meaningful("employer_talk", True, None)
    assert not GATSBY_2024.is_meaningful("employer_talk", True, {})


def test_under_2024_a_workplace_also_needs_the_employer_set_task():
    assert GATSBY_2024.is_meaningful("workplace_visit", None, ALL_CHECKS)
    assert not GATSBY_2024.is_meaningful("workplace_visit", None, WITHOUT_TASK)
    assert not GATSBY_2024.is_meaningful(
        "job_shadowing", None, dict.fromkeys(CRITERIA_CHECKS[:4], True)
    )
    assert GATSBY_2024.is_meaningful("mentoring", None, WITHOUT_TASK)


# --- what counts ----------------------------------------------------------------


@pytest.mark.parametrize("kind", EMPLOYER_KINDS)
def test_employer_encounters_count_towards_bm5_only_when_meaningful(kind):
    assert GATSBY_2014.counts_towards(kind, True, None) == 5
    assert GATSBY_2014.counts_towards(kind, False, None) is None
    assert GATSBY_2024.counts_towards(kind, None, WITHOUT_TASK) == 5
    assert GATSBY_2024.counts_towards(kind, True, {**ALL_CHECKS, "two_way": False}) is None


@pytest.mark.parametrize(
    "kind", ["fe_encounter", "apprenticeship_encounter", "he_encounter", "university_visit"]
)
def test_fe_and_he_encounters_count_towards_bm7_only_when_meaningful(kind):
    assert GATSBY_2014.counts_towards(kind, True, None) == 7
    assert GATSBY_2014.counts_towards(kind, None, None) is None
    assert GATSBY_2024.counts_towards(kind, None, WITHOUT_TASK) == 7
    assert GATSBY_2024.counts_towards(kind, True, {**ALL_CHECKS, "reflection": False}) is None


@pytest.mark.parametrize("kind", ["workplace_visit", "job_shadowing"])
def test_under_2014_a_workplace_experience_counts_towards_bm6_without_being_meaningful(kind):
    assert GATSBY_2014.counts_towards(kind, None, None) == 6
    assert GATSBY_2014.counts_towards(kind, False, None) == 6


@pytest.mark.parametrize("kind", ["workplace_visit", "job_shadowing"])
def test_under_2024_a_workplace_experience_counts_only_with_all_checks_and_the_task(kind):
    assert GATSBY_2024.counts_towards(kind, None, ALL_CHECKS) == 6
    assert GATSBY_2024.counts_towards(kind, True, WITHOUT_TASK) is None
    assert GATSBY_2024.counts_towards(kind, True, None) is None


def test_a_guidance_meeting_counts_towards_bm8_whatever_is_said_of_it():
    for rules in (GATSBY_2014, GATSBY_2024):
        assert rules.counts_towards("guidance_meeting", None, None) == 8
        assert rules.counts_towards("guidance_meeting", False, {}) == 8


def test_an_unknown_kind_is_refused_naming_the_kind_field():
    for rules in (GATSBY_2014, GATSBY_2024):
        with pytest.raises(InvalidValue) as error:
            rules.counts_towards("assembly", True, ALL_CHECKS)
        assert error.value.field == "kind"


# --- checklists -----------------------------------------------------------------


@pytest.mark.parametrize("rules", [GATSBY_2014, GATSBY_2024], ids=lambda r: r.name)
def test_benchmarks_1_to_4_each_have_at_least_four_numbered_criteria(rules):
    assert sorted(rules.checklist) == [1, 2, 3, 4]
    for benchmark, criteria in rules.checklist.items():
        assert len(criteria) >= 4
        codes = [criterion.code for criterion in criteria]
        assert codes == [f"{benchmark}.{n}" for n in range(1, len(codes) + 1)]
        assert all(
            criterion.description and "\n" not in criterion.description for criterion in criteria
        )


def test_the_two_rule_sets_ship_different_criteria():
    for benchmark in (1, 2, 3, 4):
        assert GATSBY_2014.checklist[benchmark] != GATSBY_2024.checklist[benchmark]


def test_a_criterion_is_found_by_benchmark_and_code():
    found = GATSBY_2024.criterion(1, "1.3")
    assert isinstance(found, Criterion) and found.code == "1.3"
    assert found == GATSBY_2024.checklist[1][2]


@pytest.mark.parametrize("benchmark, code", [(1, "1.9"), (2, "1.1"), (5, "5.1"), (1, "")])
def test_an_unknown_criterion_is_refused_naming_the_code_field(benchmark, code):
    with pytest.raises(InvalidValue) as error:
        GATSBY_2014.criterion(benchmark, code)
    assert error.value.field == "code"
    assert repr(code) in error.value.message
