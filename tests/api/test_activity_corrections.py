"""Corrections from the school page through Flask's client: an activity's details amended on its own
page and read back through the API, the corrections form refused beside its fields with every
value kept, each refusal storing nothing, and registration groups matched whatever their case."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import make_world
from tests.api.test_activity_form import HIDDEN_ERROR, attendees_shown, csrf, post
from tests.api.test_dashboard import sign_in
from tests.scenarios import ADMIN, UPN

SCHOOL = "/dashboard/schools/900001"
CORRECTIONS = f"{SCHOOL}/corrections"
TALK_DAY = "2019-02-01"  # the worked example's employer talk, for p5, with Acme Engineering
FOUR = ["purpose_shared", "outcomes", "two_way", "reflection"]


@pytest.fixture
def school():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    return world


def listed(world, day: str) -> list[dict]:
    """The school's activities of a day, as the API answers."""
    return world.client.get(
        f"/api/v1/schools/900001/activities?from={day}&to={day}", headers=world.headers("school")
    ).json["items"]


def talk_id(world) -> str:
    (talk,) = listed(world, TALK_DAY)
    return talk["id"]


def amend_url(activity_id: str) -> str:
    return f"{SCHOOL}/activities/{activity_id}/amend"


def fields_of(page: str) -> dict:
    """The amend page's fields as drawn, to post back as a person would with some changed."""
    form = page[page.index('id="record-activity"') :]
    values = dict(re.findall(r'<input name="(\w+)" id="af-\w+"[^>]*value="([^"]*)"', form))
    values["occurred_on"] = re.search(r'name="occurred_on"[^>]*value="([^"]*)"', form).group(1)
    values["form_id"] = re.search(r'name="form_id" value="([^"]*)"', form).group(1)
    for name in ("sector", "size", "provider_type"):
        chosen = re.search(rf'name="{name}".*?<option value="([^"]*)" selected', form, re.S)
        values[name] = chosen.group(1) if chosen else ""
    values["criteria"] = re.findall(r'name="criteria" value="(\w+)"[^>]*checked', form)
    return values


def amend(world, activity_id: str, **changes):
    drawn = world.client.get(amend_url(activity_id)).get_data(as_text=True)
    return world.client.post(
        amend_url(activity_id), data={"csrf": csrf(world), **fields_of(drawn), **changes}
    )


def stored(world) -> int:
    return world.tracker.recorder.max_notification_id()


def test_each_recent_activity_links_to_a_page_with_its_details_filled_in(school):
    activity_id = talk_id(school)
    page = school.client.get(f"{SCHOOL}?as_of=2019-03-31").get_data(as_text=True)
    assert f'href="{amend_url(activity_id)}">Correct' in page
    drawn = school.client.get(amend_url(activity_id))
    assert drawn.status_code == 200
    values = fields_of(drawn.get_data(as_text=True))
    assert (values["title"], values["occurred_on"], values["with"]) == (
        f"employer_talk on {TALK_DAY}",
        TALK_DAY,
        "Acme Engineering",
    )
    assert (values["sector"], values["size"], values["criteria"]) == (
        "manufacturing",  # recorded before the SIC letters, and kept
        "large",
        FOUR,  # recorded meaningful under the 2014 rules: the four checks it stands for
    )
    kind = re.search(r'<select name="kind" id="af-kind"[^>]*>', drawn.get_data(as_text=True))
    assert "disabled" in kind.group(0)
    assert 'value="employer_talk" data-role="employer" data-category' in drawn.get_data(True)


def test_an_activity_corrected_from_its_page_reads_back_through_the_api(school):
    activity_id = talk_id(school)
    ticked = ["purpose_shared", "two_way"]
    corrected = amend(
        school, activity_id, title="Engineers at work", criteria=ticked, size="medium", sector="C"
    )
    assert corrected.status_code == 302 and "done=Corrected" in corrected.location
    (talk,) = listed(school, TALK_DAY)
    assert (talk["id"], talk["title"], talk["employer_name"]) == (
        activity_id,
        "Engineers at work",
        "Acme Engineering",
    )
    assert talk["criteria"] == {
        "purpose_shared": True,
        "outcomes": False,
        "two_way": True,
        "reflection": False,
        "employer_task": False,
    }
    assert talk["meaningful"] is False
    drawn = fields_of(school.client.get(amend_url(activity_id)).get_data(as_text=True))
    assert (drawn["sector"], drawn["size"], drawn["criteria"]) == ("C", "medium", ticked)
    school_page = school.client.get(f"{SCHOOL}?as_of=2019-03-31").get_data(as_text=True)
    assert "<td>Engineers at work</td>" in school_page


