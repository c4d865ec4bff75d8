"""The dashboard's authorization matrix again, signed in as people instead of tokens: a person
holding a grant gets exactly what a token of that scope gets; a person with several grants gets
what any of them allows, and a Hub Lead who is also a Careers Leader still sees no pupils of
the hub's other schools."""

from __future__ import annotations

import itertools

import pytest

from tests.api.conftest import make_world
from tests.api.people import csrf_of, make_person, sign_in_person
from tests.api.test_authorization import FORM, PAGES

GRANTS = {
    "admin": ("admin",),
    "school": ("school:900001",),
    "other_school": ("school:900002",),
    "hub": ("hub:DEMO",),
    "other_hub": ("hub:OTHER",),
    "auditor": ("auditor",),
    "two_schools": ("school:900001", "school:900002"),
    "hub_and_school": ("hub:DEMO", "school:900002"),
    "disabled": ("school:900001",),
}
# What a token of each kind is allowed (tests/api/test_authorization.py's sets name token kinds).
AS_TOKENS = {
    "two_schools": ("school", "other_school"),
    "hub_and_school": ("hub", "other_school"),
}


def allowed(who: str, allowed_kinds: set[str]) -> bool:
    return any(kind in allowed_kinds for kind in AS_TOKENS.get(who, (who,)))


@pytest.mark.parametrize(
    "page, who",
    list(itertools.product(PAGES, GRANTS)),
    ids=[f"{p[0]} {p[1]} as {w}" for p, w in itertools.product(PAGES, GRANTS)],
)
def test_each_dashboard_page_answers_each_person_as_their_grants_allow(page, who):
    method, path, allowed_kinds, success = page
    world = make_world()
    email = f"{who}@example.org"
    make_person(world.tracker, email, *GRANTS[who])
    sign_in_person(world.client, world.tracker, email)
    if who == "disabled":
        world.tracker.disable_account(email, "left")
    csrf = csrf_of(world.client, "/dashboard/sign-in")
    before = world.tracker.recorder.max_notification_id()
    data = {**FORM, "activity_id": world.ids["fair"], "csrf": csrf} if method == "POST" else None
    response = world.client.open(path, method=method, data=data)
    if who == "disabled":
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/dashboard/sign-in")
    else:
        expected = success if allowed(who, allowed_kinds) else 403
        assert response.status_code == expected
    stored = world.tracker.recorder.max_notification_id() > before
    assert stored == (method == "POST" and who != "disabled" and allowed(who, allowed_kinds))


@pytest.mark.parametrize("upn, school", [("R885400112001", "900001")])
def test_a_hub_lead_who_is_a_careers_leader_sees_only_their_own_schools_pupils(upn, school):
    world = make_world()
    make_person(world.tracker, "both@example.org", "hub:DEMO", "school:900002")
    sign_in_person(world.client, world.tracker, "both@example.org")
    assert world.client.get(f"/dashboard/schools/{school}").status_code == 200  # the hub's view
    assert world.client.get(f"/dashboard/pupils/{upn}").status_code == 403
    assert world.client.get(f"/dashboard/schools/{school}/pupils").status_code == 403
