"""The school page's activity form through Flask's client: groups filled in from the roll on the
activity's date, every bad field refused beside itself with the form kept as typed (never a 500),
the criteria checks recorded one by one, and the organisation picker."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in
from tests.scenarios import ADMIN, UPN

FORM = "/dashboard/schools/900001/activities"
HIDDEN_ERROR = '<span class="visually-hidden">Error: </span>'
ACME = {"sector": "C", "size": "large"}
TALK = {
    "kind": "employer_talk",
    "title": "Engineers at work",
    "occurred_on": "2019-01-15",
    "with": "Brook Builders",
    "sector": "F",
    "size": "small",
    "attendees": UPN["p1"],
    "criteria": ["purpose_shared", "outcomes", "two_way", "reflection"],
}


@pytest.fixture
def school():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    return world


def csrf(world) -> str:
    page = world.client.get("/dashboard/schools/900001").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def post(world, **fields):
    return world.client.post(FORM, data={"csrf": csrf(world), **fields})


def attendees_shown(page: str) -> list[str]:
    return re.search(r'<textarea name="attendees"[^>]*>([^<]*)</textarea>', page).group(1).split()


def roll(world, year_group: int, day: str) -> list[str]:
    """The roll page's pupils of a year group on a day: what a Careers Leader would look up."""
    page = world.client.get(
        f"/dashboard/schools/900001/pupils?year_group={year_group}&as_of={day}"
    ).get_data(as_text=True)
    return sorted(re.findall(r">(\w\d{12})</a>", page))


def activities(world, day: str) -> list[dict]:
    return world.client.get(
        f"/api/v1/schools/900001/activities?from={day}&to={day}", headers=world.headers("school")
    ).json["items"]


def attendees_of(world, activity_id: str) -> list[str]:
    answer = world.client.get(f"/api/v1/activities/{activity_id}", headers=world.headers("school"))
    return sorted(answer.json["attendees"])


def test_filling_a_year_group_lists_the_pupils_on_roll_in_it_on_the_activitys_date(school):
    # Year 7 had two pupils in January; one left at the end of February.
    for day, expected in (("2019-01-15", ["p1", "p2"]), ("2019-03-10", ["p1"])):
        shown = post(school, step="fill", occurred_on=day, year_groups="7")
        page = shown.get_data(as_text=True)
        assert shown.status_code == 200
        assert (
            sorted(attendees_shown(page))
            == roll(school, 7, day)
            == sorted(UPN[name] for name in expected)
        )
        assert "Check it, then Record" in page
        assert 'name="year_groups" value="7" id="af-year_groups" checked' not in page  # cleared


def test_a_year_group_filled_then_recorded_records_exactly_its_pupils_that_day(school):
    filled = post(school, step="fill", **{**TALK, "attendees": "", "year_groups": "7"})
    upns = attendees_shown(filled.get_data(as_text=True))
    recorded = post(school, step="record", **{**TALK, "attendees": "\n".join(upns)})
    assert recorded.status_code == 302 and "done=Recorded" in recorded.location
    (activity,) = [a for a in activities(school, "2019-01-15") if a["title"] == TALK["title"]]
    assert attendees_of(school, activity["id"]) == roll(school, 7, "2019-01-15")


def test_a_registration_group_fills_in_only_its_pupils_and_keeps_those_typed(school):
    school.tracker.update_roll_details("900001", UPN["p3"], "2018/19", group="11B", caller=ADMIN)
    school.tracker.update_roll_details("900001", UPN["p4"], "2018/19", group="11C", caller=ADMIN)
    shown = post(school, step="fill", occurred_on="2019-01-15", groups="11B", attendees=UPN["p1"])
    assert attendees_shown(shown.get_data(as_text=True)) == [UPN["p1"], UPN["p3"]]


