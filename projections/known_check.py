"""`tracker verify --known-at`: the figures the views give as known at a time, beside the log
replayed up to then (projections/replay.py), for every hub and a sample of schools."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

from projections.metrics import hub_members, school_figures
from projections.replay import position_known_at, replay_schools
from projections.store import ViewStore


def _figures(store: ViewStore, as_of: date, urns: list[str]) -> dict[str, Any]:
    """Each school's counts per benchmark: what a hub's or a school's figures are made of."""
    return {
        urn: {b: (f.measured, f.met, f.score) for b, f in figures.benchmarks.items()}
        for urn, figures in school_figures(store, as_of, urns).items()
    }


def known_at_differences(
    app: Any, live: ViewStore, known_at: datetime, as_of: date, sample: int, seed: int = 0
) -> tuple[int, list[str]]:
    """The position known at `known_at`, and each hub or school whose figures on `as_of` read from
    the versioned views differ from a replay of the log up to that position."""
    position = position_known_at(live, known_at)
    known = live.known_at(position)
    differences = []
    hubs = [code for (code,) in known.query("SELECT code FROM {hubs} ORDER BY code")]
    for code in hubs:
        members = hub_members(known, code, as_of)
        replayed = replay_schools(app, live, members, position)
        if hub_members(replayed, code, as_of) != members:
            differences.append(f"hub {code}: members differ")
        elif _figures(known, as_of, members) != _figures(replayed, as_of, members):
            differences.append(f"hub {code}: figures differ")
    schools = [urn for (urn,) in known.query("SELECT urn FROM {schools} ORDER BY urn")]
    for urn in random.Random(seed).sample(schools, min(sample, len(schools))):
        replayed = replay_schools(app, live, [urn], position)
        if _figures(known, as_of, [urn]) != _figures(replayed, as_of, [urn]):
            differences.append(f"school {urn}: figures differ")
    return position, differences
