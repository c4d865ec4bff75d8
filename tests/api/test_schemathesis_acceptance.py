"""Generated valid reads are accepted: every GET whose input rules the OpenAPI document states
answers a request built from the document with 2xx, or 401, 403, 404 or 409 (api.md) - never a 422,
never a 5xx.

What a valid request is, per endpoint (each as an admin, who may read everything):

* `/pupils/{upn}`, `/timeline`, `/export`: a UPN of the documented shape. Its check letter is a rule
  no pattern can state, and a read does not check it: a UPN of the right shape that fails it names
  no pupil, so the record and the export answer 404 and the timeline an empty page.
* `/schools/{urn}/...`: a URN of the documented shape (100000 to 999999); one not registered is 404.
* `/hubs/{code}/...`: a code of the documented shape; one not registered (codes are kept
  upper-cased, so also a lower-cased one) is 404.
* `/activities/{activity_id}`: a UUID; one that names no activity is 404.
* `/audit/events`, `/audit/pupil-reads`: their filters (a URN, a UPN, an event type) and positions.
* `/metrics/national`: `as_of` and `known_at`, as a hub's and a school's figures.
* Dates and moments in the years the tracker deals in, year groups, benchmarks and limits in their
  bounds.

Each endpoint is asked with generated identifiers (mostly unknown: the 404 path) and with the worked
example's (the same query parameters, answered by a real pupil, school or hub).

Rules no schema can state, and what is done about each (never a looser check):

* `min_position` must not pass the event log's last position, which moves with every write: a
  generated one past it is brought to it.
* An academic year's second part is the year after its first (`2019/20`, not `2019/21`): a generated
  year (`year`, `cohort`, `since`) keeps its first part and is given the right second.
* `after` on a school's activities is a cursor a previous page gave: it is left out.

Left out: `/audit/verify` (no input; it rebuilds every view from the log).
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from api import formats
from tests.api.conftest import make_world
from tests.scenarios import PUPILS, SCHOOL_A
from tracker.domain.organisation import organisation_id
from tracker.errors import InvalidUPN
from tracker.identifiers import validate_upn

WORLD = make_world({"MIN_POSITION_WAIT_SECONDS": 0.01, "PROPAGATE_EXCEPTIONS": False})
ACCEPTED = ["2xx", 401, 403, 404, 409]  # api.md: 409 where a rule of the domain refuses
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"mode": "positive"},
        "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
    }
)
LEFT_OUT = {"/api/v1/audit/verify"}  # the module's docstring says why
schema = (
    schemathesis.openapi.from_wsgi("/api/openapi.json", WORLD.client.application, config=CONFIG)
    .include(method="GET", path_regex=r"^/api/v1/")
    .exclude(path=sorted(LEFT_OUT))
)

KNOWN = {
    "upn": PUPILS[0].upn,
    "urn": SCHOOL_A,
    "code": "DEMO",
    "activity_id": WORLD.ids["fair"],
    "employer_id": str(organisation_id("employer", "Acme Engineering")),
    "extension": "csv",  # a download's kind: the document lists csv and xlsx
}
HEAD = WORLD.tracker.recorder.max_notification_id()
ACADEMIC_YEARS = ("year", "cohort", "since")
answered: Counter = Counter()


def within_the_unstatable_rules(case) -> None:
    """Bring a generated request within the rules its schema cannot state (the module's
    docstring)."""
    query = case.query if isinstance(case.query, dict) else {}
    if "min_position" in query:
        query["min_position"] = min(int(query["min_position"]), HEAD)
    for name in [name for name in ACADEMIC_YEARS if isinstance(query.get(name), str)]:
        first = int(query[name][:4])
        query[name] = f"{first}/{(first + 1) % 100:02d}"
    if case.operation.path == "/api/v1/schools/{urn}/activities":
        query.pop("after", None)


@pytest.mark.parametrize("identifiers", ["generated", "known"])
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_generated_valid_read_is_accepted(case, identifiers):
    if identifiers == "known":
        case.path_parameters = {name: KNOWN[name] for name in case.path_parameters or {}}
    within_the_unstatable_rules(case)
    response = case.call(headers=WORLD.headers("admin"))
    answered[(case.operation.path, identifiers, response.status_code // 100)] += 1
    case.validate_response(
        response,
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.positive_data_acceptance,
        ],
    )


def test_the_generated_reads_reached_a_real_pupil_school_hub_and_activity():
    """The run above asked about something that exists, not only about nothing (it counts the
    answers)."""
    if not answered:
        pytest.skip("counts the answers to the generated reads above: run it with them")
    paths = WORLD.client.get("/api/openapi.json").json["paths"]
    reads = {
        path
        for path, operations in paths.items()
        if "get" in operations and path.startswith("/api/v1/")
    }
    assert {path for path, _, _ in answered} == reads - LEFT_OUT
    assert {
        path for path, identifiers, status in answered if (identifiers, status) == ("known", 2)
    } == reads - LEFT_OUT


def test_a_upn_of_the_right_shape_but_the_wrong_check_letter_is_no_pupil():
    upn = PUPILS[0].upn
    wrong = next(letter for letter in "ABC" if letter != upn[0]) + upn[1:]
    assert re.fullmatch(formats.UPN["pattern"], wrong)
    with pytest.raises(InvalidUPN, match="check letter"):
        validate_upn(wrong)
    for path in (f"/api/v1/pupils/{wrong}", f"/api/v1/pupils/{wrong}/export"):
        response = WORLD.client.get(path, headers=WORLD.headers("admin"))
        assert response.status_code == 404 and response.json["code"] == 404, response.text


def test_national_figures_are_offered_known_at_and_refuse_a_time_that_is_not_one():
    parameters = WORLD.client.get("/api/openapi.json").json["paths"]["/api/v1/metrics/national"][
        "get"
    ]["parameters"]
    assert {parameter["name"] for parameter in parameters} == {"min_position", "as_of", "known_at"}
    answered = WORLD.client.get(
        "/api/v1/metrics/national?known_at=2019-03-31T12:00:00Z", headers=WORLD.headers("admin")
    )
    assert answered.status_code == 200 and answered.json["known_at"], answered.text
    for known_at in ("yesterday", ""):
        response = WORLD.client.get(
            f"/api/v1/metrics/national?known_at={known_at}", headers=WORLD.headers("admin")
        )
        assert response.status_code == 422 and "known_at" in response.json["errors"]["query"], (
            known_at
        )
