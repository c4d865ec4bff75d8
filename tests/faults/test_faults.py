"""Faults under load, against gunicorn (2 workers) and a projection worker on PostgreSQL.

In every case: only 503s (or a lost answer, which the client sends again with its Idempotency-Key)
while something is away; recovery without restarting anything; no acknowledged write lost; no
write stored twice; views equal to a rebuild. The longer version of each is `python -m bench.load
--fault …` (see docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from datetime import date

import pytest

from bench.cluster import Cluster
from bench.load import all_at_once, restarts_at_once, verify, wait_for_views
from bench.workload import Client, Workload, check_log, prepare
from tracker.application import Tracker
from tracker.demo import CHECKS

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
LOAD_SECONDS = 12


@pytest.fixture
def served(postgres_url):
    app = Tracker.from_url(postgres_url)
    setup = prepare(app)
    with Cluster(postgres_url) as cluster:
        yield app, setup, cluster


def load_with(fault, served) -> dict:
    """The mixed workload for a few seconds, `fault` injected a third of the way in."""
    app, setup, cluster = served
    wait_for_views(
        cluster, setup.tokens["auditor"]
    )  # the set-up's own events first, before any load
    workload = Workload(cluster.base, setup)

    def inject() -> None:
        time.sleep(LOAD_SECONDS / 3)
        fault(cluster)

    report = workload.run(LOAD_SECONDS, clients=6, during=inject)
    wait_for_views(cluster, setup.tokens["auditor"])
    return {"report": report, "log": check_log(app, report), "verify": verify(cluster.database_url)}


def assert_nothing_lost_or_doubled(outcome: dict) -> None:
    report = outcome["report"]
    assert report.unexpected() == {}, (report.oddities, report.summary())
    assert report.activities and report.pupils, "writes were acknowledged during the run"
    assert outcome["log"] == {
        "lost_activities": [],
        "lost_enrolments": [],
        "activities_stored_twice": [],
        "enrolments_stored_twice": [],
    }
    assert outcome["verify"]["exit_status"] == 0, outcome["verify"]


def test_gunicorn_workers_killed_under_load(served):
    killed = []
    outcome = load_with(
        lambda cluster: [
            killed.append(cluster.kill_web_worker()),
            time.sleep(2),
            killed.append(cluster.kill_web_worker()),
        ],
        served,
    )
    assert_nothing_lost_or_doubled(outcome)
    assert not set(killed) & set(served[2].web_worker_pids()), (
        "the master replaced the killed workers"
    )


def test_the_projection_worker_killed_mid_page_under_load(served):
    outcome = load_with(
        lambda cluster: [
            cluster.kill_projector(restart_after=0.5),
            time.sleep(1),
            cluster.kill_projector(restart_after=0.5),
        ],
        served,
    )
    assert_nothing_lost_or_doubled(outcome)


def test_the_database_away_under_load_gives_only_503s_and_recovers_by_itself(served):
    app, setup, cluster = served
    projector, master = cluster.projector.pid, cluster.gunicorn.pid

    def away(cluster: Cluster) -> None:
        with cluster.database_away():
            time.sleep(3)

    outcome = load_with(away, served)
    assert_nothing_lost_or_doubled(outcome)
    assert (cluster.projector.pid, cluster.gunicorn.pid) == (projector, master), (
        "nothing was restarted"
    )
    assert cluster.projector.poll() is None and cluster.gunicorn.poll() is None
    status, _ = Client(cluster.base).call(
        "GET", f"/api/v1/hubs/{setup.hub}/metrics", setup.tokens["hub"]
    )
    assert status == 200


needs_restartable_postgres = pytest.mark.skipif(
    not (shutil.which("pg_ctlcluster") and os.path.isdir("/etc/postgresql") and os.geteuid() == 0),
    reason="restarting PostgreSQL needs Debian's pg_ctlcluster and root; "
    "the database-away tests cover the same behaviour",
)


@needs_restartable_postgres
def test_postgresql_restarted_under_load(served):
    outcome = load_with(lambda cluster: cluster.restart_postgres(), served)
    assert_nothing_lost_or_doubled(outcome)


def test_faults_at_the_same_moment_a_worker_and_the_projector_killed_while_the_database_is_away(
    served,
):
    cluster = served[2]
    master, workers = cluster.gunicorn.pid, set(cluster.web_worker_pids())
    faults: list[dict] = []
    outcome = load_with(lambda cluster: faults.append(all_at_once(cluster, away_seconds=3)), served)
    assert_nothing_lost_or_doubled(outcome)
    assert (
        faults[0]["killed_pid"] in workers
        and faults[0]["killed_pid"] not in cluster.web_worker_pids()
    )
    assert cluster.gunicorn.pid == master and cluster.gunicorn.poll() is None
    assert cluster.projector.poll() is None, (
        "the projection worker started without a database and waited for it"
    )


@needs_restartable_postgres
def test_everything_restarting_at_once_every_worker_the_projector_and_postgresql(served):
    cluster = served[2]
    master = cluster.gunicorn.pid
    faults: list[dict] = []
    outcome = load_with(lambda cluster: faults.append(restarts_at_once(cluster)), served)
    assert_nothing_lost_or_doubled(outcome)
    assert len(faults[0]["killed_pids"]) == 2 and not set(faults[0]["killed_pids"]) & set(
        cluster.web_worker_pids()
    )
    assert len(cluster.web_worker_pids()) == 2, "gunicorn replaced both workers"
    assert cluster.gunicorn.pid == master and cluster.gunicorn.poll() is None
    assert cluster.projector.poll() is None


def _activity(title: str, setup) -> tuple[str, dict]:
    urn = next(iter(setup.rolls))
    return urn, {
        "kind": "employer_talk",
        "title": title,
        "occurred_on": date.today().isoformat(),
        "meaningful": True,
        "employer": {"name": "Drop Ltd", "size": "small"},
        "criteria": CHECKS,
        "attendees": setup.rolls[urn][:30],
    }


def _send_and_hang_up(
    cluster: Cluster, path: str, token: str, key: str, body: bytes, send: int
) -> None:
    """Send the request (or its first `send` bytes of body) and close without reading any answer."""
    host, port = cluster.bind.split(":")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {cluster.bind}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nIdempotency-Key: {key}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(head.encode() + body[:send])


def _recorded(app: Tracker, title: str) -> int:
    return sum(
        1
        for n in app.recorder.select_notifications(start=1, limit=100_000)
        if n.topic.endswith("Activity.Recorded") and app.mapper.to_domain_event(n).title == title
    )


@pytest.mark.parametrize("cut", ["after the whole request", "halfway through the body"])
def test_a_write_whose_connection_drops_is_sent_again_with_its_key_and_stored_once(served, cut):
    app, setup, cluster = served
    urn, activity = _activity(f"Dropped {cut}", setup)
    path, token, body = (
        f"/api/v1/schools/{urn}/activities",
        setup.tokens[urn],
        json.dumps(activity).encode(),
    )
    _send_and_hang_up(
        cluster,
        path,
        token,
        "dropped-1",
        body,
        len(body) if cut.startswith("after") else len(body) // 2,
    )
    answers = []
    retries = [
        threading.Thread(
            target=lambda: answers.append(
                Client(cluster.base).call(
                    "POST", path, token, activity, {"Idempotency-Key": "dropped-1"}
                )
            )
        )
        for _ in range(2)
    ]
    for thread in retries:
        thread.start()
    for thread in retries:
        thread.join()
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    time.sleep(0.5)  # let the first, hung-up request finish if it is still running
    assert _recorded(app, activity["title"]) == 1
