"""Every endpoint × every kind of caller gets exactly the status the contract says."""

from __future__ import annotations

import itertools
import re

import pytest

from tests.api.conftest import make_world

CALLERS = ("admin", "school", "other_school", "hub", "other_hub", "auditor", "revoked", "nobody")
OK = {"admin", "school"}
ADMIN = {"admin"}
READ_SCHOOL = {"admin", "school", "hub", "auditor"}
READ_HUB = {"admin", "hub", "auditor"}
READ_PUPIL = {"admin", "school", "auditor"}
AUDIT = {"admin", "auditor"}
EVERYONE = {"admin", "school", "other_school", "hub", "other_hub", "auditor"}
PUPIL = {
    "upn": "X885400112099",
    "given_name": "New",
    "family_name": "Pupil",
    "date_of_birth": "2007-01-15",
    "year_group": 7,
    "enrolled_on": "2019-01-07",
}
ACTIVITY = {
    "kind": "employer_talk",
    "title": "Talk",
    "occurred_on": "2019-01-10",
    "employer": {"name": "Acme", "size": "large"},
    "meaningful": True,
    "attendees": ["R885400112001"],
}

# (method, path, json body, callers allowed, success status); {fair} and {placement} are filled in.
ENDPOINTS = [
    ("POST", "/api/v1/hubs", {"code": "NEW", "name": "New", "area": "A", "wave": 3}, ADMIN, 201),
    ("PUT", "/api/v1/hubs/OTHER/schools/900001", {"joined_on": "2019-01-01"}, set(), 409),
    ("POST", "/api/v1/hubs/DEMO/schools/900001/leave", {"left_on": "2019-06-30"}, ADMIN, 200),
    (
        "POST",
        "/api/v1/schools",
        {
            "urn": "900009",
            "name": "New",
            "type": "secondary",
            "la_code": "885",
            "laestab": "8854009",
        },
        ADMIN,
        201,
    ),
    ("POST", "/api/v1/schools/900001/rollover", {"year": "2019/20"}, OK, 200),
    (
        "POST",
        "/api/v1/schools/900001/pupils/F885400112002/destination",
        {"destination": "fe_college", "recorded_on": "2019-03-01"},
        OK,
        200,
    ),
    ("GET", "/api/v1/schools/900001/destinations", None, READ_SCHOOL, 200),
    ("GET", "/api/v1/hubs/DEMO/destinations", None, READ_HUB, 200),
    ("GET", "/api/v1/hubs/DEMO/metrics/years", None, READ_HUB, 200),
    ("GET", "/api/v1/schools/900001/pupils?year_group=11&not_met=6", None, READ_PUPIL, 200),
    ("GET", "/api/v1/schools/900001/metrics/years", None, READ_SCHOOL, 200),
    (
        "PUT",
        "/api/v1/schools/900002/year-groups",
        {"first_year_group": 7, "last_year_group": 13, "from_year": "2019/20"},
        ADMIN,
        200,
    ),
    ("POST", "/api/v1/schools/900001/pupils", PUPIL, OK, 201),
    ("POST", "/api/v1/schools/900001/pupils/F885400112002/leave", None, set(), 422),
    (
        "POST",
        "/api/v1/schools/900001/pupils/R885400112001/leave",
        {"left_on": "2019-06-30"},
        OK,
        200,
    ),
    ("POST", "/api/v1/schools/900001/activities", ACTIVITY, OK, 201),
    ("POST", "/api/v1/activities/{fair}/attendees", {"add": ["Y885400112005"]}, OK, 200),
    ("POST", "/api/v1/activities/{fair}/amend", {"title": "Renamed", "reason": "typo"}, OK, 200),
    ("POST", "/api/v1/activities/{fair}/retract", {"reason": "wrong date"}, OK, 200),
    (
        "POST",
        "/api/v1/schools/900001/placements",
        {
            "upn": "J885400112004",
            "kind": "work_experience",
            "employer": {"name": "Acme"},
            "starts_on": "2019-07-01",
            "ends_on": "2019-07-05",
        },
        OK,
        201,
    ),
    (
        "POST",
        "/api/v1/placements/{placement}/confirm",
        {"checks": {"safeguarding": True, "risk_assessment": True}},
        OK,
        200,
    ),
    (
        "POST",
        "/api/v1/placements/{placement}/complete",
        {"completed_on": "2019-07-15", "hours": 30},
        OK,
        200,
    ),
    ("POST", "/api/v1/placements/{placement}/cancel", {"reason": "illness"}, OK, 200),
    (
        "POST",
        "/api/v1/schools/900001/benchmarks/1/criteria/1.1",
        {"met": True, "evidence": "published"},
        OK,
        200,
    ),
    (
        "POST",
        "/api/v1/pupils/R885400112001/year-group",
        {"year_group": 7, "year": "2018/19"},
        OK,
        200,
    ),
    # An admin's request is refused by the rule (the pupil is on roll): scopes are checked first.
    (
        "POST",
        "/api/v1/pupils/F885400112002/erase",
        {"requested_by": "900001", "reason": "asked"},
        ADMIN,
        422,
    ),
    ("GET", "/api/v1/pupils/R885400112001", None, READ_PUPIL, 200),
    ("GET", "/api/v1/pupils/R885400112001/timeline", None, READ_PUPIL, 200),
    ("GET", "/api/v1/schools/900001/status?as_of=2019-03-31", None, READ_SCHOOL, 200),
    ("GET", "/api/v1/schools/900001/activities", None, READ_SCHOOL, 200),
    ("GET", "/api/v1/schools/900001", None, READ_SCHOOL, 200),
    ("GET", "/api/v1/activities/{fair}", None, READ_PUPIL, 200),  # attendee lists: never for hubs
    ("GET", "/api/v1/hubs/DEMO/metrics?as_of=2019-03-31", None, READ_HUB, 200),
    ("GET", "/api/v1/hubs/DEMO/metrics/series?year=2018/19", None, READ_HUB, 200),
    ("GET", "/api/v1/metrics/national", None, EVERYONE, 200),
    ("GET", "/api/v1/audit/events", None, AUDIT, 200),
    ("GET", "/api/v1/audit/verify", None, AUDIT, 200),
    # A subject access export is for the school holding the pupil now (or last): p2 moved from A to
    # B.
    ("GET", "/api/v1/pupils/R885400112001/export", None, READ_PUPIL, 200),
    ("GET", "/api/v1/pupils/F885400112002/export", None, {"admin", "other_school", "auditor"}, 200),
    (
        "GET",
        "/api/v1/pupils/F885400112002/export?format=html",
        None,
        {"admin", "other_school", "auditor"},
        200,
    ),
    ("GET", "/api/v1/audit/pupil-reads", None, AUDIT, 200),
    ("GET", "/api/v1/audit/access?school=900001&on=2019-03-01", None, AUDIT, 200),
    ("GET", "/api/v1/audit/pupil-reads?upn=R885400112001", None, READ_PUPIL, 200),
    (
        "GET",
        "/api/v1/audit/pupil-reads?upn=F885400112002",
        None,
        {"admin", "other_school", "auditor"},
        200,
    ),
]


