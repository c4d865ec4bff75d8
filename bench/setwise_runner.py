"""Design (d) of the catch-up prototypes: the set-wise catch-up on PostgreSQL. PostgreSQL decodes a
page's stored events once (bench/setwise_sql.py) and writes the rows of the region's dominant event
types itself; Python applies the rare types through today's handlers, works out the counting rule
once per distinct activity (kind, date, meaningful, criteria) and an organisation id once per
distinct name, and computes the touched pupils' milestones from the rows PostgreSQL hands back.

Each page is one transaction with its tracking position, as today's runner's. It needs the views in
the event store's own database, and a store without CIPHER_KEY unless `staging="copy"`, where
Python reads the page and sends its JSON to the staging table in one COPY (a ciphered store would
decrypt there).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bench import setwise_sql as sql
from projections.page import Page
from projections.rows import counts, json_text
from projections.runner import Runner, _locked_position, _write_position
from projections.store import array_literal
from tracker.calendar import AcademicYear
from tracker.domain.organisation import organisation_id
from tracker.rulesets import ACTIVITY_KINDS

UNTIL_NONE = 2**62


class SetwiseCatchUp(Runner):
    """Today's runner, each page written set-wise where its event types allow."""

    def __init__(
        self, app: Any, store: Any, staging: str = "sql", milestones: bool = True, **options: Any
    ):
        super().__init__(app, store, **options)
        self.staging = staging
        # False only to measure the rest's ceiling: the milestone rows are then left unwritten.
        self.milestones = milestones
        self.pages = {"setwise": 0, "today": 0}

    def catch_up(self, until: int | None = None, progress: Any = None) -> int:
        applied = 0
        while (count := self._next_page(until)) > 0:
            applied += count
            if count < self.page_size:
                break
        if applied >= self.analyse_after:
            self.store.analyse()
        return applied

    def _next_page(self, until: int | None) -> int:
        store = self.store
        with store.transaction() as cursor:
            position = _locked_position(store, cursor)
            store.execute(cursor, sql.STAGING)
            self._stage(cursor, position, until)
            last, count = store.execute(cursor, sql.SPAN).fetchone()
            if not count:
                return 0
            page = Page(store, cursor, self.known)
            others = dict(store.execute(cursor, sql.OTHERS).fetchall())
            if others.keys() - set(sql.BEFORE):
                self.pages["today"] += 1
                self._apply(self._decoded(position, last, ()), page, last)
            else:
                self.pages["setwise"] += 1
                if others:
                    for _, indexed in self._decoded(position, last, sorted(others.values())):
                        self.projection.apply_indexed(indexed, page)
                page.flush()
                write_setwise(page)
                if self.milestones:
                    self.projection.finish(page, last)
                else:
                    page.flush()
            _write_position(store, cursor, last)
        return count

    def _stage(self, cursor: Any, position: int, until: int | None) -> None:
        span = {"after": position, "size": self.page_size, "until": until or UNTIL_NONE}
        if self.staging == "sql":
            self.store.execute(cursor, sql.STAGE, span)
            return
        notifications = self.app.recorder.select_notifications(
            start=position + 1, limit=self.page_size, stop=until
        )
        with cursor.copy(sql.STAGE_COPY) as copy:
            for n in notifications:
                topic = n.topic.split(":", 1)[1]
                row = (n.id, str(n.originator_id), n.originator_version, n.topic, topic)
                copy.write_row((*row, n.state.decode()))

    def _decoded(self, position: int, last: int, topics: Any) -> list:
        """The page's events of `topics` (stored topics; all, if none) decoded by Python, as today's
        runner decodes them."""
        notifications = self.app.recorder.select_notifications(
            start=position + 1, limit=self.page_size, stop=last, topics=topics
        )
        events = self.app.mapper.to_domain_events(notifications, identities=False)
        return [
            (n.id, self.projection.index(event, n.id))
            for n, event in zip(notifications, events, strict=True)
        ]


def write_setwise(page: Page) -> None:
    """The dominant event types' rows, then the touches that decide whose milestones to compute."""
    store, cursor = page.store, page.cursor
    for statement in (sql.NAMES, sql.PUPILS, sql.AUDIT, sql.LISTED, sql.ENROLMENTS):
        store.execute(cursor, statement)
    _in_rounds(page, sql.YEAR_GROUPS)
    rounds = store.execute(cursor, sql.LEAVING_ROUNDS).fetchone()[0]
    for number in range(1, rounds + 1):
        for statement in (sql.LEFT_ENROLMENTS, sql.DESTINED_ENROLMENTS):
            store.execute(cursor, statement, {"round": number})
    store.execute(cursor, sql.DESTINATIONS)
    touches = [(position, upn, None) for upn, position in store.execute(cursor, sql.DIRTY)]
    touches += _activities(page)
    # The page's moments as the runner tells them (docs/time.md): the audit rows just written.
    recorded = dict(store.execute(cursor, sql.RECORDED).fetchall())
    for position, upn, encounter in sorted(touches, key=lambda touch: touch[0]):
        page.at(position, recorded[position])
        if encounter is None:
            page.roll_changed([upn])
        else:
            page.add([upn], encounter)


def _in_rounds(page: Page, statement: str) -> None:
    number = 1
    while page.store.execute(page.cursor, statement, {"round": number}).rowcount > 0:
        number += 1


def _activities(page: Page) -> list[tuple]:
    store, cursor = page.store, page.cursor
    facts = store.execute(cursor, sql.RULE_FACTS).fetchall()
    if not facts:
        return []
    rules = list(zip(*(_rule(*fact) for fact in facts), strict=True))
    params = dict(zip(RULE_COLUMNS, map(array_literal, rules), strict=True))
    store.execute(cursor, sql.ACTIVITIES, params)
    parties = store.execute(cursor, sql.PARTIES).fetchall()
    if parties:
        ids = [str(organisation_id(role, name)) for role, name in parties]
        roles, names = zip(*parties, strict=True)
        store.execute(
            cursor,
            sql.COUNTERPARTS,
            {
                "roles": array_literal(roles),
                "names": array_literal(names),
                "ids": array_literal(ids),
            },
        )
    rows = store.execute(cursor, sql.ENCOUNTERS, params).fetchall()
    return [
        (position, upn, [(on, year, kind, category)] if counted else [])
        for upn, position, counted, on, year, kind, category in rows
    ]


RULE_COLUMNS = (
    "kinds",
    "days",
    "meaningful",
    "criteria",
    "years",
    "counted",
    "flags",
    "criteria_json",
    "categories",
)


def _rule(kind: str, day: str, meaningful: str, criteria: str) -> tuple:
    """One distinct combination's year, whether it counts, and its columns as the handler writes
    them (projections/projection.py: activity_recorded); its JSON texts go back to be joined on."""
    on = date.fromisoformat(day)
    flag, stated = (json.loads(text) if text else None for text in (meaningful, criteria))
    return (
        kind,
        day,
        meaningful,
        criteria,
        AcademicYear.containing(on).start_year,
        counts(kind, on, flag, stated),
        None if flag is None else int(flag),
        json_text(stated),
        ACTIVITY_KINDS[kind],
    )
