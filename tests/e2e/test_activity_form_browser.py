"""The school page's activity form in a real browser against gunicorn: a whole year group recorded,
an error shown beside its field with every value kept, the four checks recorded one by one, and the
organisation picker matching the register as a name is typed."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.e2e.serving import served
from tests.e2e.test_browser import CHROMIUM, page, shot, sign_in  # noqa: F401
from tests.scenarios import ADMIN, UPN, build_worked_example
from tracker.application import Tracker

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
SCHOOL_PAGE = "/dashboard/schools/900001"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The worked example, with ACME Limited registered and Year 11's registration groups."""
    url = f"sqlite:///{tmp_path_factory.mktemp('forms') / 'site.sqlite3'}"
    app = Tracker.from_url(url)
    build_worked_example(app)
    app.register_organisation("employer", "ACME Limited", {"sector": "C", "size": "large"})
    for name, group in (("p3", "11B"), ("p4", "11C")):
        app.update_roll_details("900001", UPN[name], "2018/19", group=group, caller=ADMIN)
    token = app.issue_token("school:900001", "leader@example")[0]
    with served(url, "forms-test") as base:
        yield base, token


def api(base: str, token: str, path: str) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}
    )
    return json.loads(urllib.request.urlopen(request).read())


def recorded(base: str, token: str, title: str, day: str) -> dict:
    """The activity of that title on that day, read back through the API."""
    items = api(base, token, f"/schools/900001/activities?from={day}&to={day}")["items"]
    (activity,) = [item for item in items if item["title"] == title]
    return activity


def submit(tab, button: str):
    """Press a button of the form and wait for the page it answers with."""
    with tab.expect_navigation() as answer:
        tab.click(button)
    return answer.value


def begin(tab, base: str, token: str, kind: str, title: str, day: str) -> None:
    sign_in(tab, base, token)
    tab.goto(base + SCHOOL_PAGE)
    tab.select_option("#af-kind", kind)
    tab.fill("#af-title", title)
    tab.fill("#af-occurred_on", day)


def test_a_careers_leader_records_an_activity_for_a_whole_year_group(site, page):  # noqa: F811
    base, token = site
    begin(page, base, token, "employer_talk", "Year 7 assembly", "2019-01-15")
    page.fill("#af-with", "Brook Builders")
    page.check("#af-year_groups")  # Year 7
    assert submit(page, "#af-fill").status == 200
    assert "added from Year 7" in page.inner_text("#activity-notice")
    shot(page, "activity-form-filled")
    filled = sorted(page.input_value("#af-attendees").split())
    submit(page, "#af-record")
    assert "Recorded" in page.inner_text("[role=status]")
    activity = recorded(base, token, "Year 7 assembly", "2019-01-15")
    attendees = sorted(api(base, token, f"/activities/{activity['id']}")["attendees"])
    page.goto(f"{base}{SCHOOL_PAGE}/pupils?year_group=7&as_of=2019-01-15")
    on_roll = sorted(page.locator("#roll td:first-child").all_inner_texts())
    assert attendees == filled == on_roll == sorted([UPN["p1"], UPN["p2"]])


def test_an_error_is_shown_beside_its_field_and_every_value_is_kept(site, page):  # noqa: F811
    base, token = site
    begin(page, base, token, "workplace_visit", "Factory tour", "2019-02-05")
    page.fill("#af-groups", "11B, 9Z")
    page.fill("#af-attendees", UPN["p1"])
    page.fill("#af-with", "Brook Builders")
    page.select_option("#af-sector", "F")
    page.select_option("#af-size", "small")
    page.check("input[name=criteria][value=two_way]")
    page.check("input[name=criteria][value=employer_task]")
    assert submit(page, "#af-record").status == 422
    shot(page, "activity-form-error")
    assert "Nobody was on roll in 9Z" in page.inner_text("#af-groups-error")
    assert page.get_attribute("#af-groups", "aria-invalid") == "true"
    assert "af-groups-error" in page.get_attribute("#af-groups", "aria-describedby")
    assert page.locator("#error-summary a[href='#af-groups']").count() == 1
    kept = {
        "#af-kind": "workplace_visit",
        "#af-title": "Factory tour",
        "#af-occurred_on": "2019-02-05",
        "#af-groups": "11B, 9Z",
        "#af-attendees": UPN["p1"],
        "#af-with": "Brook Builders",
        "#af-sector": "F",
        "#af-size": "small",
    }
    assert {field: page.input_value(field) for field in kept} == kept
    ticked = page.locator("input[name=criteria]:checked")
    assert sorted(ticked.evaluate_all("boxes => boxes.map(b => b.value)")) == [
        "employer_task",
        "two_way",
    ]
    page.click("#error-summary a[href='#af-groups']")
    assert page.evaluate("document.activeElement.id") == "af-groups"


