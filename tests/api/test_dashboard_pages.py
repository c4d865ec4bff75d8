"""The dashboard's pages for people: error pages, the icon, and names in place of codes."""

from __future__ import annotations

from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_browser_refused_a_page_gets_an_error_page_and_a_script_the_error_body():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    page = world.client.get("/dashboard/schools/900002", headers=BROWSER)
    assert page.status_code == 403 and page.mimetype == "text/html"
    assert "this sign-in may not see that school" in page.get_data(as_text=True)
    script = world.client.get("/dashboard/schools/900002")
    assert script.status_code == 403 and script.json["message"] == (
        "this sign-in may not see that school"
    )


def test_the_api_answers_a_browser_with_the_json_error_body():
    world = make_world()
    response = world.client.get(
        "/api/v1/hubs/NOPE/metrics", headers={**BROWSER, **world.headers("admin")}
    )
    assert response.status_code == 404 and response.json["code"] == 404


def test_an_unknown_dashboard_address_is_a_page_that_leads_back():
    world = make_world()
    page = world.client.get("/dashboard/no-such-page", headers=BROWSER)
    assert page.status_code == 404 and 'href="/dashboard/"' in page.get_data(as_text=True)


def test_the_icon_is_served_before_anyone_signs_in():
    world = make_world()
    icon = world.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")


def test_pages_name_schools_kinds_and_benchmarks_rather_than_show_codes():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    school = world.client.get("/dashboard/schools/900001").get_data(as_text=True)
    assert '<option value="workplace_visit">Workplace visit</option>' in school
    assert "<dt>BM6</dt><dd>Experiences of workplaces</dd>" in school
    pupil = world.client.get("/dashboard/pupils/V885400112003").get_data(as_text=True)
    assert "on roll at School A" in pupil


def test_every_page_declares_a_viewport_for_small_screens():
    world = make_world()
    page = world.client.get("/dashboard/sign-in").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_a_pupils_page_says_what_is_met_and_still_needed_and_tells_the_timeline_in_words():
    world = make_world()
    retracted = world.client.post(
        f"/api/v1/activities/{world.ids['fair']}/retract",
        json={"reason": "wrong date"},
        headers=world.headers("school"),
    )
    assert retracted.status_code == 200
    sign_in(world.client, world.tokens["school"])
    page = world.client.get("/dashboard/pupils/V885400112003").get_data(as_text=True)
    status = page[page.index('id="status"') : page.index('id="counts"')]
    assert "BM6 Experiences of workplaces" in status and "met" in status
    assert "still needs 1 more guidance meeting by 16" in status
    timeline = page[page.index('id="timeline"') :]
    assert "<td>2019-03-10</td>" in timeline and "Workplace visit" in timeline
    assert "Acme Engineering" in timeline and "School A" in timeline
    assert "Correction:</strong> The activity retracted" in timeline
    assert "by school@example" in timeline
