"""Transfers through the API on every store: no oracle, a per-token limit, and each school's own
view.

School A (token "school") holds P1 and the pupils of the worked example; school B ("other_school")
is the school reaching for them. docs/transfers.md says what every answer may reveal.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in
from tests.scenarios import PUPILS, SCHOOL_A, SCHOOL_B, UPN

P1, P3 = (
    PUPILS[0],
    PUPILS[2],
)  # on roll at school A: "P1 Pupil" born 2007-01-15, "P3 Pupil" born 2003-01-15
NEW_UPN = "X885400112099"
LIMIT = 3


def world_on(database_url: str, **config):
    return make_world({"DATABASE_URL": database_url, "PROJECTIONS": "inline", **config})


@pytest.fixture
def world(database_url):
    return world_on(database_url)


def pupil(
    upn: str = P1.upn,
    family: str = "Pupil",
    born: str = "2007-01-15",
    on: str = "2019-03-04",
    given: str = "Someone",
    year_group: int = 7,
    **flags,
) -> dict:
    return {
        "upn": upn,
        "given_name": given,
        "family_name": family,
        "date_of_birth": born,
        "year_group": year_group,
        "enrolled_on": on,
        **flags,
    }


def enrol(
    world, urn: str = SCHOOL_B, who: str = "other_school", headers: dict | None = None, **changes
):
    return world.client.post(
        f"/api/v1/schools/{urn}/pupils",
        json=pupil(**changes),
        headers=headers or world.headers(who),
    )


def answer(response) -> tuple[int, dict]:
    return response.status_code, response.json


def leave(world, upn: str = P1.upn, on: str = "2019-03-01", destination: str | None = None) -> None:
    response = world.client.post(
        f"/api/v1/schools/{SCHOOL_A}/pupils/{upn}/leave",
        json={"left_on": on, "destination": destination},
        headers=world.headers("school"),
    )
    assert response.status_code == 200, response.json


def current_school(world, upn: str = P1.upn) -> str | None:
    return world.client.get(f"/api/v1/pupils/{upn}", headers=world.headers("auditor")).json[
        "current_school"
    ]


def import_csv(world, rows: list[dict], who: str = "other_school") -> dict:
    lines = ["upn,given_name,family_name,date_of_birth,year_group,enrolled_on"] + [
        ",".join(
            str(row[k])
            for k in (
                "upn",
                "given_name",
                "family_name",
                "date_of_birth",
                "year_group",
                "enrolled_on",
            )
        )
        for row in rows
    ]
    response = world.client.post(
        f"/api/v1/schools/{SCHOOL_B}/pupils/import",
        data="\n".join(lines) + "\n",
        headers=world.headers(who, **{"Content-Type": "text/csv"}),
    )
    assert response.status_code == 200, response.json
    return response.json


# --- the oracle is gone ----------------------------------------------------------------------


def test_every_refusal_of_another_schools_pupil_is_one_answer_naming_no_school_or_date(world):
    on_roll = [enrol(world), enrol(world, born="2007-01-16"), enrol(world, family="Smith")]
    leave(world)
    left = [
        enrol(world, born="2007-01-16"),
        enrol(world, family="Smith"),
        enrol(world, on="2019-02-28"),
    ]
    answers = [answer(response) for response in on_roll + left]
    assert all(a == answers[0] for a in answers), answers
    status, body = answers[0]
    assert status == 409 and list(body["errors"]["json"]) == ["upn"]
    for secret in (SCHOOL_A, "School A", "2018-09-03", "2019-03-01", "2007-01-15", "different"):
        assert secret not in str(body)
    assert current_school(world) is None, "nothing was enrolled"


def test_an_unknown_upn_is_simply_enrolled_and_the_schools_own_pupil_gets_a_specific_answer(world):
    assert enrol(world, upn=NEW_UPN).status_code == 201
    again = enrol(world, upn=NEW_UPN, born="2007-02-01", family="Other")
    assert (
        again.status_code == 409
        and "already on roll at this school since 2019-03-04" in again.json["message"]
    )


def test_a_left_pupil_cannot_be_taken_over_without_their_full_identity(world):
    leave(world, destination="moved_away")
    assert enrol(world, family="Smith").status_code == 409  # the right date of birth alone
    assert enrol(world, born="2007-01-16").status_code == 409  # the right family name alone
    assert (
        world.client.get(
            f"/api/v1/pupils/{P1.upn}", headers=world.headers("other_school")
        ).status_code
        == 403
    )
    assert (
        world.client.get(
            f"/api/v1/pupils/{P1.upn}/timeline", headers=world.headers("other_school")
        ).status_code
        == 403
    )
    assert current_school(world) is None


def test_a_pupil_who_left_is_transferred_with_their_full_identity_however_it_is_spelled(world):
    leave(world)
    written = enrol(world, family="  PUPIL ", given="Paddy")
    assert written.status_code == 201, written.json
    record = world.client.get(
        f"/api/v1/pupils/{P1.upn}", headers=world.headers("other_school")
    ).json
    assert (record["current_school"], record["given_name"], record["family_name"]) == (
        SCHOOL_B,
        "Paddy",
        "PUPIL",
    )


def test_an_import_gives_each_row_the_same_refusal_and_counts_towards_the_limit(database_url):
    world = world_on(database_url, TRANSFER_ATTEMPTS_PER_HOUR=LIMIT)
    leave(world)
    first = import_csv(
        world,
        [
            pupil(family="Smith"),  # left, the wrong family name
            pupil(upn=P3.upn, born="2003-01-15", year_group=11),  # on roll at A, the full identity
            pupil(
                upn=UPN["p4"], born="2003-01-16", year_group=11
            ),  # on roll at A, the wrong birth date
            pupil(upn=NEW_UPN),
        ],
    )
    reasons = [
        str(row["reasons"]).replace(upn, "UPN")
        for row, upn in zip(first["rejected"], (P1.upn, P3.upn, UPN["p4"]), strict=True)
    ]
    assert first["accepted"] == 1 and [row["line"] for row in first["rejected"]] == [2, 3, 4]
    assert reasons[0] == reasons[1] == reasons[2] and SCHOOL_A not in reasons[0]
    second = import_csv(world, [pupil(), pupil(upn=P3.upn, born="2003-01-16", year_group=11)])
    assert second["accepted"] == 0
    assert (
        second["rejected"][0]["reasons"]
        == second["rejected"][1]["reasons"]
        == {
            "upn": [
                "too many refused enrolments of UPNs registered elsewhere from this token; "
                "try again later"
            ]
        }
    )
    assert current_school(world) is None, "past the limit even the full identity enrols no one"


# --- the limit, per token ------------------------------------------------------------------


def test_past_the_limit_a_token_waits_whatever_identity_it_sends_and_another_token_does_not(
    database_url,
):
    world = world_on(database_url, TRANSFER_ATTEMPTS_PER_HOUR=LIMIT)
    leave(world)
    assert [enrol(world, born=f"2007-01-{day}").status_code for day in (16, 17, 18)] == [
        409
    ] * LIMIT
    right, wrong, on_roll = (
        enrol(world),
        enrol(world, family="Smith"),
        enrol(world, upn=P3.upn, year_group=11, born="2003-01-15"),
    )
    assert answer(right) == answer(wrong) == answer(on_roll)
    assert right.status_code == 429 and right.json["errors"]["json"] == {
        "upn": [right.json["message"]]
    }
    assert all(1 <= int(r.headers["Retry-After"]) <= 3600 for r in (right, wrong, on_roll))
    assert current_school(world) is None
    assert enrol(world, upn=NEW_UPN).status_code == 201, "new pupils are not limited"
    assert enrol(world, upn=UPN["p2"]).status_code == 409, "nor is the school's own pupil"
    second_token = world.tracker.issue_token(f"school:{SCHOOL_B}", "second@example")[0]
    second = {"Authorization": f"Bearer {second_token}"}
    assert enrol(world, headers=second).status_code == 201
    assert current_school(world) == SCHOOL_B


def test_every_api_process_on_one_database_counts_the_same_refusals(postgres_url):
    # As two gunicorn workers are: each its own app, services and connections.
    from api import create_app

    world = world_on(postgres_url, TRANSFER_ATTEMPTS_PER_HOUR=LIMIT)
    second = create_app(
        {
            "DATABASE_URL": postgres_url,
            "PROJECTIONS": "inline",
            "TESTING": True,
            "TRANSFER_ATTEMPTS_PER_HOUR": LIMIT,
        }
    ).test_client()
    leave(world)
    statuses = [
        client.post(
            f"/api/v1/schools/{SCHOOL_B}/pupils",
            json=pupil(born=f"2007-01-{day}"),
            headers=world.headers("other_school"),
        ).status_code
        for client, day in ((world.client, 16), (second, 17), (world.client, 18))
    ]
    assert statuses == [409] * LIMIT
    for client in (world.client, second):
        assert (
            client.post(
                f"/api/v1/schools/{SCHOOL_B}/pupils",
                json=pupil(),
                headers=world.headers("other_school"),
            ).status_code
            == 429
        )


def test_a_schools_refusals_are_read_only_when_it_enrols_a_pupil_registered_elsewhere(database_url):
    from api.ratelimit import RefusedTransfers
    from tests.api.test_sign_in_limits import WatchedStore

    world = world_on(database_url, TRANSFER_ATTEMPTS_PER_HOUR=LIMIT)
    app = world.client.application
    watched = WatchedStore(app.extensions["tracker"].store)
    app.extensions["refused_transfers"] = RefusedTransfers(lambda: watched, LIMIT, 3600)
    leave(world)
    assert enrol(world, upn=NEW_UPN).status_code == 201
    assert watched.asked == []
    assert enrol(world).status_code == 201  # P1, who left school A, with their full identity
    assert len(watched.asked) == 1


def test_an_admin_is_not_limited(database_url):
    world = world_on(database_url, TRANSFER_ATTEMPTS_PER_HOUR=1)
    leave(world)
    assert [enrol(world, who="admin", born=f"2007-01-{day}").status_code for day in (16, 17)] == [
        409,
        409,
    ]
    assert enrol(world, who="admin").status_code == 201


# --- what each school sees of a transferred pupil -------------------------------------------

MOVER = "H885400112098"


@pytest.fixture
def transferred(world):
    """Aoife O'Brien: at A with SEN and an employer talk, left for Leeds; at B as "Eva OBRIEN" with
    pupil premium, a mentoring session and a year group confirmed (which A, having let her go, may
    not change)."""

    def post(path, body, who, status):
        response = world.client.post(f"/api/v1{path}", json=body, headers=world.headers(who))
        assert response.status_code == status, response.json

    post(
        f"/schools/{SCHOOL_A}/pupils",
        pupil(MOVER, "O'Brien", "2005-01-15", "2018-09-03", "Aoife", 9, sen=True),
        "school",
        201,
    )
    post(
        f"/schools/{SCHOOL_A}/activities",
        {
            "kind": "employer_talk",
            "title": "Talk at A",
            "occurred_on": "2018-10-10",
            "employer": {"name": "Acme"},
            "meaningful": True,
            "attendees": [MOVER],
        },
        "school",
        201,
    )
    post(
        f"/schools/{SCHOOL_A}/pupils/{MOVER}/leave",
        {"left_on": "2019-01-31", "destination": "moved_away"},
        "school",
        200,
    )
    post(
        f"/schools/{SCHOOL_B}/pupils",
        pupil(MOVER, "OBRIEN", "2005-01-15", "2019-02-04", "Eva", 9, pupil_premium=True),
        "other_school",
        201,
    )
    post(
        f"/schools/{SCHOOL_B}/activities",
        {
            "kind": "mentoring",
            "title": "Mentoring at B",
            "occurred_on": "2019-03-01",
            "employer": {"name": "Mentors Ltd"},
            "meaningful": True,
            "attendees": [MOVER],
        },
        "other_school",
        201,
    )
    post(f"/pupils/{MOVER}/year-group", {"year_group": 9, "year": "2018/19"}, "other_school", 200)
    post(f"/pupils/{MOVER}/year-group", {"year_group": 10, "year": "2018/19"}, "school", 403)
    return world


# Each school's own facts, and its token's subject as the dashboard's timeline cell shows it.
A_ONLY = (
    SCHOOL_A,
    "Aoife",
    "O'Brien",
    "moved_away",
    "2018-09-03",
    "2019-01-31",
    ">school@example<",
    "Talk at A",
)
B_ONLY = (SCHOOL_B, "Eva", "OBRIEN", "2019-02-04", ">other_school@example<", "Mentoring at B")
EMPLOYER_AT_A = {"occurred_on": "2018-10-10", "category": "employer", "kind": "employer_talk"}
MENTORING_AT_B = {"occurred_on": "2019-03-01", "category": "employer", "kind": "mentoring"}


def read(world, who: str) -> tuple[dict, list[dict], str]:
    record = world.client.get(f"/api/v1/pupils/{MOVER}", headers=world.headers(who))
    timeline = world.client.get(f"/api/v1/pupils/{MOVER}/timeline", headers=world.headers(who))
    assert record.status_code == timeline.status_code == 200
    return (
        record.json,
        timeline.json["items"],
        record.get_data(as_text=True) + timeline.get_data(as_text=True),
    )


def page(world, who: str) -> str:
    browser = world.client.application.test_client()
    sign_in(browser, world.tokens[who])
    response = browser.get(f"/dashboard/pupils/{MOVER}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_school_holding_a_transferred_pupil_sees_its_own_part_and_every_counted_encounter(
    transferred,
):
    record, timeline, text = read(transferred, "other_school")
    assert (record["given_name"], record["family_name"], record["date_of_birth"]) == (
        "Eva",
        "OBRIEN",
        "2005-01-15",
    )
    assert record["current_school"] == SCHOOL_B and (record["sen"], record["pupil_premium"]) == (
        False,
        True,
    )
    assert [e["school_urn"] for e in record["enrolments"]] == [SCHOOL_B]
    assert (
        record["encounters"] == [EMPLOYER_AT_A, MENTORING_AT_B]
        and record["counts"]["employer"] == 2
    )
    assert {item["school_urn"] for item in timeline} == {
        None,
        SCHOOL_B,
    }  # None: the year group change
    assert {item["actor"] for item in timeline} == {"other_school@example"}
    assert {"Student.Enrolled", "Activity.Recorded", "Student.YearGroupChanged"} <= {
        item["type"] for item in timeline
    }
    for secret in ("School A", *A_ONLY):
        assert secret not in text and secret not in page(transferred, "other_school"), secret


def test_the_previous_school_keeps_its_own_part_and_sees_nothing_of_the_new_schools(transferred):
    record, timeline, text = read(transferred, "school")
    assert (record["given_name"], record["family_name"], record["current_school"]) == (
        "Aoife",
        "O'Brien",
        None,
    )
    assert record["enrolments"] == [
        {
            "school_urn": SCHOOL_A,
            "enrolled_on": "2018-09-03",
            "left_on": "2019-01-31",
            "destination": "moved_away",
            "sen": True,
            "pupil_premium": False,
        }
    ]
    assert (record["sen"], record["pupil_premium"]) == (True, False)
    assert record["encounters"] == [EMPLOYER_AT_A] and record["counts"]["employer"] == 1
    assert [item["type"] for item in timeline][:2] == ["Student.Registered", "Student.Enrolled"]
    assert {item["school_urn"] for item in timeline} == {None, SCHOOL_A}
    assert {item["actor"] for item in timeline} == {"school@example"}
    assert "Student.YearGroupChanged" not in {item["type"] for item in timeline}
    for secret in B_ONLY:
        assert secret not in text and secret not in page(transferred, "school"), secret


@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_admins_and_auditors_see_the_whole_record(transferred, who):
    record, timeline, text = read(transferred, who)
    assert (record["given_name"], record["family_name"], record["current_school"]) == (
        "Aoife",
        "O'Brien",
        SCHOOL_B,
    )
    assert [e["school_urn"] for e in record["enrolments"]] == [SCHOOL_A, SCHOOL_B]
    assert record["encounters"] == [EMPLOYER_AT_A, MENTORING_AT_B]
    assert {item["school_urn"] for item in timeline} == {None, SCHOOL_A, SCHOOL_B}
    assert "moved_away" in text


@pytest.mark.parametrize("who", ["hub", "other_hub"])
def test_hubs_never_see_a_transferred_pupil(transferred, who):
    for path in (f"/api/v1/pupils/{MOVER}", f"/api/v1/pupils/{MOVER}/timeline"):
        assert transferred.client.get(path, headers=transferred.headers(who)).status_code == 403
