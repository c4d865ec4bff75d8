"""A page's writes mean the same on every view store, one row at a time or many in one batch."""

from __future__ import annotations

from datetime import date

import pytest

from projections.page import Known, Page
from projections.store import view_store_for
from projections.writes import update, upsert


@pytest.fixture
def store(database_url):
    views = view_store_for(database_url)
    views.create_tables()
    yield views
    views.close()


def written(store, *writes) -> None:
    """Each function given writes to one page, all in one transaction."""
    with store.transaction() as cursor:
        page = Page(store, cursor, Known())
        for write in writes:
            write(page)
        page.flush()


def test_an_upsert_of_one_key_many_times_in_a_page_keeps_the_last_row(store):
    rows = [("1", 2018, 7), ("2", 2018, 7), ("1", 2018, 8), ("1", 2018, 9)]
    written(store, lambda page: page.upsert("year_groups", ("upn", "from_year"), rows))
    written(store, lambda page: page.upsert("year_groups", ("upn", "from_year"), [("2", 2018, 10)]))
    assert store.query("SELECT upn, year_group FROM {year_groups} ORDER BY upn") == [
        ("1", 9),
        ("2", 10),
    ]


def test_an_upsert_of_the_greatest_never_lowers_what_is_stored(store):
    def raise_to(*positions):
        rows = [("mark", position) for position in positions]
        return lambda page: page.upsert_greatest("tracking", ("name",), rows)

    written(store, raise_to(2020), raise_to(2019))
    written(store, raise_to(2018, 2021, 2017))
    assert store.position("mark") == 2021


def test_a_none_in_a_key_matches_only_the_rows_holding_null(store):
    enrolments = [
        ("1", "100000", date(2018, 9, 1), date(2019, 7, 20), None, 0, 0),
        ("1", "100000", date(2019, 9, 1), None, None, 0, 0),
    ]
    current = {"upn": "1", "school_urn": "100000", "left_on": None}
    written(
        store,
        lambda page: page.insert("enrolments", enrolments),
        lambda page: page.update("enrolments", current, sen=1),
    )
    assert store.query("SELECT enrolled_on, sen FROM {enrolments} ORDER BY enrolled_on") == [
        (store_date(store, date(2018, 9, 1)), 0),
        (store_date(store, date(2019, 9, 1)), 1),
    ]


def test_rows_among_a_list_are_deleted_within_their_key_only(store):
    encounters = [
        (source, upn, "100000", date(2018, 11, 15), 2018, "talk", "employer", 1)
        for source in ("a", "b")
        for upn in ("1", "2", "3")
    ]
    written(
        store,
        lambda page: page.insert("encounters", encounters),
        lambda page: page.delete_among("encounters", "upn", ["1", "3"], {"source_id": "a"}),
    )
    assert store.query("SELECT source_id, upn FROM {encounters} ORDER BY source_id, upn") == [
        ("a", "2"),
        ("b", "1"),
        ("b", "2"),
        ("b", "3"),
    ]


def test_an_increment_adds_to_what_is_stored(store):
    written(
        store,
        lambda page: page.insert("activities", [("a", *[None] * 11, 3, None, None, 1)]),
        lambda page: page.increment("activities", {"id": "a"}, attendees=2),
        lambda page: page.increment("activities", {"id": "a"}, attendees=-4),
    )
    assert store.query("SELECT attendees FROM {activities}") == [(1,)]


def test_writes_name_the_tables_columns_and_refuse_any_other():
    # A versioned table's rows carry the position they are current from (docs/time.md).
    assert upsert("year_groups", ("upn", "from_year")).template == (
        "INSERT INTO {year_groups} (upn, from_year, year_group, vfrom) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (upn, from_year) DO UPDATE SET year_group = excluded.year_group, "
        "vfrom = excluded.vfrom"
    )
    with pytest.raises(ValueError, match="no column year"):
        update("year_groups", ("year",), (("upn", False),))


def store_date(store, day: date):
    """A date as the store gives it back: PostgreSQL's dates are dates, SQLite's are text."""
    return day if type(store).__name__ == "PostgresViewStore" else day.isoformat()


def at(position: int, write):
    """A write made by the event at `position`."""

    def made(page):
        page.position = position
        write(page)

    return made


def test_a_key_written_by_two_events_in_one_page_keeps_the_first_version_in_history(store):
    def upsert_group(*rows):
        return lambda page: page.upsert("year_groups", ("upn", "from_year"), list(rows))

    written(
        store,
        at(3, upsert_group(("1", 2018, 7), ("2", 2018, 7))),
        at(5, upsert_group(("1", 2018, 8))),
        at(5, upsert_group(("1", 2018, 9))),  # the same event again: replaced in place
        at(8, upsert_group(("1", 2018, 10))),
    )
    assert store.query("SELECT upn, year_group, vfrom FROM {year_groups} ORDER BY upn") == [
        ("1", 10, 8),
        ("2", 7, 3),
    ]
    assert store.query(
        "SELECT upn, year_group, vfrom, vuntil FROM {year_groups_history} ORDER BY vfrom"
    ) == [("1", 7, 3, 5), ("1", 9, 5, 8)]


