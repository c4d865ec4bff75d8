"""The employer network, willing hosts, provider access and the register as known at a past time:
the answer as known then is the one given then, however much is recorded afterwards; a hub token
keeps its withholding; a bad time is refused by name."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone

import pytest

from projections import engagement
from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in
from tests.scenarios import ADMIN, SCHOOL_A, UPN
from tracker.domain.organisation import organisation_id

ACME = str(organisation_id("employer", "Acme Engineering"))
BROOK = str(organisation_id("employer", "Brook Builders"))
COLLEGE = {"name": "Northern College", "type": "fe_college"}
YEAR = {"year": "2018/19"}
# Every read that takes known_at, as (path, query, reader allowed to read it).
READS = [
    ("/hubs/DEMO/employers", YEAR, "hub"),
    ("/hubs/DEMO/employers.csv", YEAR, "hub"),
    ("/schools/900001/employers", YEAR, "school"),
    ("/employers", YEAR, "admin"),
    (f"/employers/{ACME}", {}, "hub"),
    ("/hubs/DEMO/willing-hosts", {}, "hub"),
    ("/schools/900001/provider-access", YEAR, "school"),
    ("/hubs/DEMO/provider-access", YEAR, "hub"),
    ("/organisations", {"q": "acme"}, "admin"),
]


@pytest.fixture(params=["memory", "postgres"])
def world(request):
    if request.param == "memory":
        return make_world()
    return make_world(
        {"DATABASE_URL": request.getfixturevalue("postgres_url"), "PROJECTIONS": "inline"}
    )


def get(world, path: str, who: str = "admin", **query):
    response = world.client.get(f"/api/v1{path}", query_string=query, headers=world.headers(who))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json() if response.is_json else response.get_data(as_text=True)


def answers(world) -> dict[tuple[str, str], object]:
    """Every read's answer, each as its own reader and as an admin."""
    return {
        (path, who): get(world, path, who, **query)
        for path, query, reader in READS
        for who in {reader, "admin"}
    }


def without_known_at(answer):
    return (
        {k: v for k, v in answer.items() if k != "known_at"} if isinstance(answer, dict) else answer
    )


def a_moment_then_changes(world) -> str:
    """A time after the worked example and before everything these reads count changes: a new
    employer (registered, then merged into Acme), Acme registered, a retracted careers fair, a
    host saying yes and two provider encounters offered to the sixth form."""
    get(world, "/hubs/DEMO/employers")  # the views have caught up with the example
    time.sleep(0.01)
    moment = datetime.now(timezone.utc)
    time.sleep(0.01)
    tracker = world.tracker
    for day in (date(2019, 5, 1), date(2019, 5, 2)):
        tracker.record_activity(
            SCHOOL_A,
            "employer_talk",
            "Site visit talk",
            day,
            [UPN["p3"]],
            employer={"name": "Brook Builders", "sector": "construction"},
            meaningful=True,
            caller=ADMIN,
        )
        college = tracker.record_activity(
            SCHOOL_A,
            "fe_encounter",
            "Taster",
            day,
            [UPN["p3"], UPN["p4"]],
            provider=COLLEGE,
            meaningful=True,
            caller=ADMIN,
        )
        tracker.offer_activity(college.id, [12, 13], caller=ADMIN)
    tracker.retract_activity(world.ids["fair"], "wrong date", caller=ADMIN)
    for name in ("Brook Builders", "Acme Engineering Ltd"):
        tracker.register_organisation("employer", name, {"sector": "F"}, caller=ADMIN)
    tracker.complete_placement(
        world.ids["placement"], date(2019, 7, 15), 30, would_host="yes", caller=ADMIN
    )
    tracker.merge_organisation(BROOK, ACME, caller=ADMIN)
    return moment.isoformat()


def test_every_employer_and_provider_read_as_known_at_a_time_is_the_answer_given_then(world):
    then = answers(world)
    known_at = a_moment_then_changes(world)
    now = answers(world)
    for (path, who), answer in then.items():
        query = next(q for p, q, _ in READS if p == path)
        known = get(world, path, who, **query, known_at=known_at)
        assert now[(path, who)] != answer, (path, who)  # each read's answer did move on
        assert without_known_at(known) == without_known_at(answer), (path, who)


def test_the_hubs_figures_as_known_then_keep_their_withholding_and_say_when(world):
    known_at = a_moment_then_changes(world)
    hub = get(world, "/hubs/DEMO/employers", "hub", **YEAR, known_at=known_at)
    admin = get(world, "/hubs/DEMO/employers", **YEAR, known_at=known_at)
    assert datetime.fromisoformat(hub["known_at"]) == datetime.fromisoformat(known_at)
    assert [row["placements"] for row in admin["employers"]] == [2]
    assert [row["placements"] for row in hub["employers"]] == [None]
    assert hub["suppressed"] == {f"employers.{ACME}.placements": "low"}
    sheet = get(world, "/hubs/DEMO/employers.csv", "hub", **YEAR, known_at=known_at)
    header, acme = sheet.splitlines()[:2]
    assert "pupil" not in header and acme.split(",")[-4] == "low"
    assert get(world, "/hubs/DEMO/employers", **YEAR)["known_at"] is None


