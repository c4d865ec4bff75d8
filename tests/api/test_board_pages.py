"""The placements board, the checklist page, the lists and the hub filters through Flask's client:
who is refused, and what a refused form answers (the values as typed, nothing stored)."""

from __future__ import annotations

import re

from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in
from tests.api.test_roll_pages import csrf_of

BOARD = "/dashboard/schools/900001/placements"
ARRANGE = {
    "upn": "J885400112004",
    "kind": "work_experience",
    "employer": "Kidderminster Carpets",
    "starts_on": "2019-07-08",
    "ends_on": "2019-07-12",
}


def signed_in_as(who: str):
    world = make_world()
    sign_in(world.client, world.tokens[who])
    return world


def post(world, path: str, **form: str):
    csrf = csrf_of(world.client.get("/dashboard/schools/900001").get_data(as_text=True))
    return world.client.post(path, data={"csrf": csrf, **form})


def stored(world) -> int:
    return world.tracker.recorder.max_notification_id()


def test_another_schools_placements_are_refused_to_read_and_to_write():
    world = signed_in_as("other_school")
    assert world.client.get(BOARD).status_code == 403
    csrf = csrf_of(world.client.get("/dashboard/schools/900002").get_data(as_text=True))
    before = stored(world)
    arranged = world.client.post(BOARD, data={"csrf": csrf, **ARRANGE})
    cancelled = world.client.post(
        f"{BOARD}/cancel",
        data={"csrf": csrf, "placement_id": world.ids["placement"], "reason": "not ours"},
    )
    assert arranged.status_code == cancelled.status_code == 403
    assert stored(world) == before


def test_a_school_cannot_move_another_schools_placement_through_its_own_board():
    world = signed_in_as("other_school")
    csrf = csrf_of(world.client.get("/dashboard/schools/900002").get_data(as_text=True))
    refused = world.client.post(
        "/dashboard/schools/900002/placements/cancel",
        data={"csrf": csrf, "placement_id": world.ids["placement"], "reason": "not ours"},
    )
    page = refused.get_data(as_text=True)
    assert (
        refused.status_code == 422 and 'id="cancel-error"' in page and "V885400112003" not in page
    )


def test_a_hub_lead_gets_no_placement_board_and_no_pupil_on_its_lists_or_the_checklist():
    world = signed_in_as("hub")
    assert world.client.get(BOARD).status_code == 403
    for path in (
        "/dashboard/hubs",
        "/dashboard/hubs/DEMO/schools",
        "/dashboard/schools/900001/checklist",
    ):
        page = world.client.get(path)
        text = page.get_data(as_text=True)
        assert page.status_code == 200, path
        assert not re.search(r"[A-Z]\d{12}", text), path  # no UPN anywhere
        assert "/pupils" not in text and "/placements" not in text, path
    assert world.client.get("/dashboard/hubs/OTHER/schools").status_code == 403
    assert world.client.get("/dashboard/schools").status_code == 403


def test_a_hub_lead_may_read_the_checklist_but_not_change_it():
    world = signed_in_as("hub")
    page = world.client.get("/dashboard/schools/900001/checklist").get_data(as_text=True)
    assert "1.1 The school has a stable, structured careers programme" in page
    assert "change-criterion" not in page
    changed = post(
        world, "/dashboard/schools/900001/checklist", benchmark="1", code="1.1", met="yes"
    )
    assert changed.status_code == 403


