"""The write side's rules, on the in-memory store."""

from __future__ import annotations

import inspect
from datetime import date

import pytest

from tests.conftest import TODAY
from tests.scenarios import (
    ADMIN,
    EMPLOYER,
    PUPILS,
    SCHOOL_A,
    SCHOOL_B,
    UPN,
    activity,
    build_worked_example,
    enrol,
    register_hub_and_schools,
)
from tracker.application import Tracker
from tracker.commands import fingerprint
from tracker.domain.base import Caller
from tracker.errors import (
    ActivityNotFound,
    AlreadyExists,
    ConcurrentChange,
    EnrolmentRefused,
    Forbidden,
    FutureDate,
    IdempotencyKeyReused,
    InvalidValue,
    NotOnRoll,
    OutOfOrder,
    Retracted,
    RuleBroken,
    SchoolNotFound,
    TrackerError,
)
from tracker.identifiers import make_upn

SCHOOL_A_USER = Caller("leader@a.example", "req-a")


@pytest.fixture
def app():
    tracker = Tracker.from_url("memory://", today=lambda: TODAY)
    register_hub_and_schools(tracker)
    return tracker


@pytest.fixture
def enrolled(app):
    for pupil in PUPILS:
        enrol(app, pupil)
    return app


def event_count(app: Tracker) -> int:
    return app.recorder.max_notification_id() or 0


def refuses(app: Tracker, error: type[TrackerError], command, *args, **kwargs) -> TrackerError:
    """Run a command that must be refused, and check it stored nothing."""
    before = event_count(app)
    with pytest.raises(error) as refused:
        command(*args, **kwargs)
    assert event_count(app) == before
    return refused.value


# --- schools and hubs -------------------------------------------------------------------


def test_registering_a_school_twice_is_a_conflict(app):
    refuses(
        app, AlreadyExists, app.register_school, SCHOOL_A, "Again", "secondary", "885", "8854001"
    )


@pytest.mark.parametrize(
    "urn, la_code, laestab, kind, field",
    [
        ("90001", "885", "8854009", "secondary", "urn"),
        ("900009", "885", "8864009", "secondary", "laestab"),
        ("900009", "88", "8854009", "secondary", "la_code"),
        ("900009", "885", "885400", "secondary", "laestab"),
        ("900009", "885", "8854009", "grammar", "type"),
    ],
)
def test_a_school_with_a_malformed_identifier_is_refused_naming_the_field(
    app, urn, la_code, laestab, kind, field
):
    refused = refuses(app, InvalidValue, app.register_school, urn, "New", kind, la_code, laestab)
    assert refused.field == field


def test_a_school_is_in_at_most_one_hub_at_a_time(app):
    app.register_hub("OTHER", "Other hub", "Elsewhere", 2)
    refused = refuses(app, AlreadyExists, app.join_hub, "OTHER", SCHOOL_A, date(2019, 1, 1))
    assert "DEMO" in refused.message
    app.leave_hub("DEMO", SCHOOL_A, date(2018, 12, 31))
    refuses(app, RuleBroken, app.join_hub, "OTHER", SCHOOL_A, date(2018, 12, 31))
    assert app.join_hub("OTHER", SCHOOL_A, date(2019, 1, 1)).position > 0


def test_repeating_the_same_membership_stores_nothing(app):
    before = event_count(app)
    app.join_hub("DEMO", SCHOOL_A, date(2018, 9, 1))
    assert event_count(app) == before


def test_joining_an_unknown_hub_or_school_is_not_found(app):
    refuses(app, TrackerError, app.join_hub, "NOPE", SCHOOL_A, date(2019, 1, 1))
    refuses(app, SchoolNotFound, app.join_hub, "DEMO", "123456", date(2019, 1, 1))


def test_checklist_criteria_come_from_the_rule_set_of_the_year(app):
    app.change_criterion(SCHOOL_A, 1, "1.1", True, "programme published", date(2019, 1, 10))
    refused = refuses(
        app, InvalidValue, app.change_criterion, SCHOOL_A, 1, "1.99", True, "x", date(2019, 1, 10)
    )
    assert refused.field == "code"
    refuses(
        app, InvalidValue, app.change_criterion, SCHOOL_A, 5, "5.1", True, "x", date(2019, 1, 10)
    )


