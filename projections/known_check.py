"""`tracker verify --known-at`: what the views answer as known at a time, beside the log replayed up
to then (projections/replay.py), for every hub and a sample of schools: the benchmark figures,
the leavers' destinations, the employer figures, and each sampled school's provider access."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

from projections import engagement
from projections.destinations import leavers
from projections.metrics import hub_members, school_figures
from projections.provider_access import provider_access
from projections.replay import position_known_at, replay_schools
from projections.store import ViewStore
from tracker.calendar import AcademicYear


def _figures(store: ViewStore, as_of: date, urns: list[str]) -> dict[str, Any]:
    """Each school's counts per benchmark: what a hub's or a school's figures are made of."""
    return {
        urn: {b: (f.measured, f.met, f.score) for b, f in figures.benchmarks.items()}
        for urn, figures in school_figures(store, as_of, urns).items()
    }


def _answers(store: ViewStore, as_of: date, urns: list[str], school: bool) -> dict[str, Any]:
    """The answers compared, by name: a hub's, or one school's with its provider access too."""
    year = AcademicYear.containing(as_of)
    answers = {
        "benchmark figures": _figures(store, as_of, urns),
        # This year's leavers, and last year's, whose destinations are followed up this year.
        "destinations": [leavers(store, urns, cohort, as_of) for cohort in (year.previous(), year)],
        "employer figures": engagement.computed(store, urns, year, as_of),
    }
    if school:
        answers["provider access"] = provider_access(store, urns[0], year, as_of)
    return answers


def _differing(known: dict[str, Any], replayed: dict[str, Any]) -> str:
    return ", ".join(name for name in known if known[name] != replayed[name])


def known_at_differences(
    app: Any, live: ViewStore, known_at: datetime, as_of: date, sample: int, seed: int = 0
) -> tuple[int, list[str]]:
    """The position known at `known_at`, and each hub or school whose answers on `as_of` read from
    the versioned views differ from a replay of the log up to that position, naming which."""
    position = position_known_at(live, known_at)
    known = live.known_at(position)
    differences = []
    hubs = [code for (code,) in known.query("SELECT code FROM {hubs} ORDER BY code")]
    for code in hubs:
        members = hub_members(known, code, as_of)
        replayed = replay_schools(app, live, members, position)
        if hub_members(replayed, code, as_of) != members:
            differences.append(f"hub {code}: members differ")
        elif differing := _differing(
            _answers(known, as_of, members, False), _answers(replayed, as_of, members, False)
        ):
            differences.append(f"hub {code}: {differing} differ")
    schools = [urn for (urn,) in known.query("SELECT urn FROM {schools} ORDER BY urn")]
    for urn in random.Random(seed).sample(schools, min(sample, len(schools))):
        replayed = replay_schools(app, live, [urn], position)
        if differing := _differing(
            _answers(known, as_of, [urn], True), _answers(replayed, as_of, [urn], True)
        ):
            differences.append(f"school {urn}: {differing} differ")
    return position, differences
