"""A Hub Lead never sees a pupil's identity, on any GET route the app has, today or added later;
nothing the app writes down (events, views, cookies, logs) holds a raw token or a pupil's identity
where it should not.

test_hub_privacy.py scans a hand-made list of addresses; here the list is the app's own URL map,
so a new route is scanned the day it is added, and every pupil's date of birth is looked for in
the forms people write it in, not only ISO.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date

import pytest

from projections.tables import TABLES
from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in
from tests.conftest import TODAY
from tests.scenarios import PUPILS
from tracker.domain.organisation import organisation_id
from tracker.identifiers import make_upn
from tracker.usecases.access import hash_token

# Distinctive pupils at both member schools, with activities and placements, so the hub's figures
# count them and any leak of who they are is unmistakable.
ENROLLED = [
    ("900001", "Xanthippe", "Vorstenbosch", date(2007, 3, 21), 7),
    ("900001", "Ignatius", "Thistlewood", date(2003, 11, 2), 11),
    ("900002", "Perpetua", "Okonkwo-Marsh", date(2005, 6, 9), 9),
]
SECRETS = [
    {
        "urn": urn,
        "upn": make_upn("885", "4001" if urn == "900001" else "4002", 17, serial),
        "given_name": given,
        "family_name": family,
        "date_of_birth": born,
        "year_group": year_group,
    }
    for serial, (urn, given, family, born, year_group) in enumerate(ENROLLED, start=1)
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def ways_of_writing(born: date) -> list[str]:
    """A date of birth as ISO, as British forms write it, and in words."""
    return [
        born.isoformat(),
        born.strftime("%d/%m/%Y"),
        f"{born.day}/{born.month}/{born.year}",
        born.strftime("%d-%m-%Y"),
        f"{born.day} {MONTHS[born.month - 1]} {born.year}",
        f"{born.day} {MONTHS[born.month - 1][:3]} {born.year}",
    ]


IDENTITIES = sorted(
    {
        *[
            text
            for s in SECRETS
            for text in (
                s["upn"],
                s["upn"].lower(),
                s["given_name"],
                s["family_name"],
                *ways_of_writing(s["date_of_birth"]),
            )
        ],
        *[
            text
            for p in PUPILS
            for text in (p.upn, p.upn.lower(), *ways_of_writing(p.date_of_birth))
        ],
    }
)


def leaked(text: str) -> list[str]:
    return [identity for identity in IDENTITIES if identity in text]


@pytest.fixture(scope="module")
def world():
    world = make_world()
    for secret in SECRETS:
        body = {k: v for k, v in secret.items() if k != "urn"}
        enrolled = world.client.post(
            f"/api/v1/schools/{secret['urn']}/pupils",
            headers=world.headers("admin"),
            json={
                **body,
                "date_of_birth": secret["date_of_birth"].isoformat(),
                "enrolled_on": "2019-01-07",
            },
        )
        assert enrolled.status_code == 201, enrolled.json
    for urn in ("900001", "900002"):
        upns = [s["upn"] for s in SECRETS if s["urn"] == urn]
        recorded = world.client.post(
            f"/api/v1/schools/{urn}/activities",
            headers=world.headers("admin"),
            json={
                "kind": "workplace_visit",
                "title": "Visit",
                "occurred_on": "2019-02-01",
                "meaningful": True,
                "employer": {"name": "Acme"},
                "attendees": upns,
            },
        )
        assert recorded.status_code == 201, recorded.json
    arranged = world.client.post(
        "/api/v1/schools/900001/placements",
        headers=world.headers("admin"),
        json={
            "upn": SECRETS[1]["upn"],
            "kind": "work_experience",
            "employer": {"name": "Acme"},
            "starts_on": "2019-03-04",
            "ends_on": "2019-03-08",
        },
    )
    assert arranged.status_code == 201, arranged.json
    return world


# What to put in each part of a route, and which queries to ask it with: every value the hub might
# try, its own and others'.
FILLS = {
    "code": ["DEMO", "OTHER"],
    "urn": ["900001", "900002"],
    "upn": [SECRETS[0]["upn"], PUPILS[0].upn],
    "activity_id": ["{fair}"],
    "secret": ["no-such-link"],  # invitation and reset links (docs/people.md)
    "extension": ["csv"],
    "employer_id": [str(organisation_id("employer", "Acme"))],
}
QUERIES = {
    "hubs.hub_metrics": ["", "?as_of=2019-03-31", "?known_at=2019-07-15T12:00:00%2B00:00"],
    "hubs.hub_series": ["", "?year=2018/19", "?dates=2019-02-01&dates=2019-03-01"],
    "schools.school_status": [
        "",
        "?as_of=2019-03-31",
        "?year=2018/19",
        "?known_at=2019-07-15T12:00:00%2B00:00",
    ],
    "schools.school_activities": ["", "?from=2019-01-01&to=2019-07-15&limit=1000"],
    "metrics.national": ["", "?as_of=2019-03-31"],
    "audit.events": ["", f"?upn={SECRETS[0]['upn']}"],
    "dashboard.hub": ["", "?as_of=2019-03-31", "?known_at=2019-07-15T12:00"],
    "dashboard.school": ["", "?as_of=2019-03-31"],
}
# Files shipped with the app (the docs' scripts, the dashboard's assets), not answers about anyone.
FILES = {"static", "api_docs_static", "dashboard.static"}
# Where a Hub Lead is entitled to an answer, and where they must be refused.
ANSWERED = {
    "/api/v1/hubs/DEMO/metrics",
    "/api/v1/hubs/DEMO/metrics/series",
    "/api/v1/schools/900001/status",
    "/api/v1/schools/900002/activities",
    "/api/v1/schools/900001",
    "/dashboard/hubs/DEMO",
    "/dashboard/schools/900002",
}
REFUSED = {
    f"/api/v1/pupils/{SECRETS[0]['upn']}",
    f"/api/v1/pupils/{SECRETS[0]['upn']}/timeline",
    f"/api/v1/pupils/{SECRETS[0]['upn']}/export",
    "/api/v1/audit/pupil-reads",
    "/api/v1/activities/{fair}",
    "/api/v1/audit/events",
    f"/dashboard/pupils/{SECRETS[0]['upn']}",
    f"/dashboard/pupils/{PUPILS[0].upn}",
    "/dashboard/audit",
    "/dashboard/hubs/OTHER",
}


def addresses(app, fair: str) -> dict[str, list[str]]:
    """Every GET route of the app, each filled in every way FILLS allows, with its queries."""
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in FILES:
            continue
        paths = [rule.rule]
        for name in rule.arguments:
            assert name in FILLS, f"no value to try for <{name}> in {rule.rule}; add one to FILLS"
            paths = [
                re.sub(rf"<(?:\w+:)?{name}>", value, path)
                for path in paths
                for value in FILLS[name]
            ]
        found[rule.endpoint] = [
            path.replace("{fair}", fair) + query
            for path in paths
            for query in QUERIES.get(rule.endpoint, [""])
        ]
    return found


def test_no_get_route_the_app_has_tells_a_hub_lead_who_a_pupil_is(world):
    browser = world.client.application.test_client()
    sign_in(browser, world.tokens["hub"])
    statuses, leaks = {}, {}
    for paths in addresses(world.client.application, world.ids["fair"]).values():
        for path in paths:
            if path.startswith("/dashboard"):
                response = browser.get(path, follow_redirects=True)
            else:
                response = world.client.get(path, headers=world.headers("hub"))
            statuses[path] = response.status_code
            if found := leaked(response.get_data(as_text=True)):
                leaks[path] = found
    assert leaks == {}
    assert all(statuses[path] == 200 for path in ANSWERED), {p: statuses[p] for p in ANSWERED}
    refused = {path.replace("{fair}", world.ids["fair"]) for path in REFUSED}
    assert all(statuses[path] == 403 for path in refused), {p: statuses[p] for p in refused}
    assert len(statuses) >= 40  # every route, filled every way: the sweep did not quietly shrink


def test_the_sweep_would_see_a_pupil_named_or_dated_in_any_form(world):
    """What a school may see holds the identities, so the scan is looking for the right strings."""
    secret = SECRETS[0]
    answer = world.client.get(
        f"/api/v1/pupils/{secret['upn']}", headers=world.headers("school")
    ).get_data(as_text=True)
    assert {
        secret["upn"],
        secret["given_name"],
        secret["family_name"],
        secret["date_of_birth"].isoformat(),
    } <= set(leaked(answer))
    assert leaked("born 21/03/2007, or 21 March 2007") == ["21 March 2007", "21/03/2007"]


# --- small numbers --------------------------------------------------------------------------------

# Numbers in answers that are not counts of pupils: which benchmark, how many benchmarks or schools,
# a year group's number, positions in the log.
# Not counts of pupils: among them one pupil's own encounters against what a benchmark needs
# (`have`, `need`), which only the pupil's schools, auditors and admins ever see.
NOT_PUPILS = {
    "benchmark",
    "benchmarks_achieved",
    "schools",
    "wave",
    "year_group",
    "position",
    "head",
    "events",
    "version",
    "have",
    "need",
    # Employer engagement (docs/employers.md): counts of organisations, encounters, placements, and
    # of schools meeting a duty; its counts of pupils are named `pupils...` and withheld.
    "employers",
    "repeat_employers",
    "new_employers",
    "encounters",
    "placements",
    "offered",
    "schools_meeting",
    "schools_applicable",
}


def small_counts(value, path: str = "") -> list[str]:
    """Where a JSON answer holds a count of 1 to 4 pupils, or a rate over a withheld or small
    count."""
    if isinstance(value, list):
        return [
            found for i, item in enumerate(value) for found in small_counts(item, f"{path}[{i}]")
        ]
    if not isinstance(value, dict):
        return []
    found = [
        f"{path}.{key}={item}"
        for key, item in value.items()
        if key not in NOT_PUPILS and type(item) is int and 1 <= item <= 4
    ]
    if (
        "coverage" in value
        and value["coverage"] is not None
        and not (value["measured"] >= 5 and (value["met"] == 0 or value["met"] >= 5))
    ):
        found.append(f"{path}.coverage={value['coverage']} over {value['met']}/{value['measured']}")
    for b, rate in (value.get("pupil_coverage") or {}).items():
        if rate is not None and None in (value["pupils_measured"][b], value["pupils_met"][b]):
            found.append(f"{path}.pupil_coverage.{b}={rate} over a withheld total")
    return found + [
        f
        for key, item in value.items()
        if key != "suppressed"
        for f in small_counts(item, f"{path}.{key}")
    ]


def json_answers(world, who: str) -> dict[str, object]:
    """Every JSON answer (200) the caller gets from every GET route of the API, filled in every
    way."""
    answers = {}
    for paths in addresses(world.client.application, world.ids["fair"]).values():
        for path in paths:
            if path.startswith("/api/v1"):
                response = world.client.get(path, headers=world.headers(who))
                if response.status_code == 200 and response.is_json:
                    answers[path] = response.json
    return answers


def test_no_answer_a_hub_lead_can_reach_holds_a_count_of_one_to_four_pupils(world):
    answers = json_answers(world, "hub")
    assert {
        path: found for path, answer in answers.items() if (found := small_counts(answer))
    } == {}
    assert len(answers) >= 20 and "/api/v1/schools/900001/status?as_of=2019-03-31" in answers


def test_the_small_count_sweep_finds_them_in_what_an_admin_sees(world):
    """The same answers to an admin hold the exact small counts, so the sweep is looking in the
    right places."""
    answers = json_answers(world, "admin")
    found = {path for path, answer in answers.items() if small_counts(answer)}
    assert {
        "/api/v1/hubs/DEMO/metrics",
        "/api/v1/schools/900001/status",
        "/api/v1/schools/900002/activities",
        "/api/v1/metrics/national?as_of=2019-03-31",
    } <= found


def test_no_dashboard_table_shows_a_hub_lead_a_count_of_one_to_four(world):
    browser = world.client.application.test_client()
    sign_in(browser, world.tokens["hub"])
    page = browser.get("/dashboard/schools/900001?as_of=2019-03-31").get_data(as_text=True)
    tables = re.findall(
        r'<table id="(benchmarks|year-groups|activities)">(.*?)</table>', page, re.S
    )
    cells = [
        cell.strip()
        for _, table in tables
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)
    ]
    numbers = [
        int(n) for cell in cells for n in re.findall(r"^(\d+)$|^(\d+) / ", cell) for n in n if n
    ]
    assert len(tables) == 3 and "low" in cells
    assert [n for n in numbers if 1 <= n <= 4] == []


# --- tokens at rest -------------------------------------------------------------------------------


def stored_bytes(world, database_url: str, tmp_path) -> bytes:
    """Everything the stores hold: the event log, every view table, and below them the SQLite files'
    bytes or every PostgreSQL row as text (bytea shows as hex there)."""
    notifications = world.tracker.recorder.select_notifications(start=1, limit=100_000)
    store = world.client.application.extensions["tracker"].store
    held = [
        b"".join(n.state for n in notifications),
        repr([store.query(f"SELECT * FROM {{{name}}}") for name in TABLES]).encode(),
    ]
    if database_url.startswith("sqlite"):
        held += [path.read_bytes() for path in sorted(tmp_path.iterdir()) if path.is_file()]
    if database_url.startswith("postgres"):
        import psycopg

        with psycopg.connect(database_url) as connection:
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) "
                    "FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
            ]
            held += [
                str(row[0]).encode()
                for table in tables
                for row in connection.execute(f"SELECT row_to_json(t)::text FROM {table} t")
            ]
    return b"\n".join(held)


def test_tokens_are_kept_only_as_hashes_in_every_store_and_never_in_the_session_cookie(
    database_url, tmp_path
):
    world = make_world({"DATABASE_URL": database_url, "PROJECTIONS": "inline"})
    browser = world.client.application.test_client()
    sign_in(browser, world.tokens["school"])
    assert browser.get("/dashboard/schools/900001").status_code == 200
    assert (
        world.client.get("/api/v1/hubs/DEMO/metrics", headers=world.headers("hub")).status_code
        == 200
    )
    cookie = browser.get_cookie("session")
    session = world.client.application.session_interface.get_signing_serializer(
        world.client.application
    ).loads(cookie.value)
    tokens = [token for token in world.tokens.values() if token]
    for token in tokens:
        assert token not in cookie.value and token not in json.dumps(session)
    stored = stored_bytes(world, database_url, tmp_path)
    for token in tokens:
        assert token.encode() not in stored and token.encode().hex().encode() not in stored
    # The scan reads what was written: each token's hash is there, as plain text or as hex.
    hashed = hash_token(tokens[0]).encode()
    assert hashed in stored or hashed.hex().encode() in stored


# --- logs -----------------------------------------------------------------------------------------


class Lines(logging.Handler):
    """Every line the app's loggers write, formatted as they would reach the log."""

    LOGGERS = ("", "api", "api.requests", "api.errors", "werkzeug")

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def __enter__(self):
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc):
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


