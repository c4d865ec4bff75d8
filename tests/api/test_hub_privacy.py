"""A Hub Lead never sees a pupil's identity, by any path; the request log never holds pupil data."""

from __future__ import annotations

import logging

import pytest

from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in
from tests.scenarios import PUPILS

SECRET_PUPIL = {"upn": "X885400112099", "given_name": "Zephyrine", "family_name": "Quillfeather",
                "date_of_birth": "2007-03-21", "year_group": 7, "enrolled_on": "2019-01-07"}
# Every way a pupil's identity could be written out in a response.
IDENTITIES = [SECRET_PUPIL["upn"], SECRET_PUPIL["given_name"], SECRET_PUPIL["family_name"],
              "2007-03-21", "21/03/2007", "21 March 2007", *[p.upn for p in PUPILS],
              *[p.date_of_birth.isoformat() for p in PUPILS]]

HUB_READS = [
    "/api/v1/hubs/DEMO/metrics", "/api/v1/hubs/DEMO/metrics?as_of=2019-03-31",
    "/api/v1/hubs/DEMO/metrics/series?year=2018/19", "/api/v1/metrics/national",
    "/api/v1/schools/900001", "/api/v1/schools/900001/status", "/api/v1/schools/900001/status?as_of=2019-03-31",
    "/api/v1/schools/900001/activities", "/api/v1/schools/900002/activities?limit=1000",
    "/readyz", "/api/openapi.json",
    # Refused, and the refusal must not echo the pupil back either.
    "/api/v1/pupils/X885400112099", "/api/v1/pupils/X885400112099/timeline", "/api/v1/activities/{fair}",
    "/api/v1/audit/events", "/api/v1/pupils/R885400112001",
]
HUB_PAGES = ["/dashboard/", "/dashboard/hubs/DEMO", "/dashboard/hubs/DEMO?as_of=2019-03-31",
             "/dashboard/schools/900001", "/dashboard/schools/900002", "/dashboard/pupils/X885400112099",
             "/dashboard/pupils/R885400112001", "/dashboard/audit"]


@pytest.fixture(scope="module")
def world():
    world = make_world()
    enrolled = world.client.post("/api/v1/schools/900001/pupils", json=SECRET_PUPIL, headers=world.headers("school"))
    assert enrolled.status_code == 201
    recorded = world.client.post("/api/v1/schools/900001/activities", headers=world.headers("school"), json={
        "kind": "employer_talk", "title": "Talk", "occurred_on": "2019-01-10", "meaningful": True,
        "employer": {"name": "Acme", "size": "large"}, "attendees": [SECRET_PUPIL["upn"], PUPILS[0].upn]})
    assert recorded.status_code == 201
    return world


def leaked(body: str) -> list[str]:
    return [identity for identity in IDENTITIES if identity in body]


@pytest.mark.parametrize("path", HUB_READS)
def test_no_api_answer_to_a_hub_lead_holds_a_pupils_identity(world, path):
    response = world.client.get(path.format(fair=world.ids["fair"]), headers=world.headers("hub"))
    assert response.status_code in (200, 403)
    assert leaked(response.get_data(as_text=True)) == []


def test_no_dashboard_page_a_hub_lead_can_open_holds_a_pupils_identity(world):
    sign_in(world.client, world.tokens["hub"])
    statuses = {}
    for path in HUB_PAGES:
        response = world.client.get(path, follow_redirects=True)
        statuses[path] = response.status_code
        assert leaked(response.get_data(as_text=True)) == [], path
    assert statuses["/dashboard/hubs/DEMO"] == 200 and statuses["/dashboard/schools/900001"] == 200
    assert statuses["/dashboard/pupils/X885400112099"] == 403 and statuses["/dashboard/audit"] == 403


def test_the_scan_would_see_a_leak(world):
    """The same scan over what a school may see finds the identities, so it is looking in the right place."""
    page = world.client.get("/api/v1/pupils/X885400112099", headers=world.headers("school")).get_data(as_text=True)
    assert {"X885400112099", "Zephyrine", "Quillfeather", "2007-03-21"} <= set(leaked(page))


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_the_request_log_holds_no_pupil_data():
    world = make_world()
    lines = Lines()
    for name in ("api.requests", "api.errors"):
        logging.getLogger(name).addHandler(lines)
    try:
        school = world.headers("school")
        world.client.post("/api/v1/schools/900001/pupils", json=SECRET_PUPIL, headers=school)
        world.client.post("/api/v1/schools/900001/pupils", json=SECRET_PUPIL, headers=school)  # refused: 409
        world.client.post("/api/v1/schools/900001/pupils", json={**SECRET_PUPIL, "upn": "X88540011209"},
                          headers=school)  # refused: 422 naming the field, not echoing it to the log
        world.client.get(f"/api/v1/pupils/{SECRET_PUPIL['upn']}/timeline", headers=school)
        world.client.post(f"/api/v1/schools/900001/pupils/{SECRET_PUPIL['upn']}/leave",
                          json={"left_on": "2019-06-30", "destination": "Quillfeather College"}, headers=school)
        world.client.get(f"/api/v1/pupils/{SECRET_PUPIL['upn']}?as_of=2019-03-31", headers=school)
    finally:
        for name in ("api.requests", "api.errors"):
            logging.getLogger(name).removeHandler(lines)
    assert len(lines.lines) >= 6
    assert [line for line in lines.lines if leaked(line)] == []