# --- pupils ------------------------------------------------------------------------------


def test_enrolment_refuses_a_bad_check_letter_naming_the_upn(app):
    refused = refuses(
        app,
        InvalidValue,
        app.enrol_pupil,
        SCHOOL_A,
        "A885400112001",
        "A",
        "B",
        date(2007, 1, 15),
        7,
        date(2018, 9, 3),
    )
    assert refused.field == "upn"


def test_enrolment_refuses_a_date_in_the_future(app):
    refused = refuses(app, FutureDate, enrol, app, PUPILS[0], on=date(2019, 7, 16))
    assert refused.field == "enrolled_on"


def test_enrolment_refuses_a_year_group_far_from_the_pupils_age(app):
    refused = refuses(
        app,
        InvalidValue,
        app.enrol_pupil,
        SCHOOL_A,
        UPN["p1"],
        "A",
        "B",
        date(2007, 1, 15),
        10,
        date(2018, 9, 3),
    )
    assert refused.field == "year_group"


def test_a_pupil_cannot_be_enrolled_twice(enrolled):
    refuses(enrolled, AlreadyExists, enrol, enrolled, PUPILS[0])


def test_a_pupil_on_roll_elsewhere_must_leave_before_joining_another_school(enrolled):
    # The refusal names neither the school the pupil is at nor any date of theirs
    # (docs/transfers.md).
    on_roll = refuses(
        enrolled, EnrolmentRefused, enrol, enrolled, PUPILS[0], date(2019, 1, 7), SCHOOL_B
    )
    assert SCHOOL_A not in on_roll.message and "2018-09-03" not in on_roll.message
    enrolled.record_leaving(SCHOOL_A, UPN["p1"], date(2019, 1, 4), "moved_away")
    too_early = refuses(
        enrolled, EnrolmentRefused, enrol, enrolled, PUPILS[0], date(2019, 1, 4), SCHOOL_B
    )
    assert too_early.errors == on_roll.errors and "2019-01-04" not in too_early.message
    assert enrol(enrolled, PUPILS[0], date(2019, 1, 7), SCHOOL_B).id == UPN["p1"]


def test_a_school_cannot_record_leaving_for_another_schools_pupil(enrolled):
    refuses(enrolled, Forbidden, enrolled.record_leaving, SCHOOL_B, UPN["p1"], date(2019, 1, 4))


def test_only_a_pupil_who_has_left_can_be_pseudonymised(enrolled):
    refuses(enrolled, RuleBroken, enrolled.pseudonymise_pupil, UPN["p1"])
    enrolled.record_leaving(SCHOOL_A, UPN["p1"], date(2019, 1, 4))
    enrolled.pseudonymise_pupil(UPN["p1"])
    student = enrolled._student(UPN["p1"])
    assert (student.given_name, student.family_name) == (None, None)


def test_a_year_group_can_be_changed_for_the_current_year_only_forwards(enrolled):
    enrolled.change_year_group(UPN["p1"], 8, "2018/19")
    refuses(enrolled, InvalidValue, enrolled.change_year_group, UPN["p1"], 8, "2017/18")
    refuses(enrolled, InvalidValue, enrolled.change_year_group, UPN["p1"], 8, "2019/20")
    refuses(enrolled, InvalidValue, enrolled.change_year_group, UPN["p1"], 15, "2018/19")


# --- activities ----------------------------------------------------------------------------


def test_attendees_must_be_on_roll_at_the_school_on_the_day(enrolled):
    refused = refuses(
        enrolled,
        NotOnRoll,
        activity,
        enrolled,
        SCHOOL_A,
        "careers_fair",
        date(2018, 11, 15),
        ["p1", "p6", "p7"],
    )
    assert refused.errors == {
        "attendees": [
            f"{UPN['p6']} is not on roll at {SCHOOL_A} on 2018-11-15",
            f"{UPN['p7']} is not on roll at {SCHOOL_A} on 2018-11-15",
        ]
    }


