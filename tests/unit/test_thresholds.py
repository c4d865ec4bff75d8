"""Each rule set's thresholds, read as the view columns that date them."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from projections import metrics, pupil_status
from projections.tables import TABLES
from projections.thresholds import KEPT, dated_by, threshold, thresholds_of
from tracker.rulesets import GATSBY_2014, GATSBY_2024, RULE_SETS

DATED = {column for nths in KEPT.values() for column in nths.values()}


def columns_of(table: str) -> set[str]:
    return set(re.findall(r"(\w+) \{", TABLES[table]))


def test_every_date_a_threshold_is_read_from_is_a_column_the_views_keep():
    kept = columns_of("milestones") | columns_of("employer_dates")
    assert {c for column in DATED for c in dated_by(column)} <= kept


def test_the_school_figures_and_the_pupil_statuses_count_every_dated_threshold():
    assert DATED <= set(metrics._REACHED)
    assert {c for column in DATED for c in dated_by(column)} <= set(pupil_status._COLUMNS)


def test_workplace_experiences_by_16_are_the_first_under_2014_and_the_second_under_2024():
    assert thresholds_of(GATSBY_2014).workplace_by_16.column == "workplace_1"
    assert thresholds_of(GATSBY_2024).workplace_by_16.column == "workplace_2"


@pytest.mark.parametrize("rules", list(RULE_SETS.values()), ids=lambda r: r.name)
def test_each_rule_set_reads_the_same_dates_for_every_other_threshold(rules):
    need = thresholds_of(rules)
    assert (need.employer.column, need.employer_college.column) == ("first_on", "second_on")
    assert need.workplace_by_18.column == "workplace_ks5"
    assert need.university_by_18.column == "university_2"
    assert need.guidance_by_16.column == "guidance_1"
    assert need.guidance_by_18.column == "guidance_ks5"
    assert dated_by(need.education_by_16.column) == ("fe_1", "he_1")


@pytest.mark.parametrize(
    "change",
    [
        {"k6": 3},
        {"k5_college": 3},
        {"bm7_university_visits_ks5": 1},
        {"bm8_meetings": 2},
        {"ks5_workplace": 2},
        {"bm7_fe_and_he": 2},
    ],
)
def test_a_rule_set_asking_for_a_count_the_views_do_not_date_is_refused_loudly(change):
    with pytest.raises(LookupError, match="the views date the nth"):
        thresholds_of(replace(GATSBY_2024, **change))


def test_a_pupil_has_the_most_of_a_count_whose_date_is_reached():
    workplace, university = threshold("workplace_experiences", 1), threshold("university_visits", 2)
    assert workplace.have({"workplace_1": True, "workplace_2": True}) == 2
    assert workplace.have({"workplace_1": True, "workplace_2": False}) == 1
    assert university.have({"university_2": False}) == 0  # only the second visit is dated
    assert threshold("fe_and_he_encounters", 1).have({"fe_1": True, "he_1": False}) == 0
