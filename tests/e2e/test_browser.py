"""The dashboard in a real browser (Debian's Chromium, driven by Playwright) against gunicorn."""

from __future__ import annotations

import json
import shutil
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.serving import served
from tests.e2e.test_gunicorn import ROOT
from tests.scenarios import build_worked_example
from tracker.application import Tracker

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'site.sqlite3'}"
    app = Tracker.from_url(url)
    build_worked_example(app)
    tokens = {
        who: app.issue_token(scope, f"{who}@example")[0]
        for who, scope in (("hub", "hub:DEMO"), ("school", "school:900001"), ("auditor", "auditor"))
    }
    with served(url, "browser-test") as base:
        yield base, tokens


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser.new_page()
        browser.close()


def sign_in(page, base: str, token: str) -> None:
    page.goto(f"{base}/dashboard/sign-in")
    page.fill("input[name=token]", token)
    page.click("button:has-text('Sign in')")


# The widths a page is looked at: a laptop, and a phone held upright.
WIDE, NARROW = 1280, 390
SERIOUS = ("serious", "critical")


def shot(page, name: str) -> None:
    """The page as it stands, checked by axe-core and photographed at each width."""
    assert_accessible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (WIDE, NARROW):
        page.set_viewport_size({"width": width, "height": 900})
        assert_fits(page, width)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDE, "height": 900})


def assert_accessible(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in SERIOUS
    ]
    assert serious == [], (page.url, serious)


