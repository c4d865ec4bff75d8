"""Completing a placement records whether the employer would host another student; placements
completed before the question was recorded read as "not asked"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

import pytest

from tests.scenarios import build_worked_example
from tracker.application import Tracker
from tracker.errors import InvalidValue

TODAY = date(2019, 7, 15)
ON = date(2019, 3, 1)


@pytest.fixture
def app() -> Tracker:
    app = Tracker(today=lambda: TODAY)
    build_worked_example(app)
    return app


def arranged(app: Tracker) -> UUID:
    employer = {"name": "Brook Builders"}
    placement = app.arrange_placement(
        "900001", "V885400112003", "work_experience", employer, ON, ON
    )
    return UUID(placement.id)


def last_event(app: Tracker, placement_id: UUID):
    return list(app.events.get(placement_id))[-1]


def test_the_answer_is_kept_with_the_hours_on_the_completion(app):
    placement_id = arranged(app)
    app.complete_placement(str(placement_id), ON, 30, would_host="yes")
    completed = last_event(app, placement_id)
    assert (completed.would_host, completed.hours) == ("yes", 30.0)


def test_an_answer_outside_the_three_is_refused_and_nothing_is_stored(app):
    placement_id = arranged(app)
    with pytest.raises(InvalidValue):
        app.complete_placement(str(placement_id), ON, 30, would_host="maybe")
    assert app.repository.get(placement_id).state == "arranged"


def test_a_completion_stored_before_the_question_reads_as_not_asked(app):
    placement_id = arranged(app)
    app.complete_placement(str(placement_id), ON, 30)
    stored = app.mapper.to_stored_event(last_event(app, placement_id))
    state = app.mapper.decode_state(stored.state)
    del state["would_host"], state["class_version"]  # as the first version was stored
    first_version = replace(stored, state=app.mapper.encode_state(state))
    assert app.mapper.to_domain_event(first_version).would_host == "not_asked"
