"""A Hub Lead never sees a pupil's identity, by any path; the request log never holds pupil data."""

from __future__ import annotations

import logging
import re

import pytest

from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in
from tests.scenarios import PUPILS
from tracker.identifiers import make_upn

SECRET_PUPIL = {
    "upn": "X885400112099",
    "given_name": "Zephyrine",
    "family_name": "Quillfeather",
    "date_of_birth": "2007-03-21",
    "year_group": 7,
    "enrolled_on": "2019-01-07",
}
# Every way a pupil's identity could be written out in a response.
IDENTITIES = [
    SECRET_PUPIL["upn"],
    SECRET_PUPIL["given_name"],
    SECRET_PUPIL["family_name"],
    "2007-03-21",
    "21/03/2007",
    "21 March 2007",
    *[p.upn for p in PUPILS],
    *[p.date_of_birth.isoformat() for p in PUPILS],
]

HUB_READS = [
    "/api/v1/hubs/DEMO/metrics",
    "/api/v1/hubs/DEMO/metrics?as_of=2019-03-31",
    "/api/v1/hubs/DEMO/metrics/series?year=2018/19",
    "/api/v1/metrics/national",
    "/api/v1/schools/900001",
    "/api/v1/schools/900001/status",
    "/api/v1/schools/900001/status?as_of=2019-03-31",
    "/api/v1/schools/900001/activities",
    "/api/v1/schools/900002/activities?limit=1000",
    "/readyz",
    "/api/openapi.json",
    # Refused, and the refusal must not echo the pupil back either.
    "/api/v1/pupils/X885400112099",
    "/api/v1/pupils/X885400112099/timeline",
    "/api/v1/activities/{fair}",
    "/api/v1/audit/events",
    "/api/v1/pupils/R885400112001",
    "/api/v1/pupils/X885400112099/export",
    "/api/v1/pupils/X885400112099/export?format=html",
    "/api/v1/audit/pupil-reads",
    "/api/v1/audit/pupil-reads?upn=X885400112099",
]
HUB_PAGES = [
    "/dashboard/",
    "/dashboard/hubs/DEMO",
    "/dashboard/hubs/DEMO?as_of=2019-03-31",
    "/dashboard/schools/900001",
    "/dashboard/schools/900002",
    "/dashboard/pupils/X885400112099",
    "/dashboard/pupils/R885400112001",
    "/dashboard/audit",
]


@pytest.fixture(scope="module")
def world():
    world = make_world()
    enrolled = world.client.post(
        "/api/v1/schools/900001/pupils", json=SECRET_PUPIL, headers=world.headers("school")
    )
    assert enrolled.status_code == 201
    recorded = world.client.post(
        "/api/v1/schools/900001/activities",
        headers=world.headers("school"),
        json={
            "kind": "employer_talk",
            "title": "Talk",
            "occurred_on": "2019-01-10",
            "meaningful": True,
            "employer": {"name": "Acme", "size": "large"},
            "attendees": [SECRET_PUPIL["upn"], PUPILS[0].upn],
        },
    )
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
    assert (
        statuses["/dashboard/pupils/X885400112099"] == 403 and statuses["/dashboard/audit"] == 403
    )


def test_the_scan_would_see_a_leak(world):
    """The same scan over what a school may see finds the identities, so it is looking in the right
    place."""
    page = world.client.get(
        "/api/v1/pupils/X885400112099", headers=world.headers("school")
    ).get_data(as_text=True)
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
        world.client.post(
            "/api/v1/schools/900001/pupils", json=SECRET_PUPIL, headers=school
        )  # refused: 409
        world.client.post(
            "/api/v1/schools/900001/pupils",
            json={**SECRET_PUPIL, "upn": "X88540011209"},
            headers=school,
        )  # refused: 422 naming the field, not echoing it to the log
        world.client.get(f"/api/v1/pupils/{SECRET_PUPIL['upn']}/timeline", headers=school)
        world.client.post(
            f"/api/v1/schools/900001/pupils/{SECRET_PUPIL['upn']}/leave",
            json={"left_on": "2019-06-30", "destination": "Quillfeather College"},
            headers=school,
        )
        world.client.get(f"/api/v1/pupils/{SECRET_PUPIL['upn']}?as_of=2019-03-31", headers=school)
    finally:
        for name in ("api.requests", "api.errors"):
            logging.getLogger(name).removeHandler(lines)
    assert len(lines.lines) >= 6
    assert [line for line in lines.lines if leaked(line)] == []


