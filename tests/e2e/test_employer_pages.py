"""The employer pages in a real browser against gunicorn: the hub's employer network shows what
the API gives, an employer's page its history, and a school its provider access report."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.e2e.test_browser import CHROMIUM, page, shot, sign_in, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


def api(base: str, token: str, path: str) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}
    )
    return json.loads(urllib.request.urlopen(request).read())


def test_the_hub_lead_sees_the_employer_network_the_api_gives(site, page):  # noqa: F811
    base, tokens = site
    figures = api(base, tokens["hub"], "/hubs/DEMO/employers?year=2018/19")
    sign_in(page, base, tokens["hub"])
    page.goto(f"{base}/dashboard/hubs/DEMO/employers?year=2018/19")
    shot(page, "hub-employers")
    assert page.inner_text("#employers") == str(figures["totals"]["employers"]) == "1"
    assert page.inner_text("#encounters") == str(figures["totals"]["encounters"]) == "8"
    assert page.locator("#grid tr").count() == 3  # a header and the two schools
    page.click("#employer-list a:has-text('Acme Engineering')")
    assert page.inner_text("#employer-name") == "Acme Engineering"
    assert "low" in page.inner_text("#history")  # School B's 2 pupils, withheld from a hub


def test_a_school_reads_its_provider_access_report(site, page):  # noqa: F811
    base, tokens = site
    sign_in(page, base, tokens["school"])
    page.goto(f"{base}/dashboard/schools/900001/provider-access?year=2018/19")
    shot(page, "provider-access")
    assert "not met" in page.inner_text("#phase-10-11")
    page.goto(f"{base}/dashboard/schools/900002/provider-access?year=2018/19")
    assert page.locator("#phases").count() == 0  # another school's report is refused


def test_the_hub_lead_downloads_the_employer_list_from_its_page(site, page):  # noqa: F811
    base, tokens = site
    sign_in(page, base, tokens["hub"])
    page.goto(f"{base}/dashboard/hubs/DEMO/employers?year=2018/19")
    with page.expect_download() as started:
        page.click("#export-csv")
    download = started.value
    assert download.suggested_filename == "DEMO-employers-2018-19-2019-08-31.csv"
    lines = open(download.path(), encoding="utf-8").read().splitlines()
    assert lines[0].startswith("id,name,sector,size,encounters,schools,placements")
    assert lines[1].split(",")[1:7] == ["Acme Engineering", "C", "large", "8", "2", "low"]
    with page.expect_download() as started:
        page.click("#export-xlsx")
    assert started.value.suggested_filename.endswith(".xlsx")
