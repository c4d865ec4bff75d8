"""The dashboard's hub page, its download and list of schools, and a school's checklist, as known
at a past time: each shows what was known then, and every link and form of the hub page keeps
the time, so its download is of the figures the page shows."""

from __future__ import annotations

import re
from urllib.parse import quote

from tests.api.test_board_pages import post, signed_in_as
from tests.api.test_known_at_reads import a_moment_then_changes


def _members(page: str) -> list[str]:
    return re.findall(r'href="/dashboard/schools/(\d+)[?"]', page)


def test_the_hub_pages_download_and_schools_as_known_at_a_time_are_the_hub_then():
    world = signed_in_as("admin")
    csv_then = world.client.get("/dashboard/hubs/DEMO/schools.csv").get_data(as_text=True)
    list_then = world.client.get("/dashboard/hubs/DEMO/schools").get_data(as_text=True)
    known_at = a_moment_then_changes(world)  # school 900001 leaves the hub after the moment
    csv_now = world.client.get("/dashboard/hubs/DEMO/schools.csv").get_data(as_text=True)
    assert "900001" in csv_then and "900001" not in csv_now

    page = world.client.get(f"/dashboard/hubs/DEMO?known_at={known_at}").get_data(as_text=True)
    links = re.findall(r'href="(/dashboard/[^"]+)"', page)
    for wanted in ("/schools.csv", "/schools.xlsx", "/hubs/DEMO/schools?", "/schools/900001?"):
        kept = [link for link in links if wanted in link]
        assert kept and all("known_at=" in link for link in kept), (wanted, kept)
    forms = re.findall(r'<form method="get".*?</form>', page, re.S)
    assert forms and all('name="known_at"' in form for form in forms)

    csv_known = world.client.get(f"/dashboard/hubs/DEMO/schools.csv?known_at={known_at}")
    assert csv_known.status_code == 200 and csv_known.get_data(as_text=True) == csv_then
    listed = world.client.get(f"/dashboard/hubs/DEMO/schools?known_at={known_at}")
    now = world.client.get("/dashboard/hubs/DEMO/schools").get_data(as_text=True)
    assert "900001" in _members(listed.get_data(as_text=True)) == _members(list_then)
    assert "900001" not in _members(now)
    assert "as known at" in listed.get_data(as_text=True)


def test_a_checklist_as_known_at_a_time_is_the_checklist_then():
    world = signed_in_as("school")
    path = "/dashboard/schools/900001/checklist"
    known_at = a_moment_then_changes(world)
    changed = post(world, path, benchmark="2", code="2.1", met="yes", evidence="LMI")
    assert changed.status_code == 302

    def criterion(page: str) -> str:
        return re.search(r'id="criterion-2-1".*?</section>', page, re.S).group(0)

    now = world.client.get(path).get_data(as_text=True)
    known = world.client.get(f"{path}?known_at={known_at}")
    assert known.status_code == 200 and 'id="known-at"' in known.get_data(as_text=True)
    assert '<strong class="cell-yes">Met</strong>' in criterion(now)
    assert '<strong class="cell-yes">Met</strong>' not in criterion(known.get_data(as_text=True))
    assert "<td>LMI</td>" not in criterion(known.get_data(as_text=True))


def test_a_bad_known_at_on_these_pages_is_a_400():
    world = signed_in_as("admin")
    for path in (
        "/dashboard/hubs/DEMO/schools.csv",
        "/dashboard/hubs/DEMO/schools",
        "/dashboard/schools/900001/checklist",
    ):
        for bad in ("yesterday", quote("1899-12-31T09:00")):
            assert world.client.get(f"{path}?known_at={bad}").status_code == 400, (path, bad)