def test_the_kind_sent_with_a_correction_is_not_taken(school):
    activity_id = talk_id(school)
    assert amend(school, activity_id, kind="he_encounter").status_code == 302
    (talk,) = listed(school, TALK_DAY)
    assert talk["kind"] == "employer_talk" and talk["employer_name"] == "Acme Engineering"


# Each bad field, the field its error stands beside, and words of the error.
BAD_AMENDS = [
    ({"title": "  "}, "title", "Give the activity a title"),
    ({"title": "x" * 201}, "title", "200"),
    ({"occurred_on": ""}, "occurred_on", "such as 2019-03-05"),
    ({"occurred_on": "2019-02-30"}, "occurred_on", "such as 2019-03-05"),
    ({"occurred_on": "1899-12-31"}, "occurred_on", "outside"),
    ({"occurred_on": "2019-08-01"}, "occurred_on", "future"),
    ({"occurred_on": "2018-08-01"}, "occurred_on", "not on roll"),  # p5 joined later
    ({"organisation": "no-such-organisation"}, "organisation", "not in the register"),
    ({"size": "enormous"}, "size", "size"),
    ({"reason": "r" * 201}, "reason", "200"),
]


@pytest.mark.parametrize(
    "bad, field, words",
    BAD_AMENDS,
    ids=[f"{f}={list(b.values())[-1]!r:.20}" for b, f, _ in BAD_AMENDS],
)
def test_each_bad_detail_is_refused_beside_itself_with_every_value_kept(school, bad, field, words):
    activity_id = talk_id(school)
    before = stored(school)
    refused = amend(school, activity_id, **{"title": "Engineers at work", **bad})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert stored(school) == before
    error = re.search(rf'id="af-{field}-error">{HIDDEN_ERROR}([^<]*)', page)
    assert error and words in error.group(1), page[page.find("error-summary") :][:600]
    assert f'<a href="#af-{field}">' in page and "The correction was not saved" in page
    kept = {"title": "Engineers at work", **bad}
    assert f'id="af-title" maxlength="200" value="{kept["title"]}"' in page
    assert re.search(r'value="reflection"[^>]*checked', page)
    assert listed(school, TALK_DAY)[0]["title"] == f"employer_talk on {TALK_DAY}"


def test_a_correction_is_refused_without_its_csrf_token(school):
    activity_id = talk_id(school)
    before = stored(school)
    forged = school.client.post(amend_url(activity_id), data={"csrf": "forged", "title": "Forged"})
    assert forged.status_code == 400 and stored(school) == before


def test_a_retried_correction_is_stored_once_and_gets_the_first_answer(school):
    activity_id = talk_id(school)
    drawn = fields_of(school.client.get(amend_url(activity_id)).get_data(as_text=True))
    form = {"csrf": csrf(school), **drawn, "title": "Engineers at work"}
    before = stored(school)
    first = school.client.post(amend_url(activity_id), data=form)
    after_first = stored(school)
    again = school.client.post(amend_url(activity_id), data=form)
    assert first.status_code == again.status_code == 302 and first.location == again.location
    assert after_first > before and stored(school) == after_first


def test_a_hub_lead_and_another_school_may_not_correct_and_a_stranger_activity_is_not_found():
    hub = make_world()
    sign_in(hub.client, hub.tokens["hub"])
    activity_id = talk_id(hub)
    assert hub.client.get(amend_url(activity_id)).status_code == 403
    hub.client.get("/dashboard/hubs/DEMO")  # a page drawn: the session holds a CSRF token
    refused = hub.client.post(amend_url(activity_id), data={"csrf": csrf(hub), "title": "Mine"})
    assert refused.status_code == 403
    other = make_world()
    sign_in(other.client, other.tokens["other_school"])
    assert other.client.get(amend_url(activity_id)).status_code == 403
    smuggled = f"/dashboard/schools/900002/activities/{activity_id}/amend"
    assert other.client.get(smuggled).status_code == 404  # not 900002's: as if none


def test_a_retracted_activity_cannot_be_corrected(school):
    activity_id = talk_id(school)
    school.tracker.retract_activity(activity_id, "recorded twice", caller=ADMIN)
    school.client.get(SCHOOL)  # the views caught up
    assert school.client.get(amend_url(activity_id)).status_code == 409


# The corrections form (attendees and retraction): each bad field refused beside itself.
FAIR_DAY = "2018-11-15"
BAD_CORRECTIONS = [
    ({"action": "juggle"}, "action", "Choose to add"),
    ({"action": "add", "upns": ""}, "upns", "List the UPNs to add"),
    ({"action": "remove", "upns": UPN["p5"]}, "upns", "is not an attendee"),
    ({"action": "add", "upns": "NOT-A-UPN"}, "upns", "not a valid UPN"),
    ({"action": "retract", "reason": ""}, "reason", "A reason is required"),
    ({"activity_id": "00000000-0000-0000-0000-000000000000"}, "activity_id", "no activity"),
]


