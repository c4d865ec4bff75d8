"""Employer engagement over HTTP, on the worked example: who may read which figures, and what a
hub token sees (counts and organisation names, small counts of pupils withheld, never a UPN)."""

from __future__ import annotations

import re

import pytest

from tracker.domain.organisation import organisation_id

ACME = str(organisation_id("employer", "Acme Engineering"))
UPN = re.compile(r"[A-Z]\d{12}")


def get(world, path, who="admin", **query):
    return world.client.get(f"/api/v1{path}", query_string=query, headers=world.headers(who))


def test_the_hubs_network_in_the_year_counts_one_employer_across_both_schools(world):
    answer = get(world, "/hubs/DEMO/employers", year="2018/19").get_json()
    assert answer["totals"] == {"employers": 1, "encounters": 8, "pupils": 7, "schools": 2}
    [acme] = answer["employers"]
    assert (acme["name"], acme["sector"], acme["placements"], acme["repeat"]) == (
        "Acme Engineering",
        "C",
        2,
        True,
    )
    cells = [
        {cell["sector"]: cell["encounters"] for cell in row["sectors"]} for row in answer["grid"]
    ]
    assert [(row["urn"], c["C"], c["F"]) for row, c in zip(answer["grid"], cells, strict=True)] == [
        ("900001", 5, 0),
        ("900002", 3, 0),
    ]


def test_a_hub_reads_low_pupil_counts_of_an_employers_history_withheld(world):
    admin = get(world, f"/employers/{ACME}").get_json()
    hub = get(world, f"/employers/{ACME}", who="hub").get_json()
    assert [row["pupils"] for row in admin["history"]] == [5, 2]
    assert [row["pupils"] for row in hub["history"]] == [5, None]
    assert hub["suppressed"] == {
        "history.2018/19.900002.pupils": "low",
        "history.2018/19.900001.placements": "low",  # each placement is one pupil's
    }


def test_a_hub_reads_an_employers_few_placements_withheld_as_pupils_are(world):
    admin = get(world, "/hubs/DEMO/employers", year="2018/19").get_json()
    hub = get(world, "/hubs/DEMO/employers", year="2018/19", who="hub").get_json()
    assert [row["placements"] for row in admin["employers"]] == [2]
    assert [row["placements"] for row in hub["employers"]] == [None]
    assert hub["suppressed"][f"employers.{ACME}.placements"] == "low"
    history = get(world, f"/employers/{ACME}", who="hub").get_json()["history"]
    assert [row["placements"] for row in history] == [None, 0]


def test_a_school_reads_only_its_own_part_of_an_employers_history(world):
    history = get(world, f"/employers/{ACME}", who="school").get_json()["history"]
    assert [row["urn"] for row in history] == ["900001"]


@pytest.mark.parametrize(
    "path",
    ["/hubs/DEMO/employers", "/employers", f"/employers/{ACME}", "/schools/900002/employers"],
)
def test_no_hub_answer_names_a_pupil(world, path):
    response = get(world, path, who="hub", year="2018/19")
    assert response.status_code == 200
    assert not UPN.search(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "who, path, status",
    [
        ("admin", "/hubs/DEMO/employers", 200),
        ("auditor", "/hubs/DEMO/employers", 200),
        ("hub", "/hubs/DEMO/employers", 200),
        ("other_hub", "/hubs/DEMO/employers", 403),
        ("school", "/hubs/DEMO/employers", 403),
        ("nobody", "/hubs/DEMO/employers", 401),
        ("school", "/schools/900001/employers", 200),
        ("other_school", "/schools/900001/employers", 403),
        ("hub", "/schools/900001/employers", 200),
        ("other_hub", "/schools/900001/employers", 403),
        ("revoked", "/employers", 401),
        ("school", "/employers", 200),
        ("other_hub", f"/employers/{ACME}", 200),
        ("nobody", f"/employers/{ACME}", 401),
    ],
)
def test_who_may_read_engagement(world, who, path, status):
    assert get(world, path, who=who).status_code == status


def test_another_hub_reads_an_employer_but_none_of_the_schools_it_does_not_hold(world):
    assert get(world, f"/employers/{ACME}", who="other_hub").get_json()["history"] == []


def test_an_unknown_employer_or_hub_is_not_found(world):
    assert get(world, f"/employers/{organisation_id('employer', 'nobody')}").status_code == 404
    assert get(world, "/hubs/NOPE/employers").status_code == 404