def assert_fits(page, width: int) -> None:
    """Nothing but a table's own box scrolls sideways: the page is no wider than the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def record_workplace_visit(page, title: str, day: str) -> None:
    """Through the school page's form (which must be open): two Year 11 pupils of the worked
    example."""
    page.select_option("select[name=kind]", "workplace_visit")
    page.fill("input[name=title]", title)
    page.fill("input[name=occurred_on]", day)
    page.fill("input[name=with]", "Acme Engineering")
    page.fill("textarea[name=attendees]", "V885400112003\nJ885400112004")
    page.click("button:has-text('Record')")


def test_a_hub_lead_sees_in_the_browser_the_figures_the_api_gives(site, page):
    base, tokens = site
    request = urllib.request.Request(
        f"{base}/api/v1/hubs/DEMO/metrics?as_of=2019-03-31",
        headers={"Authorization": f"Bearer {tokens['hub']}"},
    )
    api = json.loads(urllib.request.urlopen(request).read())
    sign_in(page, base, tokens["hub"])
    page.goto(f"{base}/dashboard/hubs/DEMO?as_of=2019-03-31")
    shot(page, "hub-lead")
    assert (
        page.inner_text("#employer") == f"{api['every_student_employer_encounters']}%" == "100.0%"
    )
    assert (
        page.inner_text("#workplace") == f"{api['every_student_workplace_experience']}%" == "50.0%"
    )
    assert page.locator("#heatmap tr").count() == 3  # a header and the two schools


def test_a_school_user_is_refused_another_schools_page(site, page):
    base, tokens = site
    sign_in(page, base, tokens["school"])
    own = page.goto(f"{base}/dashboard/schools/900001?as_of=2019-03-31")
    shot(page, "school-own")
    assert own.status == 200 and "School A" in page.inner_text("h1")
    other = page.goto(f"{base}/dashboard/schools/900002")
    assert other.status == 403


def test_a_wrong_token_does_not_sign_in(site, page):
    base, _ = site
    sign_in(page, base, "not-a-token")
    shot(page, "sign-in-refused")
    assert "not valid" in page.inner_text("[role=alert]")


def test_a_school_records_an_activity_through_the_form_and_its_figures_change(site, page):
    base, tokens = site
    sign_in(page, base, tokens["school"])
    page.goto(f"{base}/dashboard/schools/900001?as_of=2019-01-31")
    before = page.inner_text("#benchmarks tr:nth-child(7)")  # BM6 row: 1 of 3 met on 31 Jan 2019
    record_workplace_visit(page, "Factory visit", "2019-01-15")
    page.goto(f"{base}/dashboard/schools/900001?as_of=2019-01-31")
    shot(page, "school-after-recording")
    after = page.inner_text("#benchmarks tr:nth-child(7)")
    assert before.split()[:4] == ["BM6", "3", "1", "33.3%"] and after.split()[:4] == [
        "BM6",
        "3",
        "3",
        "100.0%",
    ]


def test_the_form_refuses_a_pupil_who_is_not_on_roll_and_says_why(site, page):
    base, tokens = site
    sign_in(page, base, tokens["school"])
    page.goto(f"{base}/dashboard/schools/900001")
    page.fill("input[name=title]", "Talk")
    page.fill("input[name=occurred_on]", "2019-01-15")
    page.fill("input[name=with]", "Acme")
    page.fill("textarea[name=attendees]", "A885400212001")
    page.click("button:has-text('Record')")
    assert "not on roll" in page.inner_text("[role=alert]")


def test_an_auditor_filters_the_log_and_sees_figures_as_known_at_a_past_time(site, page):
    base, tokens = site
    sign_in(page, base, tokens["auditor"])
    page.goto(f"{base}/dashboard/audit?type=Activity.Recorded")
    shot(page, "auditor-log")
    types = page.locator("#events td:nth-child(3)").all_inner_texts()
    assert types and set(types) == {"Activity.Recorded"}
    first_recorded = page.inner_text("#events tr:nth-child(2) td:nth-child(2)")
    early = page.goto(f"{base}/dashboard/hubs/DEMO?as_of=2019-03-31&known_at=2000-01-01T00:00")
    assert early.status == 404 and "no hub DEMO" in page.content()  # not registered by then
    # Typed in UK time: an hour ahead of anything recorded, in any season.
    later = (datetime.now(ZoneInfo("Europe/London")) + timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    page.goto(f"{base}/dashboard/hubs/DEMO?as_of=2019-03-31&known_at={later}")
    assert "as known at" in page.inner_text("#known-at")
    assert page.inner_text("#employer") != "n/a"  # everything recorded so far
    assert first_recorded.startswith("20")


def test_a_careers_leader_asks_for_the_roll_as_known_at_a_time_with_the_pages_picker(site, page):
    base, tokens = site
    sign_in(page, base, tokens["school"])
    page.goto(f"{base}/dashboard/schools/900001/pupils?as_of=2019-03-31")
    now = page.locator("#roll td:first-child").all_inner_texts()
    # Typed in UK time, as the picker sends it; an hour ahead of anything recorded, in any season.
    later = (datetime.now(ZoneInfo("Europe/London")) + timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    page.fill("#roll-filter input[name=known_at]", later)
    page.click("#roll-filter button:has-text('Show')")
    assert "known_at=" in page.url and "as known at" in page.inner_text("#known-at")
    assert page.locator("#roll td:first-child").all_inner_texts() == now != []
    shot(page, "roll-known-at")
    page.fill("#roll-filter input[name=known_at]", "2000-01-01T00:00")
    page.click("#roll-filter button:has-text('Show')")
    assert "no school 900001" in page.content()  # the school was not registered then
    sign_in(page, base, tokens["hub"])  # the hub page draws its years trend as known then too
    page.goto(f"{base}/dashboard/hubs/DEMO?known_at={later}")
    assert "as known at" in page.inner_text("#known-at")
    assert page.locator("svg[aria-label*='end of each academic year']").count() == 1


def test_a_school_corrects_an_activity_through_the_form_and_the_figures_follow(site, page):
    base, tokens = site
    school_page = (
        f"{base}/dashboard/schools/900001?as_of=2018-12-31"  # before any other test's activity
    )
    sign_in(page, base, tokens["school"])

    def bm6_met() -> int:
        page.goto(school_page)
        row = page.inner_text("#benchmarks tr:nth-child(7)").split()
        assert row[0] == "BM6"
        return int(row[2])

    def correct(action: str, **fields) -> None:
        page.goto(school_page)
        page.select_option(
            "#correct-activity select[name=activity_id]", label="2018-12-10 Visit to correct"
        )
        page.check(f"#correct-activity input[name=action][value={action}]")
        for name, value in fields.items():
            page.fill(f"#correct-activity [name={name}]", value)
        page.click("#correct-activity button")
        assert "Corrected" in page.inner_text("body")

    before = bm6_met()
    record_workplace_visit(page, "Visit to correct", "2018-12-10")
    assert bm6_met() == before + 2

    correct("remove", upns="J885400112004")
    assert bm6_met() == before + 1
    correct("retract", reason="recorded against the wrong week")
    assert bm6_met() == before
    shot(page, "school-after-correcting")
    assert "retracted: recorded against the wrong week" in page.inner_text("#activities")


def test_a_school_corrects_a_pupils_year_group_on_the_pupil_page(site, page):
    base, tokens = site
    sign_in(page, base, tokens["school"])
    page.goto(f"{base}/dashboard/pupils/V885400112003")
    this_year = lambda: int(page.inner_text("body").split("; Year ")[1].split()[0])  # noqa: E731
    before = this_year()
    page.fill("#correct-year-group input[name=year_group]", "x")
    page.click("#correct-year-group button")
    assert "year_group must be a year group" in page.inner_text("[role=alert]")
    page.fill("#correct-year-group input[name=year]", "2018/19")
    page.fill("#correct-year-group input[name=year_group]", "10")
    page.click("#correct-year-group button")
    shot(page, "pupil-after-correcting")
    assert "Year group corrected" in page.inner_text("[role=status]")
    assert this_year() == before - 1
    assert "YearGroupChanged" in page.inner_text("#timeline")


def test_every_kind_of_page_passes_axe_and_fits_a_phone(site, page):
    """Each page a person can reach, checked and photographed at both widths (artifacts/)."""
    base, tokens = site
    sign_in(page, base, tokens["auditor"])
    for name, path in (
        ("home", "/dashboard/"),
        ("audit-filtered", "/dashboard/audit?type=activity&since=2000-01-01"),
        ("hub-sorted", "/dashboard/hubs/DEMO?as_of=2019-03-31&sort=bm6&order=desc"),
        ("pupil", "/dashboard/pupils/V885400112003"),
    ):
        assert page.goto(base + path).status == 200, path
        shot(page, name)
    page.goto(f"{base}/dashboard/audit?before=20")
    shot(page, "audit-older")
    page.click("a.newer")
    assert int(page.inner_text("#events tr:nth-child(2) td:first-child")) > 19
    page.click("button:has-text('Sign out')")
    sign_in(page, base, tokens["school"])
    refused = page.goto(f"{base}/dashboard/schools/900002")
    assert refused.status == 403 and "may not see that school" in page.inner_text("[role=alert]")
    shot(page, "error-page")
    icon = page.goto(f"{base}/favicon.ico")
    assert icon.status == 200 and icon.header_value("content-type").startswith("image/svg")


WATCH_POLICY = (
    "window.refused = []; document.addEventListener('securitypolicyviolation', "
    "e => window.refused.push(e.violatedDirective + ' ' + e.blockedURI))"
)


def refused_by_policy(page) -> list[str]:
    return page.evaluate("window.refused")


def test_the_api_docs_work_under_the_content_security_policy(site, page):
    base, _ = site
    page.add_init_script(WATCH_POLICY)
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".opblock", timeout=20000)
    page.locator(".opblock-summary").first.click()
    page.locator(".try-out__btn").first.click()
    assert page.locator(".opblock").count() >= 20 and refused_by_policy(page) == []


def test_the_api_docs_authorize_with_a_token_and_try_a_protected_endpoint(site, page):
    base, tokens = site
    page.goto(f"{base}/api/docs")
    page.click("button.authorize")
    page.fill(".auth-container input", tokens["auditor"])
    page.click(".auth-btn-wrapper button.authorize")
    page.click(".auth-btn-wrapper button.btn-done")
    events = page.locator(".opblock-get").filter(has_text="/api/v1/audit/events").first
    events.locator(".opblock-summary").click()
    events.locator(".try-out__btn").click()
    events.locator("button.execute").click()
    status = events.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=20000)
    assert status.inner_text().strip() == "200"


def test_the_dashboard_and_its_two_scripted_forms_work_under_the_content_security_policy(
    site, page
):
    base, tokens = site
    page.add_init_script(WATCH_POLICY)
    sign_in(page, base, tokens["school"])
    page.goto(f"{base}/dashboard/schools/900001")
    assert (
        page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor")
        == "rgb(16, 56, 79)"
    )
    page.fill("#find-pupil input[name=upn]", "V885400112003")
    page.click("#find-pupil button")
    page.wait_for_url(f"{base}/dashboard/pupils/V885400112003*")
    assert "V885400112003" in page.inner_text("h1") and refused_by_policy(page) == []
    page.click("button:has-text('Sign out')")
    sign_in(page, base, tokens["auditor"])
    page.goto(f"{base}/dashboard/audit")
    page.fill("#figures input[name=as_of]", "2019-03-31")
    page.click("#figures button")
    page.wait_for_url(f"{base}/dashboard/hubs/DEMO?*")
    assert page.inner_text("#employer") == "100.0%" and refused_by_policy(page) == []


def test_a_careers_leader_uploads_an_mis_file_confirms_it_and_finds_year_10_with_no_employer_encounter(  # noqa: E501
    site, page
):
    """Last in this module: it adds pupils to School A, whose figures the tests above compare."""
    base, tokens = site
    page.add_init_script(WATCH_POLICY)
    sign_in(page, base, tokens["school"])
    page.goto(f"{base}/dashboard/schools/900001")
    page.set_input_files(
        "#import-roll input[name=file]", str(ROOT / "tests" / "data" / "sims-roll.csv")
    )
    page.fill("#import-roll input[name=exported_on]", "2019-07-15")
    page.click("#import-roll button")
    preview = page.inner_text("#import-preview")
    assert "7 pupils enrolled" in preview and "1 rows refused" in preview
    assert "date_of_birth" in page.inner_text("#refused")
    shot(page, "import-preview")
    page.click("#confirm-import button")
    page.wait_for_url(f"{base}/dashboard/schools/900001/pupils*")
    assert "7 enrolled" in page.inner_text("[role=status]")
    page.fill("#roll-filter input[name=year_group]", "10")
    page.select_option("#roll-filter select[name=not_met]", "5")
    page.fill("#roll-filter input[name=as_of]", "2019-07-15")
    page.click("#roll-filter button")
    page.wait_for_url(f"{base}/dashboard/schools/900001/pupils?*")
    upns = page.locator("#roll tr td:first-child a").all_inner_texts()
    assert upns == ["M885400118043", "Y885400118042"] and refused_by_policy(page) == []
    shot(page, "roll-year-10-no-employer")