def test_attendees_enrolled_after_the_activity_are_refused(enrolled):
    refuses(
        enrolled, NotOnRoll, activity, enrolled, SCHOOL_A, "careers_fair", date(2018, 9, 1), ["p1"]
    )


def test_an_activity_in_the_future_is_refused(enrolled):
    refuses(
        enrolled, FutureDate, activity, enrolled, SCHOOL_A, "careers_fair", date(2019, 8, 1), ["p1"]
    )


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": "speed_dating"}, "kind"),
        ({"employer": None}, "employer"),
        ({"meaningful": None}, "meaningful"),
        ({"attendees": []}, "attendees"),
        ({"attendees": ["R885400112001", "B000000000000"]}, "attendees"),
        ({"title": " "}, "title"),
    ],
)
def test_an_activity_with_a_bad_field_is_refused_naming_it(enrolled, changes, field):
    command = dict(
        urn=SCHOOL_A,
        kind="employer_talk",
        title="Talk",
        occurred_on=date(2019, 1, 10),
        attendees=[UPN["p1"]],
        employer=EMPLOYER,
        meaningful=True,
    )
    command.update(changes)
    refused = refuses(enrolled, InvalidValue, enrolled.record_activity, **command)
    assert refused.field == field


def test_a_guidance_meeting_is_for_one_pupil(enrolled):
    refuses(
        enrolled,
        InvalidValue,
        enrolled.record_activity,
        SCHOOL_A,
        "guidance_meeting",
        "Meeting",
        date(2019, 1, 10),
        [UPN["p3"], UPN["p4"]],
    )
    assert (
        enrolled.record_activity(
            SCHOOL_A, "guidance_meeting", "Meeting", date(2019, 1, 10), [UPN["p3"]]
        ).position
        > 0
    )


def test_an_fe_encounter_must_name_its_provider(enrolled):
    refused = refuses(
        enrolled,
        InvalidValue,
        enrolled.record_activity,
        SCHOOL_A,
        "fe_encounter",
        "College visit",
        date(2019, 1, 10),
        [UPN["p3"]],
        meaningful=True,
    )
    assert refused.field == "provider"


def test_under_gatsby_2024_an_encounter_must_give_its_criteria_checks():
    app = Tracker.from_url("memory://", today=lambda: date(2025, 10, 20))
    app.register_school(SCHOOL_A, "School A", "secondary", "885", "8854001")
    app.enrol_pupil(SCHOOL_A, UPN["p3"], "P", "Three", date(2010, 1, 15), 11, date(2025, 9, 3))
    refused = refuses(
        app,
        InvalidValue,
        app.record_activity,
        SCHOOL_A,
        "employer_talk",
        "Talk",
        date(2025, 10, 1),
        [UPN["p3"]],
        employer=EMPLOYER,
        meaningful=True,
    )
    assert refused.field == "criteria"


def test_attendees_can_be_added_and_removed_but_not_removed_twice(enrolled):
    written = activity(enrolled, SCHOOL_A, "careers_fair", date(2018, 11, 15), ["p1"])
    enrolled.change_attendees(written.id, add=[UPN["p2"], UPN["p3"]], remove=[UPN["p1"]])
    assert enrolled._activity(written.id, None).attendees == [UPN["p2"], UPN["p3"]]
    refuses(enrolled, RuleBroken, enrolled.change_attendees, written.id, remove=[UPN["p1"]])
    refuses(enrolled, NotOnRoll, enrolled.change_attendees, written.id, add=[UPN["p6"]])


def test_a_retracted_activity_cannot_change(enrolled):
    written = activity(enrolled, SCHOOL_A, "careers_fair", date(2018, 11, 15), ["p1"])
    enrolled.retract_activity(written.id, "wrong date")
    refuses(enrolled, Retracted, enrolled.amend_activity, written.id, {"title": "New"})
    refuses(enrolled, Retracted, enrolled.retract_activity, written.id, "again")