# --- small numbers --------------------------------------------------------------------------------


def figures(world, who: str, path: str) -> dict:
    response = world.client.get(path, headers=world.headers(who))
    assert response.status_code == 200, response.json
    return response.json


def benchmark(answer: dict, n: int, urn: str | None = None) -> dict:
    if urn is not None:
        answer = next(row for row in answer["school_rows"] if row["urn"] == urn)
    rows = answer["benchmarks"]
    return next(b for b in rows if b["benchmark"] == n)


def test_a_year_group_of_three_at_a_third_is_withheld_from_the_hub_rate_and_all():
    """metrics.md's worked example on 31 January: School A's Benchmark 6 is 1 of 3 pupils
    (33.3%)."""
    world = make_world()
    path = "/api/v1/schools/900001/status?as_of=2019-01-31"
    exact = benchmark(figures(world, "admin", path), 6)
    assert (exact["measured"], exact["met"], exact["coverage"]) == (3, 1, 33.3)
    for seen in (
        benchmark(figures(world, "hub", path), 6),
        benchmark(figures(world, "hub", "/api/v1/hubs/DEMO/metrics?as_of=2019-01-31"), 6, "900001"),
    ):
        assert (seen["measured"], seen["met"], seen["coverage"]) == (None, None, None)
        assert seen["suppressed"] == {"measured": "low", "met": "low", "coverage": "low"}
        assert (seen["achieved"], seen["applicable"]) == (
            False,
            True,
        )  # what the hub's figures are made of
    for who in ("school", "auditor"):
        assert benchmark(figures(world, who, path), 6) == exact


def test_a_hubs_shares_of_schools_are_the_same_whoever_asks():
    world = make_world()
    headline = (
        "schools",
        "every_student_employer_encounters",
        "every_student_workplace_experience",
        "mean_benchmarks_achieved",
        "pct_schools_achieving",
    )
    for as_of in ("2019-01-31", "2019-03-31", "2019-04-30"):
        path = f"/api/v1/hubs/DEMO/metrics?as_of={as_of}"
        hub, admin = figures(world, "hub", path), figures(world, "admin", path)
        assert {k: hub[k] for k in headline} == {k: admin[k] for k in headline}
        assert [r["benchmarks_achieved"] for r in hub["school_rows"]] == [
            r["benchmarks_achieved"] for r in admin["school_rows"]
        ]
    march = figures(world, "hub", "/api/v1/hubs/DEMO/metrics?as_of=2019-03-31")
    assert march["every_student_workplace_experience"] == 50.0  # metrics.md's worked example
    series = "/api/v1/hubs/DEMO/metrics/series?year=2018/19"
    assert [{k: p[k] for k in headline} for p in figures(world, "hub", series)["points"]] == [
        {k: p[k] for k in headline} for p in figures(world, "admin", series)["points"]
    ]


def enrol_many(world, urn: str, year_group: int, count: int, serial_from: int) -> list[str]:
    born = f"{2018 - year_group - 4}-01-15"
    upns = [
        make_upn("885", f"400{urn[-1]}", 18, serial)
        for serial in range(serial_from, serial_from + count)
    ]
    for upn in upns:
        enrolled = world.client.post(
            f"/api/v1/schools/{urn}/pupils",
            headers=world.headers("admin"),
            json={
                "upn": upn,
                "given_name": "Pupil",
                "family_name": upn,
                "date_of_birth": born,
                "year_group": year_group,
                "enrolled_on": "2018-09-03",
            },
        )
        assert enrolled.status_code == 201, enrolled.json
    return upns


def test_a_small_year_group_cannot_be_worked_out_from_the_schools_total_less_the_others():
    world = make_world()
    enrol_many(
        world, "900001", 9, 20, 100
    )  # School A: Year 7 has 1 pupil, Year 9 20, Year 11 2, Year 13 1
    path = "/api/v1/schools/900001/status?as_of=2019-03-31"
    exact, seen = figures(world, "admin", path), figures(world, "hub", path)
    assert benchmark(exact, 5)["measured"] == 24 and benchmark(seen, 5)["measured"] == 24
    groups = {row["year_group"]: row for row in seen["by_year_group"]}
    shown = [row["bm5_measured"] for row in groups.values() if row["bm5_measured"] is not None]
    # Year 9's 20 is withheld too: otherwise 24 less 20 would give back the three small groups' 4.
    assert groups[9]["pupils"] is None and groups[9]["suppressed"]["pupils"] == "secondary"
    assert sum(shown) == 0 and all(row["suppressed"]["bm5_measured"] for row in groups.values())