@pytest.mark.parametrize(
    "bad, field, words",
    BAD_CORRECTIONS,
    ids=[f"{f}={list(b.values())[-1]!r:.20}" for b, f, _ in BAD_CORRECTIONS],
)
def test_each_bad_correction_is_refused_beside_its_field_with_every_value_kept(
    school, bad, field, words
):
    fair = school.ids["fair"]
    form = {"csrf": csrf(school), "activity_id": fair, "action": "add", "upns": UPN["p5"]}
    form |= {"reason": "typed", "form_id": "4242", **bad}
    before = stored(school)
    refused = school.client.post(f"{CORRECTIONS}?as_of=2019-01-31", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and stored(school) == before
    error = re.search(rf'id="cf-{field}-error">{HIDDEN_ERROR}([^<]*)', page)
    assert error and words in error.group(1), page[page.find("error-summary") :][:600]
    assert f'<a href="#cf-{field}">' in page and 'role="alert"' in page
    assert f'name="reason" id="cf-reason" maxlength="500" value="{form["reason"]}"' in page
    assert '<textarea name="upns" id="cf-upns"' in page and f">{form['upns']}</textarea>" in page
    assert 'name="form_id" value="4242"' in page
    if field != "activity_id":
        assert f'<option value="{fair}" selected>' in page


def test_a_retried_correction_of_attendees_gets_the_first_answer(school):
    form = {"csrf": csrf(school), "activity_id": school.ids["fair"], "action": "add"}
    form |= {"upns": UPN["p5"], "form_id": "5151"}
    first = school.client.post(CORRECTIONS, data=form)
    after_first = stored(school)
    again = school.client.post(CORRECTIONS, data=form)
    assert first.status_code == again.status_code == 302 and first.location == again.location
    assert stored(school) == after_first


# Registration groups as typed against the MIS's spelling.
def test_a_registration_group_typed_in_another_case_or_with_spaces_finds_the_mis_group(school):
    school.tracker.update_roll_details("900001", UPN["p3"], "2018/19", group="11B", caller=ADMIN)
    for typed in ("11b", " 11B ", "11B"):
        shown = post(school, step="fill", occurred_on="2019-01-15", groups=typed, attendees="")
        assert shown.status_code == 200, typed
        assert attendees_shown(shown.get_data(as_text=True)) == [UPN["p3"]]


def test_two_groups_differing_only_by_case_are_said_beside_the_field_not_guessed(school):
    school.tracker.update_roll_details("900001", UPN["p3"], "2018/19", group="11Ab", caller=ADMIN)
    school.tracker.update_roll_details("900001", UPN["p4"], "2018/19", group="11AB", caller=ADMIN)
    exact = post(school, step="fill", occurred_on="2019-01-15", groups="11Ab ", attendees="")
    assert exact.status_code == 200  # typed as the MIS has one of them: that one
    assert attendees_shown(exact.get_data(as_text=True)) == [UPN["p3"]]
    before = stored(school)
    ambiguous = post(school, step="fill", occurred_on="2019-01-15", groups="11ab", attendees="")
    page = ambiguous.get_data(as_text=True)
    error = re.search(rf'id="af-groups-error">{HIDDEN_ERROR}([^<]*)', page)
    assert ambiguous.status_code == 422 and error and stored(school) == before
    assert "11AB or 11Ab" in error.group(1) and 'value="11ab"' in page
    assert attendees_shown(page) == []


def test_a_correction_and_a_group_in_another_case_on_every_store(database_url):
    """The amend page's read of the views and the groups' names, on SQLite and PostgreSQL too."""
    world = make_world({"DATABASE_URL": database_url, "PROJECTIONS": "inline"})
    sign_in(world.client, world.tokens["school"])
    world.tracker.update_roll_details("900001", UPN["p3"], "2018/19", group="11B", caller=ADMIN)
    shown = post(world, step="fill", occurred_on="2019-01-15", groups="11b", attendees="")
    assert attendees_shown(shown.get_data(as_text=True)) == [UPN["p3"]]
    activity_id = talk_id(world)
    drawn = fields_of(world.client.get(amend_url(activity_id)).get_data(as_text=True))
    assert (drawn["occurred_on"], drawn["with"], drawn["criteria"]) == (
        TALK_DAY,
        "Acme Engineering",
        FOUR,
    )
    assert amend(world, activity_id, title="Engineers at work").status_code == 302
    assert listed(world, TALK_DAY)[0]["title"] == "Engineers at work"


def test_the_organisation_recorded_is_shown_chosen_from_the_register(school):
    page = school.client.get(amend_url(talk_id(school))).get_data(as_text=True)
    assert re.search(r'name="organisation" value="[^"]+"[^>]*checked> Acme Engineering', page)
    assert "A new organisation" not in page
