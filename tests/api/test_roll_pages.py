"""The school page's MIS import (preview, then confirm) and the roll it fills, through Flask's
client."""

from __future__ import annotations

import io
import re
from pathlib import Path

from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in

SIMS = (Path(__file__).parent.parent / "data" / "sims-roll.csv").read_bytes()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def preview(client, data: bytes, **fields: str):
    school = client.get("/dashboard/schools/900001").get_data(as_text=True)
    form = {"csrf": csrf_of(school), "file": (io.BytesIO(data), "roll.csv"), **fields}
    return client.post(
        "/dashboard/schools/900001/import", data=form, content_type="multipart/form-data"
    )


def test_a_careers_leader_previews_an_mis_file_confirms_it_and_finds_year_10_with_no_employer_yet():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    before = world.tracker.recorder.max_notification_id()
    shown = preview(world.client, SIMS)
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "7 pupils enrolled" in page and "1 rows refused" in page
    assert world.tracker.recorder.max_notification_id() == before  # the preview stored nothing
    data = re.search(r'name="data" value="([^"]+)"', page).group(1)
    confirmed = world.client.post(
        "/dashboard/schools/900001/import",
        data={"csrf": csrf_of(page), "confirm": "yes", "data": data, "exported_on": ""},
    )
    assert confirmed.status_code == 302 and "/dashboard/schools/900001/pupils" in confirmed.location
    roll = world.client.get("/dashboard/schools/900001/pupils?year_group=10&not_met=5").get_data(
        as_text=True
    )
    assert re.findall(r">(\w\d{12})</a>", roll) == ["M885400118043", "Y885400118042"]
    assert "1 more meaningful employer encounter this year" in roll


def test_a_whole_roll_preview_lists_who_would_leave_and_a_hub_cannot_see_the_roll():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    page = preview(world.client, SIMS, full_roll="yes").get_data(as_text=True)
    assert "pupils not in the file, who would leave on 2019-07-14" in page
    assert "A whole roll with refused rows changes nothing" in page
    hub = make_world()
    sign_in(hub.client, hub.tokens["hub"])
    assert hub.client.get("/dashboard/schools/900001/pupils").status_code == 403
    assert hub.client.post("/dashboard/schools/900001/import").status_code in (400, 403)