def test_a_hubs_figures_as_known_then_are_counted_once_however_often_they_are_asked(
    world, monkeypatch
):
    known_at = a_moment_then_changes(world)
    counted = []
    count = engagement.computed
    monkeypatch.setattr(
        engagement, "computed", lambda *args: counted.append(args[3]) or count(*args)
    )
    first = get(world, "/hubs/DEMO/employers", "hub", **YEAR, known_at=known_at)
    get(world, "/hubs/DEMO/employers.csv", "hub", **YEAR, known_at=known_at)
    get(world, "/hubs/DEMO/employers", "admin", **YEAR, known_at=known_at)
    assert len(counted) == 1  # the page, its download and another reader: one count
    world.tracker.record_activity(
        SCHOOL_A,
        "employer_talk",
        "After the moment",
        date(2019, 5, 3),
        [UPN["p4"]],
        employer={"name": "Cobalt Ltd", "sector": "manufacturing"},
        meaningful=True,
        caller=ADMIN,
    )
    assert get(world, "/hubs/DEMO/employers", "hub", **YEAR, known_at=known_at) == first
    assert len(counted) == 1  # a later write changes nothing known then
    later = datetime.now(timezone.utc).isoformat()
    after = get(world, "/hubs/DEMO/employers", "hub", **YEAR, known_at=later)
    assert len(counted) == 2  # a later moment is another position, counted afresh
    now = get(world, "/hubs/DEMO/employers", "hub", **YEAR)
    assert without_known_at(after) == without_known_at(now) != without_known_at(first)


def test_an_employer_merged_afterwards_is_apart_as_known_before_the_merge(world):
    known_at = a_moment_then_changes(world)
    now = get(world, f"/employers/{BROOK}")
    known = world.client.get(
        f"/api/v1/employers/{BROOK}",
        query_string={"known_at": known_at},
        headers=world.headers("admin"),
    )
    assert now["merged_into"] == ACME
    assert known.status_code == 404  # never named on anything by then


def test_known_at_before_the_hub_was_registered_its_reads_find_no_hub(world):
    early = {"known_at": "2001-01-01T00:00:00Z", **YEAR}
    for path in ("/hubs/DEMO/employers", "/hubs/DEMO/willing-hosts", "/hubs/DEMO/provider-access"):
        known = world.client.get(f"/api/v1{path}", query_string=early, headers=world.headers("hub"))
        assert known.status_code == 404, path  # not today's hub with nothing in it
        assert "hub DEMO" in known.get_data(as_text=True)
    assert get(world, "/hubs/DEMO/employers", "hub", **YEAR)["totals"]["employers"] > 0


@pytest.mark.parametrize("path,query,reader", READS)
@pytest.mark.parametrize(
    "known_at", ["yesterday", "2019-13-01T00:00:00Z", "1700-01-01T00:00:00Z", "9999-01-01T00:00Z"]
)
def test_a_bad_known_at_is_refused_by_name(path, query, reader, known_at):
    world = make_world()  # refused before any read: the store behind makes no difference
    response = world.client.get(
        f"/api/v1{path}",
        query_string={**query, "known_at": known_at},
        headers=world.headers(reader),
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "known_at" in response.get_data(as_text=True)


def test_the_dashboards_employer_pages_show_the_figures_as_known_then(world):
    known_at = a_moment_then_changes(world)
    assert sign_in(world.client, world.tokens["hub"]).status_code == 302
    page = world.client.get(
        "/dashboard/hubs/DEMO/employers", query_string={**YEAR, "known_at": known_at}
    ).get_data(as_text=True)
    now = world.client.get("/dashboard/hubs/DEMO/employers", query_string=YEAR).get_data(
        as_text=True
    )
    then = get(world, "/hubs/DEMO/employers", "hub", **YEAR, known_at=known_at)
    assert f'id="encounters">{then["totals"]["encounters"]}<' in page
    assert f'id="encounters">{then["totals"]["encounters"]}<' not in now
    assert 'id="known-at"' in page and "Brook Builders" not in page
    assert 'name="known_at"' in page  # the date form keeps the moment
    history = world.client.get(f"/dashboard/employers/{ACME}", query_string={"known_at": known_at})
    assert history.status_code == 200 and 'id="known-at"' in history.get_data(as_text=True)
    report = world.client.get(
        "/dashboard/schools/900001/provider-access", query_string={**YEAR, "known_at": known_at}
    )
    assert report.status_code == 200 and 'id="known-at"' in report.get_data(as_text=True)


@pytest.mark.parametrize(
    "page",
    [
        "/dashboard/hubs/DEMO/employers",
        f"/dashboard/employers/{ACME}",
        "/dashboard/schools/900001/provider-access",
        "/dashboard/hubs/DEMO/employers.csv",
    ],
)
def test_the_dashboards_employer_pages_refuse_a_bad_known_at(page):
    world = make_world()
    assert sign_in(world.client, world.tokens["hub"]).status_code == 302
    for bad in ("soon", "1700-01-01T00:00"):
        response = world.client.get(page, query_string={"known_at": bad})
        assert response.status_code == 400 and "known_at" in response.get_data(as_text=True)
