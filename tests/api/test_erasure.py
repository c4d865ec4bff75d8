"""Erasing a pupil's identity through the API and the dashboard: admins only, confirmed, and
answers that tell nobody else whether the pupil exists."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in

LEAVER = "Y885400112005"  # p5, who leaves School A in these tests
BODY = {"requested_by": "900001", "reason": "parent asked"}
OTHERS = ["school", "other_school", "hub", "other_hub", "auditor"]


@pytest.fixture
def world():
    world = make_world()
    world.tracker.record_leaving("900001", LEAVER, date(2019, 7, 1), "fe_college")
    return world


def erase(world, who: str, upn: str = LEAVER, body: dict | None = None):
    return world.client.post(
        f"/api/v1/pupils/{upn}/erase",
        json=BODY if body is None else body,
        headers=world.headers(who),
    )


@pytest.mark.parametrize("who", OTHERS)
@pytest.mark.parametrize("upn", [LEAVER, "X885400112099"])  # one that exists, one that does not
def test_only_an_admin_may_erase_and_anyone_else_learns_nothing_of_the_pupil(world, who, upn):
    head = world.tracker.recorder.max_notification_id()
    refused = erase(world, who, upn, body={})  # an invalid body too: the scope is checked first
    assert refused.status_code == 403 and refused.json["message"] == "only an admin may do this"
    assert world.tracker.recorder.max_notification_id() == head
    assert world.tracker.identity_of(LEAVER)["given_name"] == "P5"


def test_an_admin_erases_and_the_pupils_record_keeps_its_counts_but_not_its_identity(world):
    before = world.client.get(f"/api/v1/pupils/{LEAVER}", headers=world.headers("admin")).json
    written = erase(world, "admin")
    assert written.status_code == 200 and written.json["id"] == LEAVER
    after = world.client.get(f"/api/v1/pupils/{LEAVER}", headers=world.headers("school")).json
    assert (after["given_name"], after["family_name"], after["date_of_birth"]) == (None, None, None)
    assert after["erased"] and after["pseudonymised"] and not before["erased"]
    assert {key: after[key] for key in ("counts", "enrolments", "sen")} == {
        key: before[key] for key in ("counts", "enrolments", "sen")
    }


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"reason": "x"}, 422, "requested_by"),
        ({"requested_by": "900001"}, 422, "reason"),
        ({"requested_by": "900001", "reason": ""}, 422, "reason"),
        ({"requested_by": "90000X", "reason": "x"}, 422, "requested_by"),
        ({"requested_by": "900002", "reason": "x"}, 422, "requested_by"),  # never held the pupil
    ],
)
def test_a_bad_request_is_refused_by_field_and_erases_nothing(world, body, status, field):
    refused = erase(world, "admin", body=body)
    assert refused.status_code == status and field in refused.json["errors"]["json"]
    assert world.tracker.identity_of(LEAVER)["given_name"] == "P5"


def test_a_pupil_still_on_roll_or_unknown_is_refused(world):
    assert erase(world, "admin", "R885400112001").status_code == 422
    assert erase(world, "admin", "X885400112099").status_code == 404


def test_the_same_idempotency_key_returns_the_first_answer(world):
    headers = world.headers("admin", **{"Idempotency-Key": "erase-1"})
    first = world.client.post(f"/api/v1/pupils/{LEAVER}/erase", json=BODY, headers=headers)
    again = world.client.post(f"/api/v1/pupils/{LEAVER}/erase", json=BODY, headers=headers)
    assert first.json == again.json and first.status_code == again.status_code == 200


# --- the dashboard ---------------------------------------------------------------------


def page_of(world, who: str, upn: str = LEAVER) -> tuple[str, str]:
    sign_in(world.client, world.tokens[who])
    page = world.client.get(f"/dashboard/pupils/{upn}").get_data(as_text=True)
    return page, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def post_erase(world, csrf: str, **form: str):
    return world.client.post(
        f"/dashboard/pupils/{LEAVER}/erase",
        data={"csrf": csrf, "requested_by": "900001", "reason": "parent asked", **form},
    )


def test_an_admin_sees_the_erase_form_only_for_a_leaver_not_yet_erased(world):
    page, _ = page_of(world, "admin")
    assert 'id="erase-identity"' in page and "<option>900001</option>" in page
    on_roll, _ = page_of(world, "admin", "R885400112001")
    assert 'id="erase-identity"' not in on_roll


@pytest.mark.parametrize("who", ["school", "auditor"])
def test_nobody_but_an_admin_sees_the_form_or_may_post_it(world, who):
    page, csrf = page_of(world, who)
    assert 'id="erase-identity"' not in page
    head = world.tracker.recorder.max_notification_id()
    assert post_erase(world, csrf, confirm=LEAVER).status_code == 403
    assert world.tracker.recorder.max_notification_id() == head


def test_without_the_upn_typed_to_confirm_nothing_is_erased(world):
    _, csrf = page_of(world, "admin")
    head = world.tracker.recorder.max_notification_id()
    answer = post_erase(world, csrf, confirm="R885400112001")
    assert answer.status_code == 302 and "error=" in answer.headers["Location"]
    assert world.tracker.recorder.max_notification_id() == head


def test_confirmed_the_identity_is_erased_and_the_page_no_longer_shows_it(world):
    page, csrf = page_of(world, "admin")
    assert "P5 Pupil" in page and "Born 2001-01-15" in page
    answer = post_erase(world, csrf, confirm=LEAVER.lower())
    assert answer.status_code == 302 and "done=" in answer.headers["Location"]
    page = world.client.get(answer.headers["Location"]).get_data(as_text=True)
    page = re.sub(r'name="csrf" value="[^"]+"', "", page)  # a random token may hold "P5"
    assert "(identity erased)" in page and "P5" not in page and "2001-01-15" not in page
    assert 'id="erase-identity"' not in page and "Student.IdentityErased" in page


def test_a_refused_erasure_comes_back_to_the_page_with_the_reason(world):
    _, csrf = page_of(world, "admin")
    answer = post_erase(world, csrf, confirm=LEAVER, requested_by="900002")
    assert "never+had" in answer.headers["Location"] or "never%20had" in answer.headers["Location"]
    assert world.tracker.identity_of(LEAVER)["given_name"] == "P5"


def test_the_schools_roll_reads_names_from_the_log_and_shows_none_once_erased(world):
    def leaver_on_roll():
        page = world.client.get(
            "/api/v1/schools/900001/pupils?as_of=2019-03-31", headers=world.headers("school")
        )
        return next(item for item in page.json["items"] if item["upn"] == LEAVER)

    before = leaver_on_roll()
    assert (before["given_name"], before["family_name"]) == ("P5", "Pupil")
    erase(world, "admin")
    after = leaver_on_roll()
    assert (after["given_name"], after["family_name"]) == (None, None)
    assert (
        after["benchmarks"] == before["benchmarks"] and after["year_group"] == before["year_group"]
    )
