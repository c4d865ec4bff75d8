"""`min_position` with a projection worker that lags: the scope check waits for it too, a position
the log has not reached is a 422, views that lag too long a 503 with Retry-After; and 405s say what
is allowed."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest

from projections.runner import Runner
from tests.api.conftest import make_world
from tracker.identifiers import make_upn

LAG_SECONDS = 0.3  # how long the stand-in projection worker takes to get round to a write


@contextmanager
def lagging_worker(world):
    """What `tracker project` does, LAG_SECONDS after each request is sent; the API does not
    project."""
    services = world.client.application.extensions["tracker"]
    runner = Runner(services.tracker, services.store)
    runner.catch_up()
    timers: list[threading.Timer] = []

    def project_later() -> None:
        timers.append(threading.Timer(LAG_SECONDS, runner.catch_up))
        timers[-1].start()

    yield project_later
    for timer in timers:
        timer.join()


@pytest.fixture
def world():
    return make_world({"PROJECTIONS": "worker"})


def _enrol_new_pupil(world) -> tuple[str, int]:
    upn = make_upn("885", "4001", 18, 777)
    enrolled = world.client.post(
        "/api/v1/schools/900001/pupils",
        headers=world.headers("school"),
        json={
            "upn": upn,
            "given_name": "New",
            "family_name": "Pupil",
            "date_of_birth": "2007-01-15",
            "year_group": 7,
            "enrolled_on": "2019-07-01",
        },
    )
    assert enrolled.status_code == 201, enrolled.json
    return upn, enrolled.json["position"]


@pytest.mark.parametrize("path", ["/api/v1/pupils/{upn}", "/api/v1/pupils/{upn}/timeline"])
def test_a_school_reads_a_pupil_it_has_just_enrolled_at_the_position_the_enrolment_gave(
    world, path
):
    with lagging_worker(world) as project_later:
        upn, position = _enrol_new_pupil(world)
        project_later()
        response = world.client.get(
            f"{path.format(upn=upn)}?min_position={position}", headers=world.headers("school")
        )
    assert response.status_code == 200, response.json


def test_a_head_request_waits_for_min_position_before_the_scope_check_as_a_get_does(world):
    with lagging_worker(world) as project_later:
        upn, position = _enrol_new_pupil(world)
        project_later()
        response = world.client.head(
            f"/api/v1/pupils/{upn}?min_position={position}", headers=world.headers("school")
        )
    assert response.status_code == 200


def _join_new_school(world) -> tuple[str, int]:
    admin = world.headers("admin")
    registered = world.client.post(
        "/api/v1/schools",
        headers=admin,
        json={
            "urn": "900077",
            "name": "School N",
            "type": "secondary",
            "la_code": "885",
            "laestab": "8854077",
        },
    )
    assert registered.status_code == 201, registered.json
    joined = world.client.put(
        "/api/v1/hubs/DEMO/schools/900077", headers=admin, json={"joined_on": "2019-07-01"}
    )
    assert joined.status_code == 200, joined.json
    return "900077", joined.json["position"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/schools/{urn}", "/api/v1/schools/{urn}/status", "/api/v1/schools/{urn}/activities"],
)
def test_a_hub_reads_a_school_that_has_just_joined_it_at_the_position_the_joining_gave(world, path):
    with lagging_worker(world) as project_later:
        urn, position = _join_new_school(world)
        project_later()
        response = world.client.get(
            f"{path.format(urn=urn)}?min_position={position}", headers=world.headers("hub")
        )
    assert response.status_code == 200, response.json


def test_waiting_for_a_position_does_not_widen_a_scope(world):
    with lagging_worker(world) as project_later:
        upn, position = _enrol_new_pupil(world)
        project_later()
        other = world.client.get(
            f"/api/v1/pupils/{upn}?min_position={position}", headers=world.headers("other_school")
        )
    assert other.status_code == 403


def _head(world) -> int:
    return world.tracker.recorder.max_notification_id()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/pupils/V885400112003",
        "/api/v1/schools/900001/status",
        "/api/v1/hubs/DEMO/metrics",
        "/api/v1/metrics/national",
        "/api/v1/audit/events",
    ],
)
def test_a_position_beyond_the_log_is_a_422_naming_min_position_not_a_503_to_retry(path):
    world = make_world()
    response = world.client.get(
        f"{path}?min_position={_head(world) + 1}", headers=world.headers("admin")
    )
    assert response.status_code == 422
    assert response.json["code"] == 422 and list(response.json["errors"]["query"]) == [
        "min_position"
    ]


def test_views_that_do_not_reach_a_real_position_in_time_are_a_503_with_retry_after():
    world = make_world({"PROJECTIONS": "worker", "MIN_POSITION_WAIT_SECONDS": 0.05})
    response = world.client.get(
        f"/api/v1/metrics/national?min_position={_head(world)}", headers=world.headers("admin")
    )
    assert response.status_code == 503 and response.json["code"] == 503
    assert int(response.headers["Retry-After"]) >= 1


def test_a_method_a_path_does_not_take_is_a_405_saying_which_it_does_in_the_one_body():
    world = make_world()
    response = world.client.delete("/api/v1/schools/900001/status", headers=world.headers("admin"))
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}
    assert "DELETE" not in response.headers["Allow"]
    assert response.json["code"] == 405 and response.json["status"] == "Method Not Allowed"