def test_a_placement_that_ends_before_it_starts_is_refused_with_the_values_kept():
    world = signed_in_as("school")
    before = stored(world)
    refused = post(world, BOARD, **{**ARRANGE, "ends_on": "2019-07-01", "form_id": "77"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and stored(world) == before
    assert "ends_on must be a date on or after starts_on" in page
    assert 'value="Kidderminster Carpets"' in page and 'value="2019-07-01"' in page
    assert 'name="form_id" value="77"' in page  # the retry keeps its key


def test_a_date_that_is_not_one_is_a_422_page_not_a_500():
    world = signed_in_as("school")
    refused = post(world, BOARD, **{**ARRANGE, "starts_on": "next monday"})
    assert refused.status_code == 422
    assert "starts_on must be a date" in refused.get_data(as_text=True)


def test_confirming_without_both_checks_is_refused_and_stores_nothing():
    world = signed_in_as("school")
    before = stored(world)
    placement = world.ids["placement"]
    refused = post(world, f"{BOARD}/confirm", placement_id=placement, safeguarding="yes")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and stored(world) == before
    assert "not ticked: risk assessment done" in page
    assert re.search(r'name="safeguarding" value="yes" checked', page)
    confirmed = post(
        world, f"{BOARD}/confirm", placement_id=placement, safeguarding="yes", risk_assessment="yes"
    )
    assert confirmed.status_code == 302


def test_completing_a_cancelled_placement_is_refused_beside_the_form():
    world = signed_in_as("school")
    placement = world.ids["placement"]
    assert post(world, f"{BOARD}/cancel", placement_id=placement, reason="ill").status_code == 302
    refused = post(
        world, f"{BOARD}/complete", placement_id=placement, completed_on="2019-07-15", hours="30"
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "a cancelled placement cannot be completed" in page and 'id="complete-error"' in page
    assert "Reason: ill" in page


def test_hours_that_are_not_a_number_are_refused_with_the_values_kept():
    world = signed_in_as("school")
    refused = post(
        world,
        f"{BOARD}/complete",
        placement_id=world.ids["placement"],
        completed_on="2019-07-15",
        hours="a week",
        would_host="no",
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "hours must be a number" in page
    assert 'value="a week"' in page and re.search(r'value="no" checked', page)


def test_every_board_form_needs_the_csrf_token():
    world = signed_in_as("school")
    world.client.get(BOARD)  # the session holds its token from the first page
    before = stored(world)
    for path, form in (
        (BOARD, ARRANGE),
        (f"{BOARD}/cancel", {"placement_id": world.ids["placement"], "reason": "x"}),
        ("/dashboard/schools/900001/checklist", {"benchmark": "1", "code": "1.1", "met": "yes"}),
    ):
        assert world.client.post(path, data=form).status_code == 400, path
        assert world.client.post(path, data={**form, "csrf": "forged"}).status_code == 400, path
    assert stored(world) == before


def test_an_arrangement_sent_twice_with_its_form_id_is_stored_once():
    world = signed_in_as("school")
    first = post(world, BOARD, **ARRANGE, form_id="4242")
    second = post(world, BOARD, **ARRANGE, form_id="4242")
    assert first.status_code == second.status_code == 302
    assert first.location == second.location  # the same position: the first answer
    page = world.client.get(BOARD).get_data(as_text=True)
    assert page.count("Kidderminster Carpets") == 4  # one card, and one option in each of 3 forms


def test_a_checklist_change_shows_in_the_history_and_a_bad_one_keeps_its_evidence():
    world = signed_in_as("school")
    path = "/dashboard/schools/900001/checklist"
    done = post(world, path, benchmark="2", code="2.1", met="yes", evidence="LMI lessons, Y9")
    assert done.status_code == 302
    page = world.client.get(path).get_data(as_text=True)
    history = re.search(r'id="criterion-2-1".*?</section>', page, re.S).group(0)
    assert '<strong class="cell-yes">Met</strong>' in history
    assert "<td>met</td><td>LMI lessons, Y9</td><td>school@example</td>" in history
    refused = post(world, path, benchmark="2", code="2.1", met="maybe", evidence="kept")
    assert refused.status_code == 422 and 'value="kept"' in refused.get_data(as_text=True)


def test_a_bad_hub_filter_is_a_400_and_the_download_keeps_the_filter():
    world = signed_in_as("hub")
    assert world.client.get("/dashboard/hubs/DEMO?benchmark=9").status_code == 400
    assert world.client.get("/dashboard/hubs/DEMO?benchmark=6&achieved=maybe").status_code == 400
    none = world.client.get("/dashboard/hubs/DEMO/schools.csv?type=special")
    assert none.get_data(as_text=True).strip().count("\n") == 0  # the header alone
    every = world.client.get("/dashboard/hubs/DEMO/schools.csv?type=secondary")
    assert every.get_data(as_text=True).strip().count("\n") == 2
