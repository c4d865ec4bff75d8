"""An activity corrected from the school page in a real browser against gunicorn: its details
filled in on their own page, a bad title refused beside its field with the rest kept, and the
corrected title and checks seen on the school page and in the API's answer."""

from __future__ import annotations

import pytest

from tests.e2e.test_activity_form_browser import SCHOOL_PAGE, recorded, site, submit  # noqa: F401
from tests.e2e.test_browser import CHROMIUM, page, shot, sign_in  # noqa: F401

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
TALK_DAY = "2019-02-01"  # the worked example's employer talk, recorded meaningful


def test_a_careers_leader_corrects_an_activitys_title_and_checks(site, page):  # noqa: F811
    base, token = site
    sign_in(page, base, token)
    page.goto(f"{base}{SCHOOL_PAGE}?as_of=2019-03-31")
    row = page.locator("#activities tr", has_text=f"employer_talk on {TALK_DAY}")
    with page.expect_navigation():
        row.locator("a.correct-link").click()
    assert page.input_value("#af-title") == f"employer_talk on {TALK_DAY}"
    assert page.input_value("#af-occurred_on") == TALK_DAY
    assert page.input_value("#af-with") == "Acme Engineering"
    assert page.is_disabled("#af-kind") and page.input_value("#af-kind") == "employer_talk"
    ticked = page.locator("input[name=criteria]:checked")
    assert ticked.count() == 4
    shot(page, "activity-correction")

    page.fill("#af-title", " ")
    page.uncheck("input[name=criteria][value=outcomes]")
    page.uncheck("input[name=criteria][value=reflection]")
    page.fill("#af-reason", "the talk's name and what it did, as it happened")
    assert submit(page, "#af-amend").status == 422
    shot(page, "activity-correction-error")
    assert "Give the activity a title" in page.inner_text("#af-title-error")
    assert page.get_attribute("#af-title", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#af-reason").startswith("the talk's name")
    assert sorted(ticked.evaluate_all("boxes => boxes.map(b => b.value)")) == [
        "purpose_shared",
        "two_way",
    ]
    assert recorded(base, token, f"employer_talk on {TALK_DAY}", TALK_DAY)  # nothing stored

    page.fill("#af-title", "Engineers at work")
    submit(page, "#af-amend")
    assert "Corrected" in page.inner_text("[role=status]")
    page.goto(f"{base}{SCHOOL_PAGE}?as_of=2019-03-31")
    titles = page.locator("#activities td:nth-child(3)").all_inner_texts()
    assert "Engineers at work" in titles and f"employer_talk on {TALK_DAY}" not in titles
    corrected = recorded(base, token, "Engineers at work", TALK_DAY)
    assert corrected["meaningful"] is False
    assert corrected["criteria"] == {
        "purpose_shared": True,
        "outcomes": False,
        "two_way": True,
        "reflection": False,
        "employer_task": False,
    }


def test_a_refused_retraction_is_shown_beside_its_field_with_the_form_kept(site, page):  # noqa: F811
    base, token = site
    sign_in(page, base, token)
    page.goto(f"{base}{SCHOOL_PAGE}?as_of=2019-03-31")
    visit = page.locator("#cf-activity_id option", has_text="workplace_visit")
    chosen = visit.get_attribute("value")
    page.select_option("#cf-activity_id", chosen)
    page.check("#correct-activity input[name=action][value=retract]")
    page.fill("#cf-upns", "kept as typed")
    assert submit(page, "#correct-activity button").status == 422
    shot(page, "corrections-error")
    assert "reason" in page.inner_text("#cf-reason-error")
    assert page.get_attribute("#cf-reason", "aria-invalid") == "true"
    assert page.input_value("#cf-activity_id") == chosen
    assert page.input_value("#cf-upns") == "kept as typed"
    assert page.is_checked("#correct-activity input[name=action][value=retract]")
    page.click("#error-summary a[href='#cf-reason']")
    assert page.evaluate("document.activeElement.id") == "cf-reason"