def test_moving_an_activity_to_a_date_its_attendees_were_not_on_roll_is_refused(enrolled):
    written = activity(enrolled, SCHOOL_A, "careers_fair", date(2018, 11, 15), ["p1"])
    refused = refuses(
        enrolled,
        NotOnRoll,
        enrolled.amend_activity,
        written.id,
        {"occurred_on": date(2018, 9, 1)},
        "typo",
    )
    assert refused.field == "occurred_on"
    enrolled.amend_activity(written.id, {"occurred_on": date(2018, 11, 16)}, "typo")
    assert enrolled._activity(written.id, None).occurred_on == date(2018, 11, 16)


@pytest.mark.parametrize(
    "provider, field",
    [
        ({"name": "Riverside College", "type": "castle"}, "provider.type"),
        ({"name": " ", "type": "fe_college"}, "provider.name"),
        ("Riverside College", "provider"),
    ],
)
def test_an_amended_provider_is_checked_as_a_recorded_one_is(enrolled, provider, field):
    college = {"name": "Riverside College", "type": "fe_college"}
    written = enrolled.record_activity(
        SCHOOL_A,
        "fe_encounter",
        "College visit",
        date(2019, 1, 10),
        [UPN["p3"]],
        provider=college,
        meaningful=True,
    )
    refused = refuses(
        enrolled, InvalidValue, enrolled.amend_activity, written.id, {"provider": provider}
    )
    assert refused.field == field
    assert enrolled._activity(written.id, None).provider == college


def test_a_school_cannot_touch_another_schools_activity(enrolled):
    written = activity(enrolled, SCHOOL_A, "careers_fair", date(2018, 11, 15), ["p1"])
    refuses(
        enrolled,
        Forbidden,
        enrolled.retract_activity,
        written.id,
        "mine now",
        within_school=SCHOOL_B,
    )
    refuses(enrolled, ActivityNotFound, enrolled.retract_activity, "not-an-id", "x")


# --- placements -----------------------------------------------------------------------------


def test_a_placement_follows_its_lifecycle_in_order(enrolled):
    written = enrolled.arrange_placement(
        SCHOOL_A, UPN["p3"], "work_experience", EMPLOYER, date(2019, 6, 10), date(2019, 6, 14)
    )
    refuses(enrolled, OutOfOrder, enrolled.complete_placement, written.id, date(2019, 6, 9), 30)
    refuses(
        enrolled, InvalidValue, enrolled.confirm_placement, written.id, {"risk_assessment": True}
    )
    enrolled.confirm_placement(written.id, {"safeguarding": True, "risk_assessment": True})
    enrolled.complete_placement(written.id, date(2019, 6, 14), 30)
    refuses(enrolled, OutOfOrder, enrolled.cancel_placement, written.id, "too late")
    refuses(enrolled, OutOfOrder, enrolled.confirm_placement, written.id, {})


def test_a_placement_ending_before_it_starts_is_refused(enrolled):
    refuses(
        enrolled,
        InvalidValue,
        enrolled.arrange_placement,
        SCHOOL_A,
        UPN["p3"],
        "work_experience",
        EMPLOYER,
        date(2019, 6, 10),
        date(2019, 6, 9),
    )


# --- metadata, idempotency, concurrency ---------------------------------------------------------


def test_every_event_records_who_and_which_request(enrolled):
    activity(enrolled, SCHOOL_A, "careers_fair", date(2018, 11, 15), ["p1"])
    events = [n for n in enrolled.recorder.select_notifications(start=1, limit=1000)]
    decoded = [enrolled.mapper.to_domain_event(n) for n in events]
    assert {(e.actor, e.request_id) for e in decoded} == {("admin@example", "req-admin")}


def test_a_repeated_idempotency_key_returns_the_first_result_and_stores_nothing(enrolled):
    def record():
        return enrolled.record_activity(
            SCHOOL_A,
            "employer_talk",
            "Talk",
            date(2019, 1, 10),
            [UPN["p1"]],
            employer=EMPLOYER,
            meaningful=True,
            caller=SCHOOL_A_USER,
            idempotency_key="k-1",
        )

    first = record()
    after_first = event_count(enrolled)
    assert record() == first
    assert event_count(enrolled) == after_first