def expected(allowed: set[str], success: int, caller: str, method: str, path: str) -> int:
    if caller in ("revoked", "nobody"):
        return 401
    if caller in allowed:
        return success
    if not allowed and caller == "admin":
        return success  # a rule, not the scope, refuses it
    if not allowed and caller == "school" and "/hubs/" not in path:
        return success
    return 403


@pytest.mark.parametrize(
    "endpoint, caller",
    list(itertools.product(ENDPOINTS, CALLERS)),
    ids=[f"{e[0]} {e[1]} as {c}" for e, c in itertools.product(ENDPOINTS, CALLERS)],
)
def test_each_endpoint_answers_each_caller_as_the_contract_says(endpoint, caller):
    method, path, body, allowed, success = endpoint
    world = make_world()
    url = path.format(fair=world.ids["fair"], placement=world.ids["placement"])
    before = world.tracker.recorder.max_notification_id()
    response = world.client.open(url, method=method, json=body, headers=world.headers(caller))
    assert response.status_code == expected(allowed, success, caller, method, path), response.json
    assert (
        set(response.json) >= {"code", "status", "message"} if response.status_code >= 400 else True
    )
    if response.status_code >= 400:
        assert world.tracker.recorder.max_notification_id() == before, (
            "a refused request stored nothing"
        )


