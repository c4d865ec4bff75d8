"""Each pupil's benchmark status, and the roll a Careers Leader filters: over HTTP on the worked
example."""

from __future__ import annotations

from tests.scenarios import UPN


def status_of(world, name: str, as_of: str = "2019-03-31", who: str = "school") -> dict[int, dict]:
    response = world.client.get(
        f"/api/v1/pupils/{UPN[name]}?as_of={as_of}", headers=world.headers(who)
    )
    assert response.status_code == 200, response.json
    return {b["benchmark"]: b for b in response.json["benchmarks"]}


def test_a_year_11_pupil_sees_what_is_met_and_what_is_still_needed_by_16(world):
    p3 = status_of(world, "p3")
    assert (p3[5]["measured"], p3[5]["met"], p3[5]["have"], p3[5]["need"]) == (True, True, 1, 1)
    assert (p3[6]["met"], p3[6]["counted"]) == (True, "by 16")
    assert (p3[7]["met"], p3[7]["still_needed"]) == (
        False,
        "a further education or apprenticeship encounter and a higher education encounter by 16",
    )
    assert (p3[8]["measured"], p3[8]["still_needed"]) == (True, "1 more guidance meeting by 16")


def test_a_year_7_pupil_is_measured_for_employers_and_tracked_towards_the_counts_by_16(world):
    p1 = status_of(world, "p1")
    assert (p1[5]["measured"], p1[5]["met"]) == (True, True)
    assert (p1[6]["measured"], p1[6]["met"], p1[6]["still_needed"]) == (
        False,
        False,
        "1 more workplace experience by 16",
    )
    assert (
        status_of(world, "p1", as_of="2018-10-01")[5]["still_needed"]
        == "1 more meaningful employer encounter this year"
    )


def test_a_sixth_former_is_counted_by_18_and_a_pupil_who_left_has_no_status_at_the_school(world):
    p5 = status_of(world, "p5")
    assert (p5[6]["counted"], p5[6]["met"], p5[7]["still_needed"]) == (
        "by 18",
        True,
        "2 more university visits by 18",
    )
    assert (
        status_of(world, "p2", as_of="2019-03-31", who="admin")[5]["measured"] is True
    )  # at School B now
    left = world.client.get(
        f"/api/v1/pupils/{UPN['p2']}?as_of=2019-03-31", headers=world.headers("school")
    )
    assert left.json["benchmarks"] == []  # School A's part ended on 28 February


def roll(world, query: str = "", who: str = "school"):
    return world.client.get(
        f"/api/v1/schools/900001/pupils?as_of=2019-03-31{query}", headers=world.headers(who)
    )


def test_the_roll_filters_by_year_group_and_a_benchmark_not_yet_met(world):
    everyone = roll(world).json
    assert [item["upn"] for item in everyone["items"]] == sorted(
        UPN[n] for n in ("p1", "p3", "p4", "p5")
    )
    assert {item["upn"]: item["year_group"] for item in everyone["items"]}[UPN["p5"]] == 13
    assert {item["upn"] for item in roll(world, "&not_met=6").json["items"]} == {
        UPN["p1"],
        UPN["p4"],
    }
    year_11 = roll(world, "&year_group=11&not_met=6").json["items"]
    assert [(item["upn"], item["given_name"]) for item in year_11] == [(UPN["p4"], "P4")]
    assert roll(world, "&sen=true").json["items"] == []


def test_the_roll_pages_by_upn(world):
    first = roll(world, "&limit=2").json
    second = roll(world, f"&limit=2&after={first['next']}").json
    assert [i["upn"] for i in first["items"] + second["items"]] == sorted(
        UPN[n] for n in ("p1", "p3", "p4", "p5")
    )
    assert second["next"] is None


def test_the_roll_is_for_the_school_auditors_and_admins_and_each_read_is_logged(world):
    assert [
        roll(world, who=who).status_code for who in ("hub", "other_school", "auditor", "admin")
    ] == [403, 403, 200, 200]
    logged = world.client.get(
        f"/api/v1/audit/pupil-reads?upn={UPN['p4']}", headers=world.headers("auditor")
    ).json
    assert "/api/v1/schools/<urn>/pupils" in {
        item["what"].split(" ")[-1] for item in logged["items"]
    }
    assert roll(world, "&not_met=4").status_code == 422


def test_a_pupils_record_as_known_before_they_were_enrolled_is_not_found_as_it_was_then(world):
    before = world.client.get(
        f"/api/v1/pupils/{UPN['p1']}?as_of=2019-07-15", headers=world.headers("school")
    ).json
    assert before["benchmarks"][0]["met"] is True
    moment = "2000-01-01T00:00:00%2B00:00"  # before anything was recorded: nobody on any roll
    known = world.client.get(
        f"/api/v1/pupils/{UPN['p1']}?as_of=2019-07-15&known_at={moment}",
        headers=world.headers("school"),
    )
    # The record, like the benchmarks, is as known then: the school had no such pupil.
    assert known.status_code == 404 and "as known at that time" in known.text
