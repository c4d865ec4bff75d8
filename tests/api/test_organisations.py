"""The register over HTTP: registering, matching a typed name, merging, and who may do each."""

from __future__ import annotations

import pytest

from tracker.domain.organisation import organisation_id

ACME = str(organisation_id("employer", "Acme Engineering"))


def register(world, who="admin", **body):
    body = {"role": "employer", "name": "Acme Engineering Ltd", "sector": "C", **body}
    return world.client.post("/api/v1/organisations", json=body, headers=world.headers(who))


def match(world, q, who="admin", **args):
    query = {"q": q, **args}
    return world.client.get("/api/v1/organisations", query_string=query, headers=world.headers(who))


def test_a_name_typed_on_an_activity_is_in_the_register_without_being_registered(world):
    items = match(world, "ACME engineering limited").get_json()["items"]
    assert [(o["id"], o["name"], o["registered"]) for o in items] == [
        (ACME, "Acme Engineering", False)
    ]


def test_registering_a_typed_name_gives_it_details_under_the_same_id(world):
    response = register(world, size="large", postcode_area="ne")
    assert (response.status_code, response.get_json()["id"]) == (201, ACME)
    found = match(world, "acme engineering").get_json()["items"][0]
    assert (found["name"], found["registered"], found["sector"], found["postcode_area"]) == (
        "Acme Engineering Ltd",
        True,
        "C",
        "NE",
    )
    assert found["names"] == ["Acme Engineering"]  # the spelling typed on the activities


def test_a_second_registration_of_a_matching_name_is_a_conflict(world):
    register(world)
    assert register(world, name="ACME ENGINEERING").status_code == 409


def test_a_partial_name_matches_after_the_same_name(world):
    register(world, name="Acme")
    names = [o["name"] for o in match(world, "acme").get_json()["items"]]
    assert names == ["Acme", "Acme Engineering"]


def test_a_merged_duplicate_is_matched_as_the_one_it_joined_until_unmerged(world):
    acme = str(organisation_id("employer", "Acme"))
    merged = world.client.post(
        f"/api/v1/organisations/{acme}/merge", json={"into": ACME}, headers=world.headers("hub")
    )
    assert merged.status_code == 200
    assert [o["id"] for o in match(world, "acme").get_json()["items"]] == [ACME]
    world.client.post(f"/api/v1/organisations/{acme}/unmerge", headers=world.headers("hub"))
    assert [o["id"] for o in match(world, "acme").get_json()["items"]] == [acme, ACME]


def test_merging_an_organisation_not_in_the_register_is_not_found(world):
    nobody = str(organisation_id("employer", "Nobody"))
    response = world.client.post(
        f"/api/v1/organisations/{nobody}/merge", json={"into": ACME}, headers=world.headers("admin")
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 201),
        ("school", 201),
        ("hub", 201),
        ("auditor", 403),
        ("revoked", 401),
        ("nobody", 401),
    ],
)
def test_who_may_register(world, who, status):
    assert register(world, who=who).status_code == status


@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 200),
        ("hub", 200),
        ("school", 403),
        ("auditor", 403),
        ("nobody", 401),
    ],
)
def test_who_may_merge(world, who, status):
    acme = str(organisation_id("employer", "Acme"))
    response = world.client.post(
        f"/api/v1/organisations/{acme}/merge", json={"into": ACME}, headers=world.headers(who)
    )
    assert response.status_code == status


@pytest.mark.parametrize("who", ["admin", "school", "hub", "auditor", "other_hub"])
def test_every_signed_in_caller_may_match_names(world, who):
    assert match(world, "acme", who=who).status_code == 200
