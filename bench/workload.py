"""A mixed workload over HTTP, and the check that nothing it was told had been written went missing.

Schools enrol pupils and record 30-pupil activities, a Hub Lead reads the hub's metrics, a school
reads its status, an auditor pages the log. Every write carries an Idempotency-Key and is sent
again with the same key when the answer is lost (connection dropped, worker killed) or is a 503,
as a careful client would; a write counts as acknowledged when a 2xx finally comes back.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable
from urllib.parse import urlsplit

from tracker.calendar import AcademicYear
from tracker.demo import CHECKS
from tracker.identifiers import make_upn

RETRYABLE = {None, 502, 503, 504}  # None: no answer at all
WRITE_ATTEMPTS = 60
# Shares of requests by type: writes and reads as a busy morning in a hub might mix them.
MIX = {
    "record_activity": 30,
    "enrol_pupil": 15,
    "hub_metrics": 25,
    "school_status": 20,
    "audit_page": 10,
}


@dataclass
class Setup:
    """Who takes part: a hub of schools with pupils on roll, and a token for each role."""

    hub: str
    rolls: dict[str, list[str]]  # school URN -> UPNs on roll
    tokens: dict[str, str]  # "hub", "auditor", and each school's URN


def prepare(
    app: Any, hub: str = "LOAD", schools: int = 3, pupils: int = 90, today: date | None = None
) -> Setup:
    """A small hub for tests: `schools` schools of `pupils` pupils each, written through the
    application."""
    today = today or app.today()
    year = AcademicYear.containing(today)
    app.register_hub(hub, f"{hub} hub", "Area", 1)
    rolls, tokens = {}, {}
    for index in range(schools):
        urn = f"{910001 + index}"
        app.register_school(urn, f"School {index}", "secondary", "885", f"885{4100 + index}")
        app.join_hub(hub, urn, year.start - timedelta(days=365))
        rolls[urn] = [
            make_upn("885", f"{4100 + index:04d}", 18, serial) for serial in range(pupils)
        ]
        app.enrol_pupils(urn, [_pupil(upn, 10, year) for upn in rolls[urn]])
        tokens[urn] = app.issue_token(f"school:{urn}", f"school {urn}")[0]
    tokens["hub"] = app.issue_token(f"hub:{hub}", "hub lead")[0]
    tokens["auditor"] = app.issue_token("auditor", "auditor")[0]
    return Setup(hub, rolls, tokens)


def setup_for(app: Any, hub: str, urns: list[str]) -> Setup:
    """Tokens and rolls for schools that already exist (the demo hub)."""
    rolls = {urn: list(app._roll(urn).spans) for urn in urns}
    tokens = {urn: app.issue_token(f"school:{urn}", f"school {urn}")[0] for urn in urns}
    tokens["hub"] = app.issue_token(f"hub:{hub}", "hub lead")[0]
    tokens["auditor"] = app.issue_token("auditor", "auditor")[0]
    return Setup(hub, rolls, tokens)


def _pupil(upn: str, year_group: int, year: AcademicYear) -> dict[str, Any]:
    return {
        "upn": upn,
        "given_name": "Load",
        "family_name": "Pupil",
        "year_group": year_group,
        "date_of_birth": date(year.start_year - year_group - 5, 1, 15),
        "enrolled_on": year.start,
    }


@dataclass
class Report:
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    activities: dict[str, str] = field(default_factory=dict)  # acknowledged: title -> activity id
    pupils: list[str] = field(default_factory=list)  # acknowledged enrolments
    attempted_titles: set[str] = field(default_factory=set)
    attempted_upns: set[str] = field(default_factory=set)
    lag: list[tuple[float, int, float]] = field(
        default_factory=list
    )  # (t, events behind, seconds behind)
    oddities: list[tuple[str, int, str]] = field(
        default_factory=list
    )  # the first few unexpected answers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def unexpected(self) -> dict[str, dict[str, int]]:
        """Answers that should never happen: anything but 2xx, 503 or a lost answer."""
        return {
            kind: {
                status: n
                for status, n in counts.items()
                if status not in ("2xx", "503", "no answer")
            }
            for kind, counts in self.statuses.items()
            if any(status not in ("2xx", "503", "no answer") for status in counts)
        }

    def summary(self) -> dict[str, Any]:
        from bench.queries import percentiles

        per_type = {
            kind: {
                "requests": len(samples),
                "per_s": round(len(samples) / self.seconds, 1),
                **percentiles(samples),
                "answers": dict(self.statuses[kind]),
            }
            for kind, samples in sorted(self.latencies.items())
        }
        behind = [events for _, events, _ in self.lag] or [0]
        seconds_behind = [s for _, _, s in self.lag] or [0.0]
        return {
            "seconds": round(self.seconds, 1),
            "requests_per_s": round(sum(len(s) for s in self.latencies.values()) / self.seconds, 1),
            "per_type": per_type,
            "acknowledged_activities": len(self.activities),
            "acknowledged_enrolments": len(self.pupils),
            "unexpected_answers": self.unexpected(),
            "first_unexpected": self.oddities,
            "projection_lag": {
                "samples": len(self.lag),
                "max_events": max(behind),
                "max_seconds": max(seconds_behind),
                "median_events": sorted(behind)[len(behind) // 2],
            },
        }


class Client:
    """One keep-alive connection, reopened whenever an answer is lost."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.connection: http.client.HTTPConnection | None = None

    def call(
        self,
        method: str,
        path: str,
        token: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int | None, Any]:
        payload = json.dumps(body, default=str).encode() if body is not None else None
        try:
            self.connection = self.connection or http.client.HTTPConnection(
                self.host, self.port, timeout=30
            )
            self.connection.request(
                method,
                path,
                payload,
                {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    **(headers or {}),
                },
            )
            response = self.connection.getresponse()
            text = response.read()
            return response.status, json.loads(text) if text else None
        except (OSError, http.client.HTTPException, json.JSONDecodeError):
            if self.connection:
                self.connection.close()
            self.connection = None
            return None, None


