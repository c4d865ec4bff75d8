"""Provider access over HTTP: recording an encounter offered to year groups, the school's report
and the hub's roll-up, and what a hub token sees of them."""

from __future__ import annotations

from datetime import date

import pytest

from tests.scenarios import ADMIN

PROVIDER = {"name": "Northern College", "type": "fe_college"}


@pytest.fixture
def offered(world):
    return world.tracker.record_activity(
        "900001",
        "fe_encounter",
        "College taster",
        date(2019, 3, 1),
        ["Y885400112005"],
        provider=PROVIDER,
        meaningful=True,
        caller=ADMIN,
    ).id


def offer(world, activity_id, who="school", groups=(12, 13)):
    return world.client.post(
        f"/api/v1/activities/{activity_id}/offered",
        json={"year_groups": list(groups)},
        headers=world.headers(who),
    )


def report(world, path, who="admin"):
    return world.client.get(
        f"/api/v1{path}", query_string={"year": "2018/19"}, headers=world.headers(who)
    )


def test_an_encounter_offered_to_years_12_13_counts_for_that_phase(world, offered):
    assert offer(world, offered).status_code == 200
    phases = report(world, "/schools/900001/provider-access").get_json()["phases"]
    sixth_form = next(p for p in phases if p["phase"] == "12-13")
    assert (sixth_form["offered"], sixth_form["met"], sixth_form["pupils"]) == (1, False, 1)


def test_an_employer_activity_cannot_be_offered_as_a_provider_encounter(world):
    assert offer(world, world.ids["fair"]).status_code == 422


@pytest.mark.parametrize(
    "who, status", [("school", 200), ("admin", 200), ("other_school", 403), ("hub", 403)]
)
def test_who_may_record_an_offer(world, offered, who, status):
    assert offer(world, offered, who=who).status_code == status


def test_a_hub_reads_a_schools_report_with_low_pupil_counts_withheld(world, offered):
    phases = report(world, "/schools/900001/provider-access", who="hub").get_json()["phases"]
    sixth_form = next(p for p in phases if p["phase"] == "12-13")
    assert (sixth_form["pupils"], sixth_form["pupils_with_two"]) == (None, None)
    assert sixth_form["suppressed"] == {
        "pupils": "low",
        "pupils_with_two": "secondary",
        "final_year_pupils": "low",
        "final_year_with_two": "secondary",
    }


def test_the_hub_roll_up_counts_schools_meeting_each_phase_and_names_no_pupil(world, offered):
    response = report(world, "/hubs/DEMO/provider-access", who="hub")
    answer = response.get_json()
    # Nobody is in Year 9 at either school: years 8-9 have no one to judge yet.
    assert [
        (p["phase"], p["schools_meeting"], p["schools_applicable"]) for p in answer["phases"]
    ] == [
        ("8-9", 0, 0),
        ("10-11", 0, 2),
        ("12-13", 0, 1),
    ]
    assert "885400" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "who, path, status",
    [
        ("other_hub", "/hubs/DEMO/provider-access", 403),
        ("school", "/hubs/DEMO/provider-access", 403),
        ("auditor", "/hubs/DEMO/provider-access", 200),
        ("other_school", "/schools/900001/provider-access", 403),
        ("other_hub", "/schools/900001/provider-access", 403),
        ("nobody", "/schools/900001/provider-access", 401),
    ],
)
def test_who_may_read_provider_access(world, who, path, status):
    assert report(world, path, who=who).status_code == status
