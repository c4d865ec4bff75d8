"""National and hub figures as known at a past time: answered from the views, equal to what the
system answered then and to the log replayed up to then."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from urllib.parse import quote, unquote

from projections.hub_answers import Summary
from projections.metrics import school_figures, schools_in_any_hub
from projections.replay import position_known_at, replay_schools
from tests.scenarios import ADMIN, SCHOOL_A, UPN

AS_OF = "2019-03-31"
# What a summary says, without the view position it was computed at (which moves on).
FIGURES = ("schools", "pct_schools_achieving", "mean_coverage", "pupils_measured", "pupils_met")


def figures(summary: dict) -> dict:
    return {name: summary[name] for name in FIGURES}


def get(world, path: str, who: str = "admin") -> dict:
    response = world.client.get(path, headers=world.headers(who))
    assert response.status_code == 200, response.text
    return response.json


def a_moment_then_corrections(world) -> str:
    """A time before a pupil's removal from an activity, its retraction and a school leaving the
    hub, all recorded after it."""
    get(world, "/api/v1/metrics/national")  # the views have caught up with the example
    time.sleep(0.01)
    moment = datetime.now(timezone.utc)
    time.sleep(0.01)
    tracker = world.tracker
    tracker.change_attendees(world.ids["fair"], remove=[UPN["p1"]], caller=ADMIN)
    tracker.retract_activity(world.ids["fair"], "wrong date", caller=ADMIN)
    tracker.leave_hub("DEMO", SCHOOL_A, date(2019, 1, 1), caller=ADMIN)
    return quote(moment.isoformat())


def test_national_figures_as_known_at_a_time_are_what_was_answered_then(world):
    national = f"/api/v1/metrics/national?as_of={AS_OF}"
    then = get(world, national)
    known_at = a_moment_then_corrections(world)
    now = get(world, national)
    known = get(world, f"{national}&known_at={known_at}")
    assert figures(now) != figures(then)
    assert figures(known) == figures(then) and figures(known["non_hub"]) == figures(then["non_hub"])
    assert known["known_at"] and now["known_at"] is None


def test_national_figures_as_known_at_a_time_equal_the_log_replayed_up_to_then(world):
    known_at = a_moment_then_corrections(world)
    known = get(world, f"/api/v1/metrics/national?as_of={AS_OF}&known_at={known_at}")
    with world.client.application.app_context():
        from api.services import services

        store, tracker = services().store, services().tracker
    position = position_known_at(store, datetime.fromisoformat(known["known_at"]))
    urns = [urn for (urn,) in store.query("SELECT urn FROM {schools}")]
    oracle = replay_schools(tracker, store, urns, position)
    everyone = school_figures(oracle, datetime.fromisoformat(AS_OF).date())
    in_hubs = schools_in_any_hub(oracle, datetime.fromisoformat(AS_OF).date())
    expected = Summary.of(list(everyone.values()))
    expected_non_hub = Summary.of([f for urn, f in everyone.items() if urn not in in_hubs])
    assert figures(known) == figures(_answered(expected))
    assert figures(known["non_hub"]) == figures(_answered(expected_non_hub))


def _answered(summary: Summary) -> dict:
    """A summary as the API writes it: its keys as text."""
    return {
        name: {str(k): v for k, v in value.items()} if isinstance(value, dict) else value
        for name, value in vars(summary).items()
    }


def test_a_hubs_figures_as_known_at_a_time_carry_national_and_non_hub_as_known_then(world):
    hub = f"/api/v1/hubs/DEMO/metrics?as_of={AS_OF}"
    then = get(world, hub)
    known_at = a_moment_then_corrections(world)
    known = get(world, f"{hub}&known_at={known_at}")
    national = get(world, f"/api/v1/metrics/national?as_of={AS_OF}&known_at={known_at}")
    assert known["national"] is not None and known["non_hub"] is not None
    assert figures(known["national"]) == figures(then["national"]) == figures(national)
    assert figures(known["non_hub"]) == figures(then["non_hub"])
    # The school that left the hub afterwards was still a member as known then.
    assert [row["urn"] for row in known["school_rows"]] == [
        row["urn"] for row in then["school_rows"]
    ]
    assert figures(known) == figures(then)


def test_a_hub_lead_sees_national_as_known_at_a_time_as_they_saw_it_then(world):
    path = f"/api/v1/metrics/national?as_of={AS_OF}"
    then = get(world, path, who="hub")
    known_at = a_moment_then_corrections(world)
    known = get(world, f"{path}&known_at={known_at}", who="hub")
    assert "suppressed" in then  # withheld beside the lead's own hub, as known then
    assert {k: v for k, v in known.items() if k not in ("known_at", "position")} == {
        k: v for k, v in then.items() if k not in ("known_at", "position")
    }


def test_a_hubs_series_as_known_at_a_time_is_the_series_answered_then(world):
    series = "/api/v1/hubs/DEMO/metrics/series?year=2018/19&dates=2019-03-31"
    then = get(world, series)
    known_at = a_moment_then_corrections(world)
    assert get(world, series) != then
    known = get(world, f"{series}&known_at={known_at}")
    assert then["known_at"] is None and known["known_at"] == unquote(known_at)  # echoed
    assert {**known, "known_at": None} == then


def test_a_hub_registered_after_the_time_asked_is_not_found_as_known_then(world):
    known_at = a_moment_then_corrections(world)
    world.tracker.register_hub("LATE", "Late Hub", "North East", 3, caller=ADMIN)
    world.tracker.join_hub("LATE", SCHOOL_A, date(2019, 2, 1), caller=ADMIN)
    for path in (
        "/api/v1/hubs/LATE/metrics",
        "/api/v1/hubs/LATE/metrics/series?year=2018/19",
        "/api/v1/hubs/LATE/metrics/years",
        "/api/v1/hubs/LATE/destinations",
    ):
        joiner = "&" if "?" in path else "?"
        known = world.client.get(
            f"{path}{joiner}known_at={known_at}", headers=world.headers("admin")
        )
        assert known.status_code == 404, (path, known.text)  # not today's hub, empty, then
        assert "hub LATE" in known.text
        assert get(world, path)  # as it is now, it is there