class Workload:
    def __init__(self, base: str, setup: Setup, today: date | None = None, seed: int = 7):
        self.base, self.setup = base, setup
        self.today = today or date.today()
        self.year = AcademicYear.containing(self.today)
        self.serials = itertools.count()
        self.seed = seed
        self.report = Report()
        self.auditor_cursor: str | None = None

    def run(
        self, seconds: float, clients: int = 8, during: Callable[[], None] | None = None
    ) -> Report:
        """Drive the mix for `seconds` from `clients` threads; `during` (a fault) runs alongside."""
        stop = threading.Event()
        threads = [
            threading.Thread(target=self._client, args=(stop, random.Random(self.seed + n)))
            for n in range(clients)
        ]
        threads.append(threading.Thread(target=self._sample_lag, args=(stop,)))
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        try:
            if during:
                during()
            stop.wait(max(0.0, seconds - (time.perf_counter() - began)))
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        self.report.seconds = time.perf_counter() - began
        return self.report

    # --- the clients ---------------------------------------------------------------------

    def _client(self, stop: threading.Event, rng: random.Random) -> None:
        client, kinds, weights = Client(self.base), list(MIX), list(MIX.values())
        while not stop.is_set():
            kind = rng.choices(kinds, weights)[0]
            getattr(self, f"_{kind}")(client, rng)

    def _record_activity(self, client: Client, rng: random.Random) -> None:
        urn = rng.choice(list(self.setup.rolls))
        roll, title = self.setup.rolls[urn], f"Load {next(self.serials)}"
        with self.report.lock:
            self.report.attempted_titles.add(title)
        answer = self._write(
            "record_activity",
            client,
            urn,
            f"/api/v1/schools/{urn}/activities",
            {
                "kind": rng.choice(["employer_talk", "careers_fair", "workplace_visit"]),
                "title": title,
                "occurred_on": self.today.isoformat(),
                "meaningful": True,
                "employer": {"name": "Load Ltd", "size": "small"},
                "criteria": CHECKS,
                "attendees": rng.sample(roll, min(30, len(roll))),
            },
        )
        if answer:
            with self.report.lock:
                self.report.activities[title] = answer["id"]

    def _enrol_pupil(self, client: Client, rng: random.Random) -> None:
        urn, serial = rng.choice(list(self.setup.rolls)), next(self.serials)
        upn = make_upn("885", f"{7000 + serial // 1000:04d}", 11, serial % 1000)
        with self.report.lock:
            self.report.attempted_upns.add(upn)
        if self._write(
            "enrol_pupil", client, urn, f"/api/v1/schools/{urn}/pupils", _pupil(upn, 9, self.year)
        ):
            with self.report.lock:
                self.report.pupils.append(upn)

    def _hub_metrics(self, client: Client, rng: random.Random) -> None:
        self._read(
            "hub_metrics",
            client,
            self.setup.tokens["hub"],
            f"/api/v1/hubs/{self.setup.hub}/metrics",
        )

    def _school_status(self, client: Client, rng: random.Random) -> None:
        urn = rng.choice(list(self.setup.rolls))
        self._read("school_status", client, self.setup.tokens[urn], f"/api/v1/schools/{urn}/status")

    def _audit_page(self, client: Client, rng: random.Random) -> None:
        after = f"&after={self.auditor_cursor}" if self.auditor_cursor else ""
        page = self._read(
            "audit_page",
            client,
            self.setup.tokens["auditor"],
            f"/api/v1/audit/events?limit=200{after}",
        )
        if page:
            self.auditor_cursor = page.get("next")  # back to the start when the end is reached

    # --- sending -------------------------------------------------------------------------

    def _write(self, kind: str, client: Client, urn: str, path: str, body: dict) -> dict | None:
        """Send until answered, with the same key each time; the answer, if it was a success."""
        key = uuid.uuid4().hex
        began = time.perf_counter()
        for attempt in range(WRITE_ATTEMPTS):
            status, answer = client.call(
                "POST", path, self.setup.tokens[urn], body, {"Idempotency-Key": key}
            )
            self._count(kind, status, answer)
            if status not in RETRYABLE:
                break
            time.sleep(min(0.05 * (attempt + 1), 0.5))
        self._time(kind, began)
        return answer if status is not None and 200 <= status < 300 else None

    def _read(self, kind: str, client: Client, token: str, path: str) -> dict | None:
        began = time.perf_counter()
        status, answer = client.call("GET", path, token)
        self._count(kind, status, answer)
        self._time(kind, began)
        return answer if status == 200 else None

    def _count(self, kind: str, status: int | None, answer: Any) -> None:
        label = "no answer" if status is None else "2xx" if 200 <= status < 300 else str(status)
        with self.report.lock:
            self.report.statuses[kind][label] += 1
            if label not in ("2xx", "503", "no answer") and len(self.report.oddities) < 20:
                self.report.oddities.append((kind, status, json.dumps(answer)[:300]))

    def _time(self, kind: str, began: float) -> None:
        with self.report.lock:
            self.report.latencies[kind].append(time.perf_counter() - began)

    def _sample_lag(self, stop: threading.Event) -> None:
        client, began = Client(self.base), time.perf_counter()
        while not stop.wait(1.0):
            status, ready = client.call("GET", "/readyz", self.setup.tokens["auditor"])
            if status == 200:
                self.report.lag.append(
                    (round(time.perf_counter() - began, 1), ready["events"], ready["seconds"])
                )


def check_log(app: Any, report: Report) -> dict[str, Any]:
    """Every acknowledged write is in the log, and nothing was stored twice."""
    from tracker.domain.base import stable_id

    recorded_titles: Counter = Counter()
    enrolments: Counter = Counter()
    start = 1
    while page := app.recorder.select_notifications(start=start, limit=5000):
        for notification in page:
            if notification.topic.endswith("Activity.Recorded"):
                recorded_titles[app.mapper.to_domain_event(notification).title] += 1
            elif notification.topic.endswith("Student.Enrolled"):
                enrolments[notification.originator_id] += 1
        start = page[-1].id + 1
    student_id = {upn: stable_id("student", upn) for upn in report.attempted_upns}
    return {
        "lost_activities": sorted(t for t in report.activities if recorded_titles[t] != 1),
        "lost_enrolments": sorted(u for u in report.pupils if enrolments[student_id[u]] != 1),
        "activities_stored_twice": sorted(
            t for t in report.attempted_titles if recorded_titles[t] > 1
        ),
        "enrolments_stored_twice": sorted(
            u for u in report.attempted_upns if enrolments[student_id[u]] > 1
        ),
    }