def test_the_four_checks_are_recorded_separately(site, page):  # noqa: F811
    base, token = site
    begin(page, base, token, "workplace_visit", "Checks apart", "2019-02-06")
    assert page.is_visible("input[value=employer_task]")  # a workplace kind has the task
    page.fill("#af-with", "Brook Builders")
    page.fill("#af-attendees", UPN["p3"])
    for check in ("purpose_shared", "reflection", "employer_task"):
        page.check(f"input[name=criteria][value={check}]")
    shot(page, "activity-form-checks")
    submit(page, "#af-record")
    assert "Recorded" in page.inner_text("[role=status]")
    assert recorded(base, token, "Checks apart", "2019-02-06")["criteria"] == {
        "purpose_shared": True,
        "outcomes": False,
        "two_way": False,
        "reflection": True,
        "employer_task": True,
    }
    page.select_option("#af-kind", "employer_talk")
    assert not page.is_visible("input[value=employer_task]")  # a talk has no employer's task


def test_the_picker_matches_acme_ltd_to_acme_limited_and_offers_a_new_one(site, page):  # noqa: F811
    base, token = site
    begin(page, base, token, "employer_talk", "Picked from the register", "2019-02-07")
    page.fill("#af-attendees", UPN["p4"])
    page.type("#af-with", "acme ltd")
    acme = page.locator("#af-matches label.match", has_text="ACME Limited")
    acme.wait_for()
    assert acme.locator("input").is_checked()
    assert page.locator("#af-matches input[value=new]").count() == 0
    # the same organisation by the register's rule is chosen, and its details filled in
    assert (page.input_value("#af-sector"), page.input_value("#af-size")) == ("C", "large")
    shot(page, "activity-form-picker")
    page.fill("#af-with", "")
    page.type("#af-with", "Zebra Works")
    new = page.locator("#af-matches label.match", has_text="A new organisation: Zebra Works")
    new.wait_for()
    assert new.locator("input").is_checked()
    page.fill("#af-with", "")
    page.type("#af-with", "acme ltd")
    acme.wait_for()
    acme.locator("input").check()
    submit(page, "#af-record")
    assert "Recorded" in page.inner_text("[role=status]")
    activity = recorded(base, token, "Picked from the register", "2019-02-07")
    assert activity["employer_name"] == "ACME Limited"


def test_the_placement_form_offers_the_registers_employer_and_says_when_a_name_is_new(site, page):  # noqa: F811
    base, token = site
    sign_in(page, base, token)
    page.goto(f"{base}/dashboard/schools/900001/placements")
    page.type("#arrange input[name=employer]", "acme ltd")
    page.locator("#arrange-match", has_text="In the register").wait_for()
    assert page.inner_text("#arrange-match") == "In the register: ACME Limited"
    offered = page.eval_on_selector_all("#arrange-employers option", "os => os.map(o => o.value)")
    assert offered[0] == "ACME Limited" and "Zebra Works" not in offered
    assert (
        page.input_value("#arrange select[name=sector]"),
        page.input_value("#arrange select[name=size]"),
    ) == ("C", "large")
    shot(page, "placement-form-picker")
    page.fill("#arrange input[name=employer]", "")
    page.type("#arrange input[name=employer]", "Zebra Works")
    page.locator("#arrange-match", has_text="New to the register").wait_for()
    assert page.inner_text("#arrange-match") == "New to the register: Zebra Works"
    page.fill("#arrange input[name=employer]", "acme ltd")
    page.fill("#arrange input[name=upn]", UPN["p4"])
    page.fill("#arrange input[name=starts_on]", "2019-06-03")
    page.fill("#arrange input[name=ends_on]", "2019-06-07")
    submit(page, "#arrange button")
    arranged = " ".join(page.locator("#board td.column-arranged").all_inner_texts())
    assert "ACME Limited" in arranged, "the typed name is the register's organisation"
