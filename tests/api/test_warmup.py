"""A served worker computes the hub pages' figures before anyone asks (api/warmup.py)."""

from __future__ import annotations

from api.services import services
from api.warmup import warm
from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in


def _held(world) -> dict[str, bool]:
    with world.client.application.app_context():
        services().catch_up_inline()
        reads = services().reads
        today = reads.today()
        return {urn: reads.per_school.holds(urn, today) for urn in reads.hub_members("DEMO", today)}


def test_warming_keeps_every_hub_members_figures_for_today():
    world = make_world()
    assert _held(world) and not any(_held(world).values()), "nothing is kept before warming"
    warm(world.client.application)
    assert all(_held(world).values())


def test_the_hub_page_after_warming_shows_what_it_shows_cold():
    cold, warmed = make_world(), make_world()
    warm(warmed.client.application)
    for world in (cold, warmed):
        sign_in(world.client, world.tokens["hub"])
    pages = [
        world.client.get("/dashboard/hubs/DEMO").get_data(as_text=True) for world in (cold, warmed)
    ]
    strip = [page.split('name="csrf" value="')[0] for page in pages]
    assert "DEMO" in strip[0] and strip[0] == strip[1]