def test_an_idempotency_key_reused_for_another_command_is_a_conflict(enrolled):
    enrolled.retract_activity(
        activity(enrolled, SCHOOL_A, "careers_fair", date(2018, 11, 15), ["p1"]).id,
        "x",
        caller=SCHOOL_A_USER,
        idempotency_key="k-2",
    )
    with pytest.raises(IdempotencyKeyReused):
        enrolled.record_leaving(
            SCHOOL_A, UPN["p1"], date(2019, 1, 4), caller=SCHOOL_A_USER, idempotency_key="k-2"
        )


def test_the_same_key_from_another_caller_is_another_command(enrolled):
    first = enrolled.record_leaving(
        SCHOOL_A, UPN["p1"], date(2019, 1, 4), caller=SCHOOL_A_USER, idempotency_key="k-3"
    )
    second = enrolled.record_leaving(
        SCHOOL_A, UPN["p3"], date(2019, 1, 4), caller=ADMIN, idempotency_key="k-3"
    )
    assert second.position > first.position


def raced_commands(app: Tracker) -> dict[str, tuple]:
    """Each command an attacker raced with one key, and arguments it succeeds with once."""
    fair = activity(app, SCHOOL_A, "careers_fair", date(2018, 11, 15), ["p1"]).id
    arranged = app.arrange_placement(
        SCHOOL_A,
        UPN["p3"],
        "work_experience",
        EMPLOYER,
        date(2019, 6, 3),
        date(2019, 6, 7),
        caller=ADMIN,
    ).id
    return {
        "enrol_pupil": (
            SCHOOL_A,
            make_upn("885", "4001", 18, 77),
            "Ann",
            "Smith",
            date(2007, 1, 15),
            7,
            date(2019, 1, 7),
        ),
        "retract_activity": (fair, "entered twice"),
        "record_leaving": (SCHOOL_A, UPN["p1"], date(2019, 1, 4)),
        "complete_placement": (arranged, date(2019, 6, 7), 35.0),
    }


@pytest.mark.parametrize(
    "name", ["enrol_pupil", "retract_activity", "record_leaving", "complete_placement"]
)
def test_a_copy_that_decides_after_its_twin_with_the_same_key_wrote_gets_the_twins_answer(
    enrolled, name
):
    """The interleaving an attacker found with twenty copies at once: this copy looks for the key
    before its twin has written and decides after, so its own guard refuses (already retracted,
    already on roll); it must answer as the twin did, not with that refusal."""
    args, twin = raced_commands(enrolled)[name], []
    use_case = getattr(enrolled, name)

    def decide_after_the_twin_wrote():
        twin.append(use_case(*args, caller=SCHOOL_A_USER, idempotency_key="sent-twice"))
        return use_case.__wrapped__(enrolled, *args)

    arguments = inspect.signature(use_case.__wrapped__).bind(enrolled, *args).arguments
    del arguments["self"]
    before_the_copy = event_count(enrolled)
    answer = enrolled.execute(
        decide_after_the_twin_wrote,
        caller=SCHOOL_A_USER,
        idempotency_key="sent-twice",
        fingerprint=fingerprint(name, dict(arguments)),
        commutative=False,
    )
    assert answer == twin[0]
    assert event_count(enrolled) == twin[0].position > before_the_copy, (
        "the twin's write alone was stored"
    )


def test_a_copy_refused_by_its_guard_with_no_twin_behind_it_is_still_refused(enrolled):
    fair = raced_commands(enrolled)["retract_activity"][0]
    enrolled.retract_activity(fair, "first", caller=SCHOOL_A_USER)
    refuses(
        enrolled,
        Retracted,
        enrolled.retract_activity,
        fair,
        "again",
        caller=SCHOOL_A_USER,
        idempotency_key="never-used",
    )


def test_a_stale_non_commutative_write_reports_a_conflict(enrolled):
    written = activity(enrolled, SCHOOL_A, "careers_fair", date(2018, 11, 15), ["p1"])
    stale = enrolled.repository.get(enrolled._activity(written.id, None).id)
    enrolled.amend_activity(written.id, {"title": "First"})
    stale.amend({"title": "Second"}, None)
    from eventsourcing.persistence import IntegrityError

    with pytest.raises(IntegrityError):
        enrolled.save(stale)
    assert ConcurrentChange("x").field == "_schema"


