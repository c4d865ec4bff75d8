"""The dashboard through Flask's test client: sign-in with CSRF, the figures the API gives,
scopes."""

from __future__ import annotations

import re

from tests.api.conftest import make_world


def sign_in(client, token: str):
    page = client.get("/dashboard/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return client.post("/dashboard/sign-in", data={"token": token, "csrf": csrf})


def test_a_hub_lead_sees_the_same_headline_figures_as_the_api():
    world = make_world()
    api = world.client.get("/api/v1/hubs/DEMO/metrics", headers=world.headers("hub")).json
    assert sign_in(world.client, world.tokens["hub"]).status_code == 302
    page = world.client.get("/dashboard/", follow_redirects=True).get_data(as_text=True)
    assert f'id="employer">{api["every_student_employer_encounters"]}%' in page
    assert f'id="workplace">{api["every_student_workplace_experience"]}%' in page
    assert "School A" in page and "<svg" in page


def test_sign_in_without_the_forms_csrf_token_is_refused():
    world = make_world()
    response = world.client.post(
        "/dashboard/sign-in", data={"token": world.tokens["hub"], "csrf": "forged"}
    )
    assert response.status_code == 400


def test_a_school_user_is_refused_another_schools_page_and_a_bad_token_is_refused():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    assert world.client.get("/dashboard/schools/900001").status_code == 200
    assert world.client.get("/dashboard/schools/900002").status_code == 403
    other = make_world()
    assert sign_in(other.client, "not-a-token").status_code == 401


def test_a_revoked_token_is_signed_out_at_once():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    access = world.tracker.token_for(world.tokens["school"])
    world.tracker.revoke_token(str(access.id), "left")
    assert world.client.get("/dashboard/schools/900001").status_code == 302


def test_a_pupils_page_shows_their_timeline_to_their_school_and_is_refused_to_a_hub():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    page = world.client.get("/dashboard/pupils/V885400112003").get_data(as_text=True)
    assert "Student.Registered" in page and "Activity.Recorded" in page and "V885400112003" in page
    hub = make_world()
    sign_in(hub.client, hub.tokens["hub"])
    assert hub.client.get("/dashboard/pupils/V885400112003").status_code == 403


def test_the_hub_page_shows_the_termly_trend_with_its_table():
    world = make_world()
    sign_in(world.client, world.tokens["hub"])
    page = world.client.get("/dashboard/hubs/DEMO?as_of=2019-03-31").get_data(as_text=True)
    series = world.client.get(
        "/api/v1/hubs/DEMO/metrics/series?year=2018/19", headers=world.headers("hub")
    ).json
    assert 'id="trend"' in page and "<polyline" in page
    for point in series["points"]:
        assert (
            f"<td>{point['as_of']}</td><td>{point['every_student_employer_encounters']}</td>"
            in page
        )


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_a_school_corrects_an_activity_from_its_page_and_the_record_follows():
    from tests.scenarios import UPN

    world = make_world()
    sign_in(world.client, world.tokens["school"])
    fair = world.ids["fair"]
    page = world.client.get("/dashboard/schools/900001?as_of=2019-01-31").get_data(as_text=True)
    assert f'<option value="{fair}">2018-11-15' in page
    removed = world.client.post(
        "/dashboard/schools/900001/corrections",
        data={"csrf": _csrf(page), "activity_id": fair, "action": "remove", "upns": UPN["p1"]},
    )
    assert removed.status_code == 302 and "Corrected" in removed.headers["Location"]
    attendees = world.client.get(
        f"/api/v1/activities/{fair}", headers=world.headers("school")
    ).json["attendees"]
    assert UPN["p1"] not in attendees and UPN["p3"] in attendees

    unexplained = world.client.post(
        "/dashboard/schools/900001/corrections",
        data={"csrf": _csrf(page), "activity_id": fair, "action": "retract", "reason": ""},
        follow_redirects=True,
    )
    assert 'role="alert"' in unexplained.get_data(as_text=True)
    world.client.post(
        "/dashboard/schools/900001/corrections",
        data={
            "csrf": _csrf(page),
            "activity_id": fair,
            "action": "retract",
            "reason": "recorded twice",
        },
    )
    page = world.client.get("/dashboard/schools/900001?as_of=2019-01-31").get_data(as_text=True)
    assert "retracted: recorded twice" in page and f'<option value="{fair}">' not in page


def test_another_schools_sign_in_cannot_correct_an_activity():
    world = make_world()
    sign_in(world.client, world.tokens["other_school"])
    page = world.client.get("/dashboard/schools/900002").get_data(as_text=True)
    refused = world.client.post(
        "/dashboard/schools/900001/corrections",
        data={
            "csrf": _csrf(page),
            "activity_id": world.ids["fair"],
            "action": "retract",
            "reason": "mine now",
        },
    )
    assert refused.status_code == 403
    smuggled = world.client.post(
        "/dashboard/schools/900002/corrections",
        data={
            "csrf": _csrf(page),
            "activity_id": world.ids["fair"],
            "action": "retract",
            "reason": "via my own page",
        },
        follow_redirects=True,
    )
    assert 'role="alert"' in smuggled.get_data(as_text=True)
    assert world.tracker._activity(world.ids["fair"], None).retracted_because is None


def test_a_known_at_time_typed_on_the_page_is_read_as_uk_local_time():
    world = make_world()  # the times asked are after it was recorded: the hub was known then
    sign_in(world.client, world.tokens["auditor"])
    summer = world.client.get(
        "/dashboard/hubs/DEMO?as_of=2019-03-31&known_at=2030-07-01T09:00"
    ).get_data(as_text=True)
    winter = world.client.get(
        "/dashboard/hubs/DEMO?as_of=2019-03-31&known_at=2030-01-07T09:00"
    ).get_data(as_text=True)
    assert "as known at 2030-07-01T08:00:00+00:00" in summer  # BST is an hour ahead of UTC
    assert "as known at 2030-01-07T09:00:00+00:00" in winter
