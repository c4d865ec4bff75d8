"""The dashboard's pages for people: error pages, the icon, and names in place of codes."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_browser_refused_a_page_gets_an_error_page_and_a_script_the_error_body():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    page = world.client.get("/dashboard/schools/900002", headers=BROWSER)
    assert page.status_code == 403 and page.mimetype == "text/html"
    assert "this sign-in may not see that school" in page.get_data(as_text=True)
    script = world.client.get("/dashboard/schools/900002")
    assert script.status_code == 403 and script.json["message"] == (
        "this sign-in may not see that school"
    )


def test_the_api_answers_a_browser_with_the_json_error_body():
    world = make_world()
    response = world.client.get(
        "/api/v1/hubs/NOPE/metrics", headers={**BROWSER, **world.headers("admin")}
    )
    assert response.status_code == 404 and response.json["code"] == 404


def test_an_unknown_dashboard_address_is_a_page_that_leads_back():
    world = make_world()
    page = world.client.get("/dashboard/no-such-page", headers=BROWSER)
    assert page.status_code == 404 and 'href="/dashboard/"' in page.get_data(as_text=True)


def test_the_icon_is_served_before_anyone_signs_in():
    world = make_world()
    icon = world.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")


def test_pages_name_schools_kinds_and_benchmarks_rather_than_show_codes():
    world = make_world()
    sign_in(world.client, world.tokens["school"])
    school = world.client.get("/dashboard/schools/900001").get_data(as_text=True)
    # the activity form's options carry the kind's role and category for the picker's script
    assert re.search(r'<option value="workplace_visit"[^>]*>Workplace visit</option>', school)
    assert "<dt>BM6</dt><dd>Experiences of workplaces</dd>" in school
    pupil = world.client.get("/dashboard/pupils/V885400112003").get_data(as_text=True)
    assert "on roll at School A" in pupil


def test_every_page_declares_a_viewport_for_small_screens():
    world = make_world()
    page = world.client.get("/dashboard/sign-in").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_a_pupils_page_says_what_is_met_and_still_needed_and_tells_the_timeline_in_words():
    world = make_world()
    retracted = world.client.post(
        f"/api/v1/activities/{world.ids['fair']}/retract",
        json={"reason": "wrong date"},
        headers=world.headers("school"),
    )
    assert retracted.status_code == 200
    sign_in(world.client, world.tokens["school"])
    page = world.client.get("/dashboard/pupils/V885400112003").get_data(as_text=True)
    status = page[page.index('id="status"') : page.index('id="counts"')]
    assert "BM6 Experiences of workplaces" in status and "met" in status
    assert "still needs 1 more guidance meeting by 16" in status
    timeline = page[page.index('id="timeline"') :]
    assert "<td>2019-03-10</td>" in timeline and "Workplace visit" in timeline
    assert "Acme Engineering" in timeline and "School A" in timeline
    assert "Correction:</strong> The activity retracted" in timeline
    assert "by school@example" in timeline


def test_the_hub_page_gives_counts_an_axis_with_values_graded_cells_and_a_legend():
    world = make_world()
    sign_in(world.client, world.tokens["admin"])
    page = world.client.get("/dashboard/hubs/DEMO?as_of=2019-03-31").get_data(as_text=True)
    assert 'id="employer-count">2 of 2 schools</div>' in page
    assert 'id="workplace-count">1 of 2 schools</div>' in page
    bars = page[page.index('<svg id="bars"') : page.index("</svg>")]
    assert ">100%</text>" in bars and ">0%</text>" in bars and ">BM5</text>" in bars
    assert "<title>This hub: 100.0%</title>" in bars
    heat = page[page.index('id="heatmap"') :]
    assert 'class="heat-4">100.0%' in heat and 'class="heat-2">66.7%' in heat
    assert 'id="legend"' in page and "75–99%" in page


def test_the_hub_page_sorts_its_schools_by_a_benchmark_either_way():
    world = make_world()
    sign_in(world.client, world.tokens["admin"])

    def order(query: str) -> list[str]:
        page = world.client.get(f"/dashboard/hubs/DEMO?as_of=2019-03-31&{query}")
        heat = page.get_data(as_text=True).split('id="heatmap"')[1]
        return re.findall(r">(School [AB])</a>", heat)

    assert order("sort=bm6&order=asc") == ["School A", "School B"]
    assert order("sort=bm6&order=desc") == ["School B", "School A"]
    assert order("sort=nonsense") == ["School A", "School B"]


def test_the_hub_page_exports_its_schools_as_csv_and_xlsx_and_refuses_other_files():
    world = make_world()
    sign_in(world.client, world.tokens["hub"])
    page = world.client.get("/dashboard/hubs/DEMO?as_of=2019-03-31").get_data(as_text=True)
    link = re.search(r'id="export-csv" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    csv_file = world.client.get(link)
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    lines = csv_file.get_data(as_text=True).splitlines()
    assert lines[0].startswith("urn,name,type,as_of") and len(lines) == 3
    workbook = world.client.get("/dashboard/hubs/DEMO/schools.xlsx?as_of=2019-03-31")
    book = load_workbook(io.BytesIO(workbook.get_data()))
    assert book.sheetnames == ["Schools", "Benchmarks by year group", "Hub vs national"]
    assert world.client.get("/dashboard/hubs/DEMO/schools.pdf").status_code == 404
    assert world.client.get("/dashboard/hubs/DEMO/schools.csv?as_of=31-03-2019").status_code == 400
    assert world.client.get("/dashboard/hubs/OTHER/schools.csv").status_code == 403