def test_the_worked_example_is_accepted_in_full():
    app = Tracker.from_url("memory://", today=lambda: TODAY)
    ids = build_worked_example(app)
    assert app._activity(ids["fair"], None).attendees == [UPN[n] for n in ("p1", "p2", "p3", "p4")]
    assert app._student(UPN["p2"]).current_enrolment.school_urn == SCHOOL_B


# --- tokens ----------------------------------------------------------------------------------


def test_a_token_is_stored_hashed_and_stops_working_when_revoked(app):
    token, written = app.issue_token("school:900001", "leader@a.example", "Careers Leader")
    assert app.token_for(token).scope == "school:900001"
    stored = b"".join(n.state for n in app.recorder.select_notifications(start=1, limit=1000))
    assert token.encode() not in stored
    app.revoke_token(written.id, "left the school")
    assert app.token_for(token) is None


def test_a_token_scope_must_name_a_known_kind(app):
    refuses(app, InvalidValue, app.issue_token, "teacher", "x")
    refuses(app, InvalidValue, app.issue_token, "school:12", "x")


# --- bulk loads ---------------------------------------------------------------------------


def _talk(upns: list[str], on: date = date(2018, 11, 1)) -> dict:
    return {
        "kind": "employer_talk",
        "title": "Talk",
        "occurred_on": on,
        "attendees": upns,
        "employer": EMPLOYER,
        "meaningful": True,
    }


def test_many_activities_are_recorded_in_one_transaction_or_none_are(enrolled):
    written = enrolled.record_activities(
        SCHOOL_A, [_talk([UPN["p1"]]), _talk([UPN["p3"], UPN["p4"]])]
    )
    assert written.id == "2"
    recorded = [
        n
        for n in enrolled.recorder.select_notifications(start=1, limit=1000)
        if n.topic.endswith("Activity.Recorded")
    ]
    assert len(recorded) == 2 and recorded[-1].id == written.position
    refused = refuses(
        enrolled,
        NotOnRoll,
        enrolled.record_activities,
        SCHOOL_A,
        [_talk([UPN["p1"]]), _talk([UPN["p6"]])],
    )  # p6 is at school B
    assert refused.field == "attendees"
    refuses(
        enrolled,
        FutureDate,
        enrolled.record_activities,
        SCHOOL_A,
        [_talk([UPN["p1"]], date(2019, 8, 1))],
    )


def test_a_write_whose_acknowledgement_was_lost_is_not_reported_as_a_conflict(enrolled):
    """The library inserts again after a dropped connection; if the first insert had committed,
    the second collides with our own events, and the command still succeeded."""
    from eventsourcing.persistence import IntegrityError

    recorder, calls = enrolled.recorder, []
    real_insert = recorder.insert_events

    def committed_then_lost(stored_events, **kwargs):
        calls.append(len(stored_events))
        real_insert(stored_events, **kwargs)
        if len(calls) == 1:
            raise IntegrityError("duplicate key: the retried insert after a dropped connection")
        return None

    recorder.insert_events = committed_then_lost
    written = enrolled.record_activity(
        SCHOOL_A,
        "employer_talk",
        "Talk",
        date(2018, 11, 1),
        [UPN["p1"]],
        employer=EMPLOYER,
        meaningful=True,
    )
    recorder.insert_events = real_insert
    assert written.position == event_count(enrolled) and len(calls) == 1
    assert enrolled._activity(written.id, None).title == "Talk"


def test_a_real_conflict_is_still_a_conflict(enrolled):
    from eventsourcing.persistence import IntegrityError

    recorder = enrolled.recorder
    real_insert = recorder.insert_events
    fair = activity(enrolled, SCHOOL_A, "careers_fair", date(2018, 11, 15), ["p1"]).id

    def someone_else_wrote_first(stored_events, **kwargs):
        raise IntegrityError("duplicate key: another writer's event")

    recorder.insert_events = someone_else_wrote_first
    try:
        refuses(enrolled, ConcurrentChange, enrolled.amend_activity, fair, {"title": "New"})
    finally:
        recorder.insert_events = real_insert