IMPORT_CSV = (
    "upn,given_name,family_name,date_of_birth,year_group\nX885400112099,New,Pupil,2007-01-15,7\n"
)


@pytest.mark.parametrize("caller", CALLERS)
def test_importing_pupils_answers_each_caller_as_the_contract_says(caller):
    world = make_world()
    before = world.tracker.recorder.max_notification_id()
    response = world.client.post(
        "/api/v1/schools/900001/pupils/import",
        data=IMPORT_CSV,
        headers=world.headers(caller, **{"Content-Type": "text/csv"}),
    )
    assert response.status_code == expected(OK, 200, caller, "POST", "/schools/"), response.json
    if response.status_code != 200:
        assert world.tracker.recorder.max_notification_id() == before


# Dashboard pages: (method, path, callers allowed, success status). Signed-out callers are sent to
# sign in.
PAGES = [
    ("GET", "/dashboard/hubs/DEMO", READ_HUB, 200),
    ("GET", "/dashboard/schools/900001", READ_SCHOOL, 200),
    ("GET", "/dashboard/pupils/R885400112001", READ_PUPIL, 200),
    ("GET", "/dashboard/audit", AUDIT, 200),
    ("POST", "/dashboard/schools/900001/activities", OK, 302),
    ("POST", "/dashboard/schools/900001/corrections", OK, 302),
    ("POST", "/dashboard/pupils/R885400112001/year-group", OK, 302),
]
FORM = {
    "kind": "employer_talk",
    "title": "Talk",
    "occurred_on": "2019-01-10",
    "with": "Acme",
    "meaningful": "yes",
    "attendees": "R885400112001",
    "action": "add",
    "upns": "Y885400112005",
    "year_group": "8",
    "year": "2018/19",
}


@pytest.mark.parametrize(
    "page, caller",
    list(itertools.product(PAGES, CALLERS)),
    ids=[f"{p[0]} {p[1]} as {c}" for p, c in itertools.product(PAGES, CALLERS)],
)
def test_each_dashboard_page_answers_each_caller_as_its_scope_allows(page, caller):
    from tests.api.test_dashboard import sign_in

    method, path, allowed, success = page
    world = make_world()
    if world.tokens[caller]:
        sign_in(world.client, world.tokens[caller])
    csrf = re.search(
        r'name="csrf" value="([^"]+)"',
        world.client.get("/dashboard/sign-in").get_data(as_text=True),
    )
    before = world.tracker.recorder.max_notification_id()
    response = world.client.open(
        path,
        method=method,
        data={**FORM, "activity_id": world.ids["fair"], "csrf": csrf.group(1)}
        if method == "POST"
        else None,
    )
    if caller in ("revoked", "nobody"):
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/dashboard/sign-in"
        )
    else:
        assert response.status_code == (success if caller in allowed else 403)
    stored = world.tracker.recorder.max_notification_id() > before
    assert stored == (method == "POST" and caller in allowed), (
        "allowed forms store; refused ones store nothing"
    )


@pytest.mark.parametrize("as_of, member", [("2018-06-30", False), ("2019-03-31", True)])
def test_the_dashboard_answers_a_hub_asking_for_a_school_on_a_date_as_the_api_does(as_of, member):
    # School A joined the hub on 2018-09-01: its figures from before then are not the hub's to see.
    from tests.api.test_dashboard import sign_in

    world = make_world()
    api = world.client.get(
        f"/api/v1/schools/900001/status?as_of={as_of}", headers=world.headers("hub")
    )
    sign_in(world.client, world.tokens["hub"])
    page = world.client.get(f"/dashboard/schools/900001?as_of={as_of}")
    assert api.status_code == page.status_code == (200 if member else 403)
