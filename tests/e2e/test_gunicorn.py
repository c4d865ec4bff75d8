"""gunicorn for real (two workers), a projection worker beside it on PostgreSQL, driven over
HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench.cluster import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Client:
    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())


@contextmanager
def served(database_url: str, with_worker: bool):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "2",
        "PROJECTIONS": "worker" if with_worker else "inline",
        "SECRET_KEY": os.urandom(32).hex(),
    }
    token = json.loads(
        subprocess.run(
            [BIN / "tracker", "token", "create", "--scope", "admin", "--subject", "e2e"],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["token"]
    processes = [
        subprocess.Popen(
            [BIN / "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=environment,
            stderr=subprocess.DEVNULL,
        )
    ]
    if with_worker:
        processes.append(
            subprocess.Popen([BIN / "tracker", "project", "--poll", "0.5"], env=environment)
        )
    base = f"http://{environment['BIND']}"
    try:
        if not wait_until_up(base):
            raise RuntimeError("gunicorn did not start")
        yield Client(base, token)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


def drive(client: Client) -> None:
    assert (
        client.call("POST", "/api/v1/hubs", {"code": "E2E", "name": "E2E", "area": "A", "wave": 1})[
            0
        ]
        == 201
    )
    assert (
        client.call(
            "POST",
            "/api/v1/schools",
            {
                "urn": "900001",
                "name": "A",
                "type": "secondary",
                "la_code": "885",
                "laestab": "8854001",
            },
        )[0]
        == 201
    )
    assert (
        client.call("PUT", "/api/v1/hubs/E2E/schools/900001", {"joined_on": "2024-09-01"})[0] == 200
    )
    status, enrolled = client.call(
        "POST",
        "/api/v1/schools/900001/pupils",
        {
            "upn": "R885400112001",
            "given_name": "A",
            "family_name": "B",
            "date_of_birth": "2012-01-15",
            "year_group": 7,
            "enrolled_on": "2024-09-03",
        },
    )
    assert status == 201, enrolled
    activity = {
        "kind": "careers_fair",
        "title": "Fair",
        "occurred_on": "2024-11-15",
        "meaningful": True,
        "employer": {"name": "Acme", "size": "large"},
        "attendees": ["R885400112001"],
    }
    answers: list = []

    def send() -> None:
        answers.append(
            client.call(
                "POST",
                "/api/v1/schools/900001/activities",
                activity,
                {"Idempotency-Key": "same-moment"},
            )
        )

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({json.dumps(body) for _, body in answers}) == 1 and answers[0][0] == 201
    position = answers[0][1]["position"]
    status, metrics = client.call(
        "GET", f"/api/v1/hubs/E2E/metrics?as_of=2025-03-31&min_position={position}"
    )
    assert status == 200, metrics
    assert metrics["every_student_employer_encounters"] == 100.0
    status, page = client.call("GET", "/api/v1/audit/events?type=Activity.Recorded")
    assert len(page["items"]) == 1, "four simultaneous requests with one key stored one activity"
    assert client.call("GET", "/readyz")[1]["status"] == "ready"


def test_gunicorn_with_a_projection_worker_on_postgres(postgres_url):
    with served(postgres_url, with_worker=True) as client:
        drive(client)


def test_gunicorn_embedded_on_sqlite(tmp_path):
    with served(f"sqlite:///{tmp_path / 'e2e.sqlite3'}", with_worker=False) as client:
        drive(client)
