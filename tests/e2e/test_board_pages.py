"""The placements board, the Benchmark 1-4 checklist, the lists of hubs and schools and the hub
page's filters, in a real browser against gunicorn (fixtures from test_browser.py)."""

from __future__ import annotations

from tests.e2e.test_browser import page, shot, sign_in, site  # noqa: F401 (fixtures)

SCHOOL_A = "/dashboard/schools/900001"


def arrange(browser_page, upn: str, employer: str, starts: str, ends: str) -> None:
    browser_page.fill("#arrange input[name=upn]", upn)
    browser_page.fill("#arrange input[name=employer]", employer)
    browser_page.fill("#arrange input[name=starts_on]", starts)
    browser_page.fill("#arrange input[name=ends_on]", ends)
    browser_page.click("#arrange button")


def column(browser_page, state: str) -> str:
    return " ".join(browser_page.locator(f"#board td.column-{state}").all_inner_texts())


def test_a_placement_is_arranged_confirmed_once_checked_and_completed(site, page):  # noqa: F811
    """Through its life: the completion with its hours and the employer's "would host" answer."""
    base, tokens = site
    sign_in(page, base, tokens["school"])
    page.goto(f"{base}{SCHOOL_A}")
    page.click("#placements-link")
    shot(page, "placements-board")
    arrange(page, "V885400112003", "Severn Trent Water", "2019-05-13", "2019-05-17")
    assert "Arranged" in page.inner_text("[role=status]")
    assert "V885400112003" in column(page, "arranged")
    option = "V885400112003, Severn Trent Water, from 2019-05-13"
    page.select_option("#confirm select[name=placement_id]", label=option)
    page.check("#confirm input[name=safeguarding]")
    page.click("#confirm button")  # the risk assessment is not ticked
    assert "not ticked: risk assessment done" in page.inner_text("#confirm-error")
    assert page.is_checked("#confirm input[name=safeguarding]")  # as it was sent
    shot(page, "placements-confirm-refused")
    page.check("#confirm input[name=risk_assessment]")
    page.click("#confirm button")
    confirmed = column(page, "confirmed")
    assert "V885400112003" in confirmed and "risk assessment, safeguarding" in confirmed
    page.select_option("#complete select[name=placement_id]", label=option)
    page.fill("#complete input[name=completed_on]", "2019-05-17")
    page.fill("#complete input[name=hours]", "32.5")
    page.check("#complete input[name=would_host][value=yes]")
    page.click("#complete button")
    completed = column(page, "completed")
    assert "Severn Trent Water" in completed and "Completed 2019-05-17, 32.5 hours" in completed
    assert "Would host another: yes" in completed
    assert "V885400112003" not in column(page, "confirmed")
    shot(page, "placements-completed")


def test_a_placement_is_cancelled_with_its_reason_shown_on_the_board(site, page):  # noqa: F811
    base, tokens = site
    sign_in(page, base, tokens["school"])
    page.goto(f"{base}{SCHOOL_A}/placements")
    arrange(page, "Y885400112005", "Worcester Bosch", "2019-06-03", "2019-06-07")
    page.select_option(
        "#cancel select[name=placement_id]", label="Y885400112005, Worcester Bosch, from 2019-06-03"
    )
    page.fill("#cancel input[name=reason]", "Employer closed the site for refurbishment")
    page.click("#cancel button")
    cancelled = column(page, "cancelled")
    assert "Y885400112005" in cancelled
    assert "Reason: Employer closed the site for refurbishment" in cancelled
    shot(page, "placements-cancelled")


def test_a_checklist_change_is_shown_with_its_evidence_in_the_criterions_history(site, page):  # noqa: F811
    base, tokens = site
    sign_in(page, base, tokens["school"])
    page.goto(f"{base}{SCHOOL_A}")
    page.click("#checklist-link")
    section = page.locator("#criterion-1-3")
    assert "Not met" in section.locator(".state").inner_text()
    shot(page, "checklist-before")
    section.locator("summary").click()  # the form is folded away until asked for
    section.locator("input[name=met][value=yes]").check()
    section.locator("input[name=evidence]").fill("Ms Patel appointed Careers Leader, minute 14")
    section.locator("button").click()
    assert "Criterion 1.3 changed" in page.inner_text("[role=status]")
    section = page.locator("#criterion-1-3")
    assert section.locator(".state").inner_text().startswith("Met")
    latest = section.locator("table.history tr:nth-child(2)").inner_text()
    assert "met" in latest and "Ms Patel appointed Careers Leader, minute 14" in latest
    assert "school@example" in latest
    shot(page, "checklist-after")


def test_an_auditor_finds_a_hub_in_the_list_and_its_schools(site, page):  # noqa: F811
    base, tokens = site
    sign_in(page, base, tokens["auditor"])
    page.click("#hubs-link")
    shot(page, "hubs-list")
    hubs = page.inner_text("#hubs")
    assert "Demo Careers Hub (DEMO)" in hubs
    page.click("text=Schools of Demo Careers Hub")
    shot(page, "hub-schools-auditor")
    assert page.locator("#schools tr").count() == 3  # a header and two schools
    assert page.locator("#schools a[href$='/pupils']").count() == 2  # auditors see rolls


def test_a_hub_leads_list_of_schools_links_to_their_figures_and_never_their_pupils(site, page):  # noqa: F811
    base, tokens = site
    sign_in(page, base, tokens["hub"])
    page.goto(f"{base}/dashboard/hubs/DEMO?as_of=2019-03-31")
    page.click("#schools-list")
    shot(page, "hub-schools-hub-lead")
    links = [a.get_attribute("href") for a in page.locator("#schools a").all()]
    assert links and all("/dashboard/schools/9000" in link for link in links)
    assert not any("pupils" in link or "placements" in link for link in links)
    page.goto(f"{base}/dashboard/hubs")
    assert page.locator("#hubs tr").count() == 2  # a header and the hub's own


def test_the_hub_page_filter_by_benchmark_holds_for_sorting_and_download(site, page):  # noqa: F811
    base, tokens = site
    sign_in(page, base, tokens["hub"])
    page.goto(f"{base}/dashboard/hubs/DEMO?as_of=2019-03-31")
    assert page.locator("#heatmap tr").count() == 3
    page.select_option("#school-filter select[name=benchmark]", "6")
    page.select_option("#school-filter select[name=achieved]", "no")
    page.click("#school-filter button")
    shot(page, "hub-filtered")
    assert page.inner_text("#shown-count").startswith("1 of 2")
    assert "School A" in page.inner_text("#heatmap") and "School B" not in page.inner_text(
        "#heatmap"
    )
    assert "benchmark=6&achieved=no" in page.get_attribute("#export-csv", "href")
    page.click("#heatmap th:nth-child(6) a")  # sort by BM5: the filter stays
    assert "sort=bm5" in page.url and "benchmark=6" in page.url
    assert page.locator("#heatmap tr").count() == 2
    with page.expect_download() as download:
        page.click("#export-csv")
    text = open(download.value.path(), encoding="utf-8").read()
    assert "900001" in text and "900002" not in text
    page.select_option("#school-filter select[name=type]", "secondary")
    page.select_option("#school-filter select[name=benchmark]", "")
    page.click("#school-filter button")
    assert page.inner_text("#shown-count").startswith("2 of 2")
