"""The rollover and the year-group range over HTTP: a dry run, the real run, a retry, and who
may."""

from __future__ import annotations

from tests.scenarios import UPN


def test_a_school_rolls_its_own_roll_over_and_a_retry_gets_the_first_answer(world):
    path, body = "/api/v1/schools/900001/rollover", {"year": "2019/20"}
    head = world.tracker.recorder.max_notification_id()
    dry = world.client.post(path, json={**body, "dry_run": True}, headers=world.headers("school"))
    assert dry.status_code == 200
    assert (dry.json["leavers"], dry.json["left_on"], dry.json["position"]) == (
        [UPN["p5"]],
        "2019-08-31",
        None,
    )
    assert world.tracker.recorder.max_notification_id() == head  # a dry run stores nothing
    headers = world.headers("school", **{"Idempotency-Key": "rollover-1"})
    done = world.client.post(path, json=body, headers=headers)
    assert (done.status_code, done.json["leavers"], done.json["dry_run"]) == (
        200,
        [UPN["p5"]],
        False,
    )
    again = world.client.post(path, json=body, headers=headers)
    assert again.json == done.json
    fresh = world.client.post(path, json=body, headers=world.headers("school"))
    assert fresh.json["leavers"] == []
    pupil = world.client.get(f"/api/v1/pupils/{UPN['p5']}", headers=world.headers("school")).json
    assert pupil["enrolments"][-1]["left_on"] == "2019-08-31"


def test_another_school_or_a_hub_may_not_roll_a_school_over(world):
    for who in ("other_school", "hub", "auditor"):
        response = world.client.post(
            "/api/v1/schools/900001/rollover", json={"year": "2019/20"}, headers=world.headers(who)
        )
        assert response.status_code == 403, who


def test_a_year_that_is_not_an_academic_year_is_422_naming_it(world):
    response = world.client.post(
        "/api/v1/schools/900001/rollover", json={"year": "2019/21"}, headers=world.headers("admin")
    )
    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == ["year"]


def test_destinations_a_school_sees_its_leavers_and_a_hub_sees_only_counts(world):
    school = world.headers("school")
    left = world.client.post(
        f"/api/v1/schools/900001/pupils/{UPN['p3']}/leave",
        json={"left_on": "2019-06-30", "destination": "fe_college"},
        headers=school,
    )
    assert left.status_code == 200
    later = world.client.post(
        f"/api/v1/schools/900001/pupils/{UPN['p3']}/destination",
        json={"destination": "apprenticeship", "recorded_on": "2019-07-10"},
        headers=school,
    )
    assert later.status_code == 200
    own = world.client.get(
        "/api/v1/schools/900001/destinations?cohort=2018/19", headers=school
    ).json
    assert own["leavers"] == 2  # p2 moved away in February; p3 left in June
    assert [(f["upn"], f["destination"]) for f in own["follow_ups"]] == [
        (UPN["p2"], "moved_away"),
        (UPN["p3"], "apprenticeship"),
    ]
    hub = world.client.get(
        "/api/v1/hubs/DEMO/destinations?cohort=2018/19", headers=world.headers("hub")
    )
    assert hub.status_code == 200
    assert "follow_ups" not in hub.json and UPN["p3"] not in hub.text
    as_hub = world.client.get(
        "/api/v1/schools/900001/destinations?cohort=2018/19", headers=world.headers("hub")
    )
    assert as_hub.status_code == 200 and "follow_ups" not in as_hub.json


def test_destinations_are_refused_to_other_schools_and_hubs_and_bad_codes_are_422(world):
    assert (
        world.client.get(
            "/api/v1/schools/900001/destinations", headers=world.headers("other_school")
        ).status_code
        == 403
    )
    assert (
        world.client.get(
            "/api/v1/hubs/DEMO/destinations", headers=world.headers("other_hub")
        ).status_code
        == 403
    )
    bad = world.client.post(
        f"/api/v1/schools/900001/pupils/{UPN['p3']}/leave",
        json={"left_on": "2019-06-30", "destination": "Somewhere College"},
        headers=world.headers("school"),
    )
    assert bad.status_code == 422 and list(bad.json["errors"]["json"]) == ["destination"]
    assert (
        world.client.get(
            "/api/v1/hubs/DEMO/destinations?cohort=2019-20", headers=world.headers("hub")
        ).status_code
        == 422
    )


def test_years_side_by_side_give_each_years_figures_on_its_last_day(world):
    hub = world.client.get(
        "/api/v1/hubs/DEMO/metrics/years?since=2017/18", headers=world.headers("hub")
    )
    assert hub.status_code == 200
    years = hub.json["years"]
    assert [(y["year"], y["as_of"]) for y in years] == [
        ("2017/18", "2018-08-31"),
        ("2018/19", "2019-07-15"),
    ]
    same_day = world.client.get(
        "/api/v1/hubs/DEMO/metrics?as_of=2019-07-15", headers=world.headers("hub")
    ).json
    assert (
        years[1]["every_student_employer_encounters"]
        == same_day["every_student_employer_encounters"]
    )
    assert years[1]["national"]["schools"] == same_day["national"]["schools"]
    school = world.client.get(
        "/api/v1/schools/900001/metrics/years", headers=world.headers("school")
    )
    assert [y["year"] for y in school.json["years"]] == ["2018/19"]  # from the first activity
    assert (
        school.json["years"][0]["benchmarks"][4]["measured"]
        == world.client.get(
            "/api/v1/schools/900001/status?as_of=2019-07-15", headers=world.headers("school")
        ).json["benchmarks"][4]["measured"]
    )
    assert (
        world.client.get(
            "/api/v1/schools/900001/metrics/years", headers=world.headers("other_school")
        ).status_code
        == 403
    )


def test_a_full_roll_over_http_previews_its_leavers_then_records_them(world):
    roll = (
        "UPN,Legal Surname,Legal Forename,DOB,NC Year,Admission Date,Reg Group\n"
        f"{UPN['p1']},Pupil,P1,15/01/2007,7,03/09/2018,7R\n{UPN['p3']},Pupil,P3,15/01/2003,11,03/09/2018,11S\n"
    )
    path = "/api/v1/schools/900001/pupils/import?full_roll=true"
    headers = world.headers("school", **{"Content-Type": "text/csv"})
    preview = world.client.post(path + "&dry_run=true", data=roll, headers=headers)
    assert preview.status_code == 200
    assert (sorted(preview.json["leavers"]), preview.json["applied"]) == (
        sorted([UPN["p4"], UPN["p5"]]),
        False,
    )
    done = world.client.post(path, data=roll, headers=headers).json
    assert (done["applied"], done["changed"], done["left_on"]) == (True, 2, "2019-07-14")
    in_7r = world.client.get(
        "/api/v1/schools/900001/pupils?group=7R", headers=world.headers("school")
    ).json
    assert [item["upn"] for item in in_7r["items"]] == [UPN["p1"]]
