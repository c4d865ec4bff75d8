"""People's accounts on the views: each account and each grant's life, and who could see what.

A grant's row is never deleted: withdrawing it stamps `withdrawn_at`, so the question an auditor
asks, "who could see school X's pupils on 1 March, and who granted it", reads one table.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from projections.page import Page
from projections.rows import aggregate_id, stamp
from projections.store import ViewStore

# Grants that show a school's pupils (api/policy.py): the school's own, and the overseers'.
# A hub grant never does, so it is not asked about here.
PUPIL_SEERS = ("admin", "auditor")


def account_invited(event: Any, page: Page) -> None:
    at, account = stamp(event.timestamp), aggregate_id(event)
    page.insert("accounts", [(account, event.email, event.name, at, event.actor, None, None)])
    page.insert("grants", [(account, event.grant, at, event.actor, None, None)])


def account_joined(event: Any, page: Page) -> None:
    page.update("accounts", {"id": aggregate_id(event)}, joined_at=stamp(event.timestamp))


def grant_given(event: Any, page: Page) -> None:
    row = (aggregate_id(event), event.scope, stamp(event.timestamp), event.actor, None, None)
    page.insert("grants", [row])


def grant_withdrawn(event: Any, page: Page) -> None:
    page.update(
        "grants",
        {"account_id": aggregate_id(event), "scope": event.scope, "withdrawn_at": None},
        withdrawn_at=stamp(event.timestamp),
        withdrawn_by=event.actor,
    )


def account_disabled(event: Any, page: Page) -> None:
    page.update("accounts", {"id": aggregate_id(event)}, disabled_at=stamp(event.timestamp))


def account_reenabled(event: Any, page: Page) -> None:
    page.update("accounts", {"id": aggregate_id(event)}, disabled_at=None)


GRANT_COLUMNS = ("email", "name", "scope", "given_at", "given_by", "withdrawn_at", "withdrawn_by")


def who_could_see_pupils(store: ViewStore, urn: str, on: date) -> list[dict[str, Any]]:
    """Every grant that showed school `urn`'s pupils at some time on day `on` (UTC), held by a
    person who had joined by then, and who gave it: oldest first."""
    start, end = on.isoformat(), (on + timedelta(days=1)).isoformat()
    rows = store.query(
        "SELECT a.email, a.name, g.scope, g.given_at, g.given_by, g.withdrawn_at, g.withdrawn_by "
        "FROM {grants} g JOIN {accounts} a ON a.id = g.account_id "
        "WHERE g.scope IN (?, ?, ?) AND g.given_at < ? "
        "AND (g.withdrawn_at IS NULL OR g.withdrawn_at >= ?) "
        "AND a.joined_at IS NOT NULL AND a.joined_at < ? "
        "ORDER BY g.given_at, a.email",
        (f"school:{urn}", *PUPIL_SEERS, end, start, end),
    )
    return [dict(zip(GRANT_COLUMNS, row, strict=True)) for row in rows]


def people(store: ViewStore) -> list[dict[str, Any]]:
    """Every account with its grants held now: the People page's list."""
    rows = store.query(
        "SELECT a.email, a.name, a.joined_at, a.disabled_at, g.scope FROM {accounts} a "
        "LEFT JOIN {grants} g ON g.account_id = a.id AND g.withdrawn_at IS NULL "
        "ORDER BY a.email, g.scope"
    )
    listed: dict[str, dict[str, Any]] = {}
    for email, name, joined_at, disabled_at, scope in rows:
        person = listed.setdefault(
            email,
            {
                "email": email,
                "name": name,
                "joined": joined_at is not None,
                "disabled": disabled_at is not None,
                "grants": [],
            },
        )
        if scope:
            person["grants"].append(scope)
    return list(listed.values())


TOKEN_COLUMNS = ("id", "scope", "note", "issued_at", "expires_on")


def personal_tokens(store: ViewStore, account_id: str) -> list[dict[str, Any]]:
    """A person's own API tokens not revoked (expired ones too, so they see why one stopped)."""
    rows = store.query(
        f"SELECT {', '.join(TOKEN_COLUMNS)} FROM {{tokens}} "
        "WHERE subject = ? AND revoked_at IS NULL ORDER BY issued_at",
        (account_id,),
    )
    return [dict(zip(TOKEN_COLUMNS, row, strict=True)) for row in rows]