def test_record_with_a_group_still_chosen_shows_the_list_first_and_stores_nothing(school):
    before = school.tracker.recorder.max_notification_id()
    shown = post(school, step="record", **{**TALK, "year_groups": "11"})
    assert shown.status_code == 200
    assert sorted(attendees_shown(shown.get_data(as_text=True))) == sorted(
        [UPN["p1"], UPN["p3"], UPN["p4"]]
    )
    assert school.tracker.recorder.max_notification_id() == before


# Each bad field, the field its error stands beside, and words of the error.
BAD_FIELDS = [
    ({"kind": "juggling"}, "kind", "Choose the kind"),
    ({"title": "  "}, "title", "title"),
    ({"title": "x" * 201}, "title", "200"),
    ({"occurred_on": ""}, "occurred_on", "such as 2019-03-05"),
    ({"occurred_on": "2019-02-30"}, "occurred_on", "such as 2019-03-05"),
    ({"occurred_on": "1899-12-31"}, "occurred_on", "outside"),
    ({"occurred_on": "2019-08-01"}, "occurred_on", "future"),
    ({"attendees": ""}, "attendees", "List who took part"),
    ({"attendees": "NOT-A-UPN"}, "attendees", "not a valid UPN"),
    ({"attendees": UPN["p6"]}, "attendees", "not on roll"),
    ({"size": "enormous"}, "size", "size"),
    ({"kind": "he_encounter", "provider_type": "circus"}, "provider_type", "type"),
    ({"with": ""}, "with", "must name its employer"),
    ({"organisation": "no-such-organisation"}, "organisation", "not in the register"),
    ({"step": "fill", "year_groups": "99"}, "year_groups", "1 to 14"),
    ({"step": "fill", "year_groups": "12"}, "year_groups", "Nobody was on roll in Year 12"),
    ({"step": "fill", "groups": "9Z"}, "groups", "Nobody was on roll in 9Z"),
    ({"step": "fill", "groups": " ".join(f"G{n}" for n in range(21))}, "groups", "at most 20"),
    ({"step": "fill", "groups": "", "year_groups": []}, "year_groups", "Choose a year group"),
]


@pytest.mark.parametrize(
    "bad, field, words", BAD_FIELDS, ids=[f"{f}={list(b.values())[-1]!r}" for b, f, _ in BAD_FIELDS]
)
def test_each_bad_field_is_refused_beside_itself_with_every_value_kept(school, bad, field, words):
    before = school.tracker.recorder.max_notification_id()
    refused = post(school, **{**TALK, "step": "record", **bad})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert school.tracker.recorder.max_notification_id() == before
    error = re.search(rf'id="af-{field}-error">{HIDDEN_ERROR}([^<]*)', page)
    assert error and words in error.group(1), page[page.find("error-summary") :][:600]
    assert f'<a href="#af-{field}">' in page  # the summary links to the field
    described = re.search(rf'[^<]*id="af-{field}"[^>]*>', page).group(0)
    if field not in ("year_groups", "criteria", "organisation"):  # a box of a group: its fieldset
        assert 'aria-invalid="true"' in described and f"af-{field}-error" in described
    kept = {**TALK, **bad}
    if field != "title":
        assert f'id="af-title" maxlength="200" value="{kept["title"]}"' in page
    if "occurred_on" not in bad:
        assert f'value="{kept["occurred_on"]}"' in page
    assert f'<option value="{kept.get("size", "small")}" selected>' in page or field == "size"
    for check in TALK["criteria"]:
        assert re.search(rf'value="{check}"[^>]*checked', page)


def test_the_four_checks_and_the_employers_task_are_recorded_one_by_one(school):
    ticked = ["purpose_shared", "reflection", "employer_task"]
    visit = {**TALK, "kind": "workplace_visit", "title": "Site visit", "criteria": ticked}
    assert post(school, **visit).status_code == 302
    (activity,) = [a for a in activities(school, "2019-01-15") if a["title"] == "Site visit"]
    assert activity["criteria"] == {
        "purpose_shared": True,
        "outcomes": False,
        "two_way": False,
        "reflection": True,
        "employer_task": True,
    }
    assert activity["meaningful"] is False  # the 2014 yes: every one of the four held