def test_national_less_non_hub_does_not_give_back_a_hub_total_withheld_from_the_hub():
    world = make_world()
    admin = world.headers("admin")
    enrol_many(world, "900001", 9, 20, 100)  # A: 24 pupils for BM5; B: 3, a low count
    registered = world.client.post(
        "/api/v1/schools",
        headers=admin,
        json={
            "urn": "900003",
            "name": "School C",
            "type": "secondary",
            "la_code": "885",
            "laestab": "8854003",
        },
    )
    assert registered.status_code == 201
    enrol_many(world, "900003", 8, 7, 1)  # in no hub: the non-hub figures
    as_of = "?as_of=2019-03-31"
    exact = figures(world, "admin", f"/api/v1/hubs/DEMO/metrics{as_of}")
    assert (
        exact["pupils_measured"]["5"],
        exact["non_hub"]["pupils_measured"]["5"],
        exact["national"]["pupils_measured"]["5"],
    ) == (27, 7, 34)
    hub = figures(world, "hub", f"/api/v1/hubs/DEMO/metrics{as_of}")
    national = figures(world, "hub", f"/api/v1/metrics/national{as_of}")
    assert (
        hub["pupils_measured"]["5"] is None
        and hub["suppressed"]["pupils_measured.5"] == "secondary"
    )
    assert hub["pupil_coverage"]["5"] is None and hub["mean_coverage"]["5"] is None
    for answer in (hub["national"], national):
        assert (
            answer["pupils_measured"]["5"] is None
            or answer["non_hub"]["pupils_measured"]["5"] is None
        )
    assert (
        hub["national"]["pupils_measured"]["5"] is None and national["pupils_measured"]["5"] is None
    )
    assert national["non_hub"]["pupils_measured"]["5"] == 7  # nothing more than needed is withheld
    assert figures(world, "admin", f"/api/v1/metrics/national{as_of}")["pupils_measured"]["5"] == 34


def test_an_activity_with_fewer_than_five_pupils_shows_the_hub_no_number_and_the_threshold_is_configurable():  # noqa: E501
    world = make_world()
    path = "/api/v1/schools/900001/activities"
    seen = figures(world, "hub", path)["items"]
    assert [(a["attendees"], a["suppressed"]) for a in seen] == [(None, {"attendees": "low"})] * 3
    assert [a["attendees"] for a in figures(world, "admin", path)["items"]] == [4, 1, 1]
    relaxed = make_world({"SMALL_NUMBER_THRESHOLD": 2})
    assert [a["attendees"] for a in figures(relaxed, "hub", path)["items"]] == [4, None, None]
    status = figures(relaxed, "hub", "/api/v1/schools/900001/status?as_of=2019-01-31")
    assert benchmark(status, 6)["measured"] == 3 and benchmark(status, 6)["met"] is None


def test_the_dashboard_shows_a_hub_lead_low_where_the_counts_are_small():
    world = make_world()
    sign_in(world.client, world.tokens["hub"])
    school = world.client.get("/dashboard/schools/900001?as_of=2019-01-31").get_data(as_text=True)
    assert re.search(r"<td>BM6</td><td>low</td><td>low</td>\s*<td>low</td>", school)
    assert 'id="withheld"' in school and "33.3%" not in school
    hub = world.client.get("/dashboard/hubs/DEMO?as_of=2019-01-31").get_data(as_text=True)
    assert "33.3%" not in hub and ">low</td>" in hub
    admin = world.client.application.test_client()
    sign_in(admin, world.tokens["admin"])
    assert "33.3%" in admin.get("/dashboard/schools/900001?as_of=2019-01-31").get_data(as_text=True)
    assert 'id="withheld"' not in admin.get("/dashboard/hubs/DEMO?as_of=2019-01-31").get_data(
        as_text=True
    )