IMPORT = (
    "UPN,Legal Surname,Forename,DOB,NC Year\r\n"
    f"{make_upn('885', '4001', 16, 1)},Vorstenbosch,Xanthippe,21/03/2007,7\r\n"
    # refused: wrong year group
    f"{make_upn('885', '4001', 16, 2)},Thistlewood,Ignatius,02/11/2003,13\r\n"
    "NOT-A-UPN,Okonkwo-Marsh,Perpetua,09/06/2005,9\r\n"
)


def test_imports_dashboard_forms_and_refusals_log_no_pupil_data():
    world = make_world()
    browser = world.client.application.test_client()
    sign_in(browser, world.tokens["school"])
    with Lines() as lines:
        imported = world.client.post(
            "/api/v1/schools/900001/pupils/import",
            data=IMPORT,
            headers=world.headers("school", **{"Content-Type": "text/csv"}),
        )
        page = browser.get("/dashboard/schools/900001").get_data(as_text=True)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        browser.post(
            "/dashboard/schools/900001/activities",
            data={
                "csrf": csrf,
                "kind": "employer_talk",
                "title": "Talk",
                "occurred_on": "2019-02-01",
                "with": "Acme",
                "meaningful": "yes",
                "attendees": f"{make_upn('885', '4001', 16, 1)} {PUPILS[0].upn}",
            },
        )
        browser.get(f"/dashboard/pupils/{make_upn('885', '4001', 16, 1)}")
        world.client.get(
            f"/api/v1/pupils/{make_upn('885', '4001', 16, 99)}", headers=world.headers("school")
        )
    assert imported.json["accepted"] == 1 and len(imported.json["rejected"]) == 2
    assert len(lines.lines) >= 5
    identities = [make_upn("885", "4001", 16, n) for n in (1, 2, 99)] + [
        "Vorstenbosch",
        "Xanthippe",
        "Thistlewood",
        "Okonkwo",
        "21/03/2007",
        "2007-03-21",
        PUPILS[0].upn,
    ]
    assert [line for line in lines.lines if any(identity in line for identity in identities)] == []


class StoppingClock:
    """The app's clock (its TODAY setting), which can be made to fail as nothing else in the app
    expects."""

    def __init__(self, today: date):
        self.today, self.stopped = today, False

    def __call__(self) -> date:
        if self.stopped:
            raise RuntimeError("the clock stopped")
        return self.today


def test_an_unexpected_error_on_a_pupils_path_logs_their_route_not_their_upn():
    clock = StoppingClock(TODAY)
    world = make_world({"PROPAGATE_EXCEPTIONS": False, "TODAY": clock})
    upn = PUPILS[0].upn
    clock.stopped = True
    with Lines() as lines:
        response = world.client.post(
            f"/api/v1/schools/900001/pupils/{upn}/leave",
            json={"left_on": "2019-07-01"},
            headers=world.headers("school"),
        )
    assert response.status_code == 500 and response.json["message"] == "internal error"
    assert any("unhandled error" in line for line in lines.lines)
    assert [line for line in lines.lines if upn in line] == []
