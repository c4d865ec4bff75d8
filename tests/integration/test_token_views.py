"""The tokens view on every store: a token's expiry, or none, as its Issued event gives it."""

from __future__ import annotations

from datetime import date

from projections.runner import Runner
from projections.store import view_store_for
from tracker.application import Tracker


def test_the_tokens_view_holds_each_tokens_expiry(database_url):
    app = Tracker.from_url(database_url, today=lambda: date(2019, 7, 15))
    store = view_store_for(database_url)
    store.create_tables()
    app.issue_token("auditor", "inspector@example", expires_on=date(2027, 1, 31))
    app.issue_token("hub:DEMO", "lead@example")
    Runner(app, store).catch_up()
    rows = store.query("SELECT subject, expires_on FROM {tokens} ORDER BY subject")
    assert [(subject, str(expires) if expires else None) for subject, expires in rows] == [
        ("inspector@example", "2027-01-31"),
        ("lead@example", None),
    ]
    store.close()
