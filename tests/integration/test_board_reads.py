"""The placements board's and the checklist page's reads on SQLite and PostgreSQL: what the log
alone keeps (a confirmation's checks, a cancellation's reason, who changed a criterion) joined to
the view rows."""

from __future__ import annotations

from datetime import date

import pytest

from projections import checklist_history, placement_board
from projections.runner import Runner
from projections.store import view_store_for
from tests.scenarios import build_worked_example
from tracker.application import Tracker
from tracker.domain.base import Caller
from tracker.rulesets import GATSBY_2014

TODAY = date(2019, 7, 15)


@pytest.fixture
def world(database_url):
    app = Tracker.from_url(database_url, today=lambda: TODAY)
    build_worked_example(app)
    store = view_store_for(database_url)
    store.create_tables()
    yield app, store, Runner(app, store)
    store.close()


def test_the_board_holds_each_placements_year_group_checks_answer_and_reason(world):
    app, store, runner = world
    kept = app.arrange_placement(
        "900001", "V885400112003", "work_experience", {"name": "ACME Ltd"}, TODAY, TODAY
    ).id
    dropped = app.arrange_placement(
        "900001", "R885400112001", "work_experience", {"name": "Acme"}, TODAY, TODAY
    ).id
    app.confirm_placement(kept, {"safeguarding": True, "risk_assessment": True})
    app.complete_placement(kept, TODAY, 28.0, would_host="yes")
    app.cancel_placement(dropped, "pupil unwell")
    runner.catch_up()
    cards = {c.id: c for c in placement_board.school_placements(store, app, "900001")}
    assert cards[kept].state == "completed" and cards[kept].hours == 28.0
    assert cards[kept].checks == ("risk_assessment", "safeguarding")
    assert cards[kept].would_host == "yes" and cards[kept].year_group == 11
    assert cards[dropped].state == "cancelled" and cards[dropped].cancel_reason == "pupil unwell"
    assert cards[dropped].year_group == 7
    assert cards[kept].organisation_id == cards[dropped].organisation_id  # one matched employer
    rows = dict(placement_board.by_year_group(list(cards.values())))
    assert [c.id for c in rows[7]["cancelled"]] == [dropped]


def test_a_criterions_state_is_its_latest_change_with_each_change_and_who_made_it(world):
    app, store, runner = world
    head = Caller("head@school", "")
    app.change_criterion("900001", 1, "1.3", True, "appointed", date(2019, 3, 1), caller=head)
    app.change_criterion("900001", 1, "1.3", False, "she left", date(2019, 6, 1), caller=head)
    runner.catch_up()
    now = checklist_history.school_checklist(store, "900001", GATSBY_2014, TODAY)
    then = checklist_history.school_checklist(store, "900001", GATSBY_2014, date(2019, 4, 1))
    criterion = next(c for c in now[1] if c.code == "1.3")
    assert not criterion.met and criterion.evidence == "she left"
    assert [(h.met, h.evidence, h.actor) for h in criterion.history] == [
        (True, "appointed", "head@school"),
        (False, "she left", "head@school"),
    ]
    assert next(c for c in then[1] if c.code == "1.3").met
    assert sorted(now) == [1, 2, 3, 4] and len(now[1]) == len(GATSBY_2014.checklist[1])
