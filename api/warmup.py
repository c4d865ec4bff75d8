"""A new server's first answers, computed before anyone asks: each hub's figures for today, its
termly series, its years trend and its employer network this year. Each process keeps them until
the views move (projections/caches.py, projections/kept.py), and the hub pages' first loads were
where they were computed: 0.4 s and 0.7 s on the demo, over the 300 ms a page may take.

`tracker serve` warms each worker before it says it serves, so a store with many hubs starts that
much later (about a second a hub on the demo); gunicorn started from `gunicorn.conf.py` (the
container) does not warm."""

from __future__ import annotations

from flask import Flask

from api.hub_pages import hub_reads
from api.services import services
from projections import engagement
from projections.listings import all_hubs
from tracker.calendar import AcademicYear, default_as_of


def warm(app: Flask) -> None:
    """Ask what the hub pages ask, as they ask it, so the same cache entries are filled."""
    with app.app_context():
        services().catch_up_inline()  # embedded, the views are caught up by whoever reads first
        reads, store = services().reads, services().store
        today = reads.today()
        year = AcademicYear.containing(today)
        for hub in all_hubs(store):
            hub_reads(hub.code)
            as_of = default_as_of(year, today)
            engagement.engagement(store, reads.hub_members(hub.code, as_of), year, as_of)
