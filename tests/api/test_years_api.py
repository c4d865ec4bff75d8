"""The rollover and the year-group range over HTTP: a dry run, the real run, a retry, and who may."""

from __future__ import annotations

from tests.scenarios import UPN


def test_a_school_rolls_its_own_roll_over_and_a_retry_gets_the_first_answer(world):
    path, body = "/api/v1/schools/900001/rollover", {"year": "2019/20"}
    head = world.tracker.recorder.max_notification_id()
    dry = world.client.post(path, json={**body, "dry_run": True}, headers=world.headers("school"))
    assert dry.status_code == 200
    assert (dry.json["leavers"], dry.json["left_on"], dry.json["position"]) == ([UPN["p5"]], "2019-08-31", None)
    assert world.tracker.recorder.max_notification_id() == head  # a dry run stores nothing
    headers = world.headers("school", **{"Idempotency-Key": "rollover-1"})
    done = world.client.post(path, json=body, headers=headers)
    assert (done.status_code, done.json["leavers"], done.json["dry_run"]) == (200, [UPN["p5"]], False)
    again = world.client.post(path, json=body, headers=headers)
    assert again.json == done.json
    fresh = world.client.post(path, json=body, headers=world.headers("school"))
    assert fresh.json["leavers"] == []
    pupil = world.client.get(f"/api/v1/pupils/{UPN['p5']}", headers=world.headers("school")).json
    assert pupil["enrolments"][-1]["left_on"] == "2019-08-31"


def test_another_school_or_a_hub_may_not_roll_a_school_over(world):
    for who in ("other_school", "hub", "auditor"):
        response = world.client.post("/api/v1/schools/900001/rollover", json={"year": "2019/20"},
                                     headers=world.headers(who))
        assert response.status_code == 403, who


def test_a_year_that_is_not_an_academic_year_is_422_naming_it(world):
    response = world.client.post("/api/v1/schools/900001/rollover", json={"year": "2019/21"},
                                 headers=world.headers("admin"))
    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == ["year"]