def test_the_picker_matches_acme_ltd_to_acme_limited_and_offers_a_new_one_otherwise(school):
    school.tracker.register_organisation("employer", "ACME Limited", ACME)
    school.client.get("/dashboard/schools/900001")  # the views caught up
    offered = school.client.get("/dashboard/organisations?q=acme%20ltd&role=employer").json
    acme = offered[0]
    assert (acme["name"], acme["same_name"], acme["sector"], acme["size"]) == (
        "ACME Limited",
        True,
        "C",
        "large",
    )
    assert school.client.get("/dashboard/organisations?q=Zebra%20Works").json == []
    found = post(school, step="find", **{**TALK, "with": "acme ltd"}).get_data(as_text=True)
    assert re.search(rf'value="{acme["id"]}"[^>]*checked> ACME Limited', found)
    assert "A new organisation" not in found  # "acme ltd" is ACME Limited by the register's rule
    new = post(school, step="find", **{**TALK, "with": "Zebra Works"}).get_data(as_text=True)
    assert re.search(r'value="new"[^>]*checked> A new organisation: Zebra Works', new)


def test_the_chosen_organisation_is_the_one_the_activity_names(school):
    school.tracker.register_organisation("employer", "ACME Limited", ACME)
    school.client.get("/dashboard/schools/900001")
    (acme,) = school.client.get("/dashboard/organisations?q=acme&role=employer").json[:1]
    chosen = {**TALK, "with": "acme ltd", "organisation": acme["id"], "sector": "", "size": ""}
    assert post(school, **chosen).status_code == 302
    (activity,) = activities(school, "2019-01-15")
    assert activity["employer_name"] == "ACME Limited"
    history = school.client.get(f"/api/v1/employers/{acme['id']}", headers=school.headers("admin"))
    assert history.status_code == 200 and "2018/19" in str(history.json)


def test_a_provider_kind_names_a_provider_of_the_type_chosen(school):
    fair = {**TALK, "kind": "he_encounter", "with": "Northern University"}
    assert post(school, **fair, provider_type="university").status_code == 302
    (activity,) = activities(school, "2019-01-15")
    assert activity["provider_name"] == "Northern University" and activity["employer_name"] is None


def test_a_retried_form_records_once_and_gets_the_first_answer(school):
    first = post(school, **TALK, form_id="123456")
    again = post(school, **TALK, form_id="123456")
    assert first.status_code == again.status_code == 302 and first.location == again.location
    assert len(activities(school, "2019-01-15")) == 1


def test_the_form_is_refused_without_its_csrf_token_and_to_a_hub():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    assert world.client.post(FORM, data={**TALK, "csrf": "forged"}).status_code == 400
    hub = make_world()
    sign_in(hub.client, hub.tokens["hub"])
    assert post(hub, step="fill", occurred_on="2019-01-15", year_groups="7").status_code == 403


def test_a_refused_form_put_right_records_under_the_same_form_id(school):
    refused = post(school, **{**TALK, "attendees": UPN["p6"]}, form_id="777")
    assert refused.status_code == 422 and 'name="form_id" value="777"' in refused.get_data(True)
    assert post(school, **TALK, form_id="777").status_code == 302
    assert [a["title"] for a in activities(school, "2019-01-15")] == [TALK["title"]]


def test_a_form_id_reused_for_another_activity_is_refused_on_the_form_not_with_a_500(school):
    assert post(school, **TALK, form_id="888").status_code == 302
    again = post(school, **{**TALK, "title": "Another talk"}, form_id="888")
    page = again.get_data(as_text=True)
    assert again.status_code == 422 and '<a href="#record-activity">' in page  # no field holds it
    assert [a["title"] for a in activities(school, "2019-01-15")] == [TALK["title"]]
