"""Whatever a school types into a free-text field is refused with a 4xx naming the field, or stored
as typed (trimmed) and shown escaped on every page that shows it; SQL and HTML in it do nothing."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in

HOSTILE = [
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM v_pupils;--",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</td></tr></table><h1>owned</h1>",
    "{{ 7*7 }}",
    "{% raw %}",
    "&lt;already escaped&gt;",
    "\u202eevil\u202c",
    "🎓 careers 🎓",
    "a\x00b",
    "tab\there",
    "line\nbreak",
    "\x1b[31mred",
    "x" * 200,
    "x" * 201,
    "   ",
    "Zoë Müller-Ó'Brien",
    "half a pair \ud800 alone",
    "\udfff",
]
TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=40))
WORLD = make_world()
sign_in(WORLD.client, WORLD.tokens["school"])
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a JSON escape can send one; UTF-8 cannot store it


def acceptable(text: str) -> bool:
    """What the rules accept: 1–200 characters once trimmed, no control characters but tab and
    newlines, no half of a surrogate pair."""
    return (
        0 < len(text.strip())
        and len(text) <= 200
        and not CONTROL.search(text)
        and not LONE_SURROGATE.search(text)
    )


def shown_escaped(page: str, text: str) -> bool:
    """The text is on the page in its escaped form, and a parser reading the page finds it whole as
    text (in a text node or an attribute's value), so none of it became markup. Looking for the raw
    text in the source instead fails for text that is itself a piece of markup every page holds,
    such as "<"."""
    return str(escape(text)) in page and any(text in chunk for chunk in _rendered(page))


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.chunks.extend(value for _name, value in attrs if value)


def _rendered(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.chunks


def record(title: str, employer: str) -> tuple[int, dict]:
    before = WORLD.tracker.recorder.max_notification_id()
    response = WORLD.client.post(
        "/api/v1/schools/900001/activities",
        headers=WORLD.headers("school"),
        json={
            "kind": "employer_talk",
            "title": title,
            "occurred_on": "2019-01-10",
            "meaningful": True,
            "employer": {"name": employer, "size": "large"},
            "attendees": ["R885400112001"],
        },
    )
    if response.status_code != 201:
        assert WORLD.tracker.recorder.max_notification_id() == before, (
            "a refused request stored nothing"
        )
    return response.status_code, response.json


@SETTINGS
@given(title=TEXT, employer=TEXT)
def test_an_activitys_title_and_employer_are_stored_as_typed_or_refused_by_name(title, employer):
    status, answer = record(title, employer)
    if not (acceptable(title) and acceptable(employer)):
        assert status == 422, answer
        refused = answer["errors"]["json"]
        assert {"title", "employer.name", "employer"} & set(refused), refused
        return
    assert status == 201, answer
    items = WORLD.client.get(
        "/api/v1/schools/900001/activities?start=2019-01-10&end=2019-01-10&limit=1000",
        headers=WORLD.headers("school"),
    ).json["items"]
    stored = next(item for item in items if item["id"] == answer["id"])
    assert (stored["title"], stored["employer_name"]) == (title.strip(), employer.strip())
    page = WORLD.client.get("/dashboard/schools/900001?as_of=2019-01-31").get_data(as_text=True)
    assert shown_escaped(page, title.strip()) and shown_escaped(page, employer.strip())


@SETTINGS
@given(reason=TEXT)
def test_a_retraction_reason_is_stored_as_typed_and_shown_escaped_to_the_auditor(reason):
    status, answer = record("To retract", "Acme")
    assert status == 201
    response = WORLD.client.post(
        f"/api/v1/activities/{answer['id']}/retract",
        headers=WORLD.headers("school"),
        json={"reason": reason},
    )
    if not acceptable(reason) or len(reason) > 500:
        assert response.status_code == 422 and "reason" in response.json["errors"]["json"]
        return
    assert response.status_code == 200, response.json
    audit = WORLD.client.get(
        f"/api/v1/audit/events?type=Activity.Retracted&after={response.json['position'] - 1}",
        headers=WORLD.headers("auditor"),
    ).json["items"]
    assert audit[0]["data"]["reason"] == reason.strip()


def test_hostile_names_on_the_pupil_page_and_the_audit_page_are_escaped():
    world = make_world()
    name = "<script>alert('pupil')</script>"
    enrolled = world.client.post(
        "/api/v1/schools/900001/pupils",
        headers=world.headers("school"),
        json={
            "upn": "X885400112099",
            "given_name": name,
            "family_name": "O'Brien & Sons",
            "date_of_birth": "2007-01-15",
            "year_group": 7,
            "enrolled_on": "2019-01-07",
        },
    )
    assert enrolled.status_code == 201
    sign_in(world.client, world.tokens["auditor"])
    for path in ("/dashboard/pupils/X885400112099", "/dashboard/audit?upn=X885400112099"):
        page = world.client.get(path).get_data(as_text=True)
        assert "<script>alert(" not in page, path
    page = world.client.get("/dashboard/pupils/X885400112099").get_data(as_text=True)
    assert str(escape(name)) in page and "O&#39;Brien &amp; Sons" in page


def test_text_with_sql_in_it_reaches_postgresql_views_intact(postgres_url):
    """The same strings through the real projection on PostgreSQL: stored, projected, read back."""
    from projections import records
    from projections.runner import Runner
    from projections.store import view_store_for
    from tests.scenarios import EMPLOYER, SCHOOL_A, UPN, build_worked_example
    from tracker.application import Tracker
    from tracker.errors import InvalidValue

    app = Tracker.from_url(postgres_url, today=lambda: date(2019, 7, 15))
    build_worked_example(app)
    kept = []
    for text in HOSTILE:
        try:
            app.record_activity(
                SCHOOL_A,
                "employer_talk",
                text,
                date(2019, 1, 10),
                [UPN["p1"]],
                employer=EMPLOYER,
                meaningful=True,
            )
            kept.append(text.strip())
        except InvalidValue as refused:
            assert refused.field == "title" and not acceptable(text)
    store = view_store_for(postgres_url)
    store.create_tables()
    Runner(app, store).catch_up()
    titles = [
        a["title"]
        for a in records.school_activities(
            store, SCHOOL_A, date(2019, 1, 10), date(2019, 1, 10), None, None, 1000
        ).items
    ]
    assert (
        sorted(titles) == sorted(kept)
        and len(kept) == sum(map(acceptable, HOSTILE)) >= len(HOSTILE) - 6
    )
    store.close()