def test_a_deleted_or_updated_row_is_kept_as_the_version_it_was_until_then(store):
    encounter = ("a", "1", "100000", date(2018, 10, 1), 2018, "talk", "employer", 1)
    written(
        store,
        at(2, lambda page: page.insert("encounters", [encounter, ("a", "2", *encounter[2:])])),
        at(4, lambda page: page.update("encounters", {"source_id": "a"}, counts=0)),
        at(6, lambda page: page.delete_among("encounters", "upn", ["1"], {"source_id": "a"})),
        at(7, lambda page: page.delete("encounters", {"source_id": "a"})),
    )
    assert store.query("SELECT * FROM {encounters}") == []
    assert store.query(
        "SELECT upn, counts, vfrom, vuntil FROM {encounters_history} ORDER BY vuntil, upn"
    ) == [("1", 1, 2, 4), ("2", 1, 2, 4), ("1", 0, 4, 6), ("2", 0, 4, 7)]
    known = store.known_at(5)
    assert known.query("SELECT upn, counts FROM {encounters} ORDER BY upn") == [("1", 0), ("2", 0)]
    assert store.known_at(1).query("SELECT COUNT(*) FROM {encounters}") == [(0,)]


def test_rows_of_every_column_type_read_back_as_written_in_a_batch(store):
    # A batch goes by COPY on PostgreSQL, in its binary format, which packs each value as its
    # column's type: a flag given as a bool, a real as an int, a date or a number as NULL.
    placements = [
        ("p1", "100000", "1", "work_experience", "Acme", date(2026, 3, 2), None, "arranged")
        + (None, 7, 3),
        ("p2", "100000", "2", "work_experience", None, None, date(2026, 3, 6), "completed")
        + (date(2026, 3, 6), 7.5, None),
    ]
    activities = [
        ("a1", "100000", "employer_talk", "employer", "Talk", date(2026, 1, 5), 2025, True, False)
        + ('["x"]', "Acme", None, 30, None, "2026-01-05T09:00:00.000000+00:00", 1),
        ("a2", "100000", "fe_visit", "fe", "Visit", date(2026, 2, 5), 2025, 0, 1)
        + (None, None, "College", 0, "duplicate", "2026-02-05T09:00:00.000000+00:00", 2),
    ]
    written(
        store,
        lambda page: page.at(5, "2026-03-06T09:00:00.000000+00:00"),
        lambda page: page.insert("placements", placements),
        lambda page: page.insert("activities", activities),
    )
    got = store.query(
        "SELECT id, employer_name, starts_on, ends_on, completed_on, hours, position, vfrom "
        "FROM {placements} ORDER BY id"
    )
    assert [(*row[:2], *map(_day, row[2:5]), *row[5:]) for row in got] == [
        ("p1", "Acme", date(2026, 3, 2), None, None, 7.0, 3, 5),
        ("p2", None, None, date(2026, 3, 6), date(2026, 3, 6), 7.5, None, 5),
    ]
    assert store.query(
        "SELECT id, academic_year, counts, meaningful, criteria, provider_name, attendees, "
        "retracted_reason, position FROM {activities} ORDER BY id"
    ) == [
        ("a1", 2025, 1, 0, '["x"]', None, 30, None, 1),
        ("a2", 2025, 0, 1, None, "College", 0, "duplicate", 2),
    ]


def _day(value):
    """A date as read back: SQLite's are ISO text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def test_many_updates_of_one_shape_leave_what_they_would_one_at_a_time(store):
    """A page's updates go to PostgreSQL as one statement over arrays, a key at most once in each;
    a key updated by three events keeps each version, and a NULL in the key still matches only
    the rows holding it."""
    school, term = "100000", date(2018, 9, 1)
    left = {"upn": None, "school_urn": school, "left_on": None}

    def leave(upn, day):
        return lambda page: page.update(
            "enrolments", {**left, "upn": upn}, left_on=day, destination="unknown"
        )

    def destination(upn, day, where):
        key = {"upn": upn, "school_urn": school, "left_on": day}
        return lambda page: page.update("enrolments", key, destination=where)

    july = date(2019, 7, 20)
    written(
        store,
        at(
            1,
            lambda page: page.insert(
                "enrolments",
                [(upn, school, term, None, None, 0, 0) for upn in ("1", "2", "3", "4")],
            ),
        ),
        at(2, leave("1", july)),
        at(2, leave("2", july)),
        at(2, leave("3", july)),
        at(3, destination("1", july, "college")),
        at(3, destination("2", july, "college")),
        at(4, destination("1", july, "apprenticeship")),
        at(5, leave("1", date(2019, 8, 1))),  # left already: matches no row
    )
    stored = store.query("SELECT upn, left_on, destination, vfrom FROM {enrolments} ORDER BY upn")
    assert stored == [
        ("1", store_date(store, july), "apprenticeship", 4),
        ("2", store_date(store, july), "college", 3),
        ("3", store_date(store, july), "unknown", 2),
        ("4", None, None, 1),
    ]
    assert store.query(
        "SELECT upn, destination, vfrom, vuntil FROM {enrolments_history} ORDER BY upn, vfrom"
    ) == [
        ("1", None, 1, 2),
        ("1", "unknown", 2, 3),
        ("1", "college", 3, 4),
        ("2", None, 1, 2),
        ("2", "unknown", 2, 3),
        ("3", None, 1, 2),
    ]
