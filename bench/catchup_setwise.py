"""Design (a) of the catch-up prototypes: a page's rows built by PostgreSQL from the stored events'
JSON (set-wise), not event by event in Python.

The library's PostgreSQL recorder stores each event's state as `bytea`: the JSON transcoder's UTF-8
text, so `convert_from(state, 'UTF8')::jsonb` reads it, unless `CIPHER_KEY` is set (then each state
is AES-GCM ciphertext and no SQL can read it: this design cannot work on an encrypted store).
Dates are `{"_type_": "date_iso", "_data_": "2025-10-18"}`, times `datetime_iso`.

Two things are measured here:
- `SetwiseRunner`: today's runner, but the audit index (`events`, `event_upns`: rows for every
  event) is written by one `INSERT … SELECT` a table over the page's stored events, in the page's
  transaction before its position, so exactly-once and crash safety are the runner's own;
- `encounter_rates`: a whole log's attendance rows built set-wise into a scratch table, the rule
  of which encounters count asked of Python once per distinct (kind, year, meaningful, criteria),
  and the bare decode step, each timed alone.
"""

from __future__ import annotations

import time
from typing import Any

from projections.page import Page
from projections.projection import CareersProjection, Indexed, _handler_for
from projections.rows import counts
from projections.runner import Runner
from tracker.rulesets import ACTIVITY_KINDS

PAGE = "SELECT *, convert_from(state, 'UTF8')::jsonb AS s, split_part(topic, ':', 2) AS type "
# OFFSET 0 keeps the page a subquery of its own: merged into the statement around it, each
# `e.s->…` decoded the event's JSON again (4 decodes a comparison: 5.3 s a page against 0.1 s).
PAGE += "FROM tracker_events WHERE notification_id BETWEEN :first AND :last OFFSET 0"

# The school and pupil an event is about, as each handler of projections/projection.py returns
# them, for the event types a demo region holds and the activity and placement ones.
AUDIT_ROWS = f"""
INSERT INTO {{events}} (position, recorded_at, type, aggregate_id, version, actor, request_id,
                        school_urn, upn)
SELECT e.notification_id,
       to_char((e.s->'timestamp'->>'_data_')::timestamptz AT TIME ZONE 'UTC',
               'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
       e.type, e.originator_id::text, e.originator_version, e.s->>'actor', e.s->>'request_id',
       CASE WHEN e.type IN ('Student.Registered', 'Student.YearGroupChanged',
                            'Student.IdentityErased', 'Student.IdentityPseudonymised',
                            'Hub.Registered') THEN NULL
            ELSE COALESCE(e.s->>'school_urn', a.school_urn, p.school_urn,
                          CASE WHEN starts_with(e.type, 'School.') OR starts_with(e.type, 'Roll.')
                               THEN n.natural_key END) END,
       CASE WHEN starts_with(e.type, 'Student.') THEN n.natural_key
            WHEN e.type IN ('Roll.PupilAdmitted', 'Roll.PupilDischarged') THEN e.s->>'upn'
            ELSE p.upn END
FROM ({PAGE}) e
LEFT JOIN {{names}} n ON n.id = e.originator_id::text
LEFT JOIN {{activities}} a ON a.id = e.originator_id::text
LEFT JOIN {{placements}} p ON p.id = e.originator_id::text
"""
LISTED_UPNS = f"""
INSERT INTO {{event_upns}} (position, upn)
SELECT e.notification_id, listed.upn
FROM ({PAGE}) e,
     jsonb_array_elements_text(CASE e.type WHEN 'Activity.Recorded' THEN e.s->'attendees'
                                 WHEN 'Activity.AttendeesAdded' THEN e.s->'upns'
                                 WHEN 'Activity.AttendeesRemoved' THEN e.s->'upns'
                                 ELSE '[]'::jsonb END) AS listed(upn)
"""


class SetwiseProjection(CareersProjection):
    """Today's handlers, without the audit rows: PostgreSQL writes those from the stored events."""

    @staticmethod
    def index(event: Any, position: int) -> Indexed:
        return Indexed(event, (), [])

    def apply_indexed(self, indexed: Indexed, page: Page) -> None:
        _handler_for(type(indexed.event))(self, indexed.event, page)


class SetwiseRunner(Runner):
    """The runner, with each page's audit index written set-wise in the page's transaction."""

    def __init__(self, app: Any, store: Any, **options: Any):
        super().__init__(app, store, **options)
        self.projection = SetwiseProjection()

    def _apply(self, events: list[tuple[int, Indexed]], page: Page, position: int) -> None:
        super()._apply(events, page, position)  # flushes: the page's names rows are there to join
        span = _span((events[0][0], position))
        page.store.execute(page.cursor, AUDIT_ROWS, span)
        page.store.execute(page.cursor, LISTED_UPNS, span)


# An activity's facts the rule of counting reads, as text to join on ('' for none): computed once
# an event, so the join with the rules is a hash join, not a comparison of decoded JSON per pair.
ACTIVITY_FACTS = f"""
SELECT e.originator_id, e.s->>'school_urn' AS school_urn, e.s->'attendees' AS attendees,
       e.s->>'kind' AS kind, e.s->'occurred_on'->>'_data_' AS day,
       COALESCE((e.s->'meaningful')::text, '') AS meaningful,
       COALESCE((e.s->'criteria')::text, '') AS criteria
FROM ({PAGE}) e WHERE e.type = 'Activity.Recorded' OFFSET 0
"""
ENCOUNTER_FACTS = f"SELECT DISTINCT kind, day, meaningful, criteria FROM ({ACTIVITY_FACTS}) a"
ENCOUNTER_ROWS = f"""
INSERT INTO {{scratch_encounters}} (source_id, upn, school_urn, occurred_on, academic_year, kind,
                                    category, counts)
SELECT a.originator_id::text, attendee.upn, a.school_urn, dated.occurred_on, rule.academic_year,
       rule.kind, kinds.category, rule.counts
FROM ({ACTIVITY_FACTS}) a
JOIN unnest(CAST(:kinds AS text[]), CAST(:days AS text[]), CAST(:meaningful AS text[]),
            CAST(:criteria AS text[]), CAST(:years AS int[]), CAST(:counted AS smallint[]))
     AS rule(kind, day, meaningful, criteria, academic_year, counts)
  ON (rule.kind, rule.day, rule.meaningful, rule.criteria)
   = (a.kind, a.day, a.meaningful, a.criteria)
JOIN unnest(CAST(:kind_names AS text[]), CAST(:categories AS text[])) AS kinds(kind, category)
  ON kinds.kind = rule.kind,
LATERAL (SELECT rule.day::date AS occurred_on) dated,
jsonb_array_elements_text(a.attendees) AS attendee(upn)
"""
RULE_COLUMNS = ("kinds", "days", "meaningful", "criteria", "years", "counted")
DECODE_ONLY = f"SELECT count(*), sum(length(e.s->>'actor')) FROM ({PAGE}) e"


def encounter_rates(store: Any, head: int, page_size: int) -> dict[str, float]:
    """Seconds to decode every stored event in SQL, and to build every attendance row set-wise."""
    from projections.store import array_literal

    with store.transaction() as cursor:
        store.execute(cursor, "DROP TABLE IF EXISTS {scratch_encounters}")
        store.execute(cursor, "CREATE TABLE {scratch_encounters} (LIKE {encounters})")
    pages = [(start, min(start + page_size - 1, head)) for start in range(1, head + 1, page_size)]
    began = time.perf_counter()
    for span in pages:
        store.query(DECODE_ONLY, _span(span))
    decoded = time.perf_counter() - began
    began, rules_seconds = time.perf_counter(), 0.0
    for span in pages:
        with store.transaction() as cursor:
            facts = store.execute(cursor, ENCOUNTER_FACTS, _span(span)).fetchall()
            if not facts:
                continue
            ruled = time.perf_counter()
            rules = [_rule(*fact) for fact in facts]
            rules_seconds += time.perf_counter() - ruled
            columns = list(zip(*rules, strict=True))
            store.execute(
                cursor,
                ENCOUNTER_ROWS,
                {
                    **dict(zip(RULE_COLUMNS, map(array_literal, columns), strict=True)),
                    "kind_names": array_literal(list(ACTIVITY_KINDS)),
                    "categories": array_literal(list(ACTIVITY_KINDS.values())),
                }
                | _span(span),
            )
    built = time.perf_counter() - began
    rows = store.query("SELECT count(*) FROM {scratch_encounters}")[0][0]
    return {
        "decode_seconds": decoded,
        "encounters_seconds": built,
        "encounter_rows": rows,
        "rules_python_seconds": rules_seconds,
        "pages": len(pages),
    }


def _span(span: tuple[int, int]) -> dict[str, int]:
    return {"first": span[0], "last": span[1]}


def _rule(kind: str, day: str, meaningful: str | None, criteria: str | None) -> tuple:
    """One distinct combination's academic year and whether it counts, by the projection's own
    rule; the JSON texts go back as they came, to be joined on."""
    import json
    from datetime import date

    from tracker.calendar import AcademicYear

    on = date.fromisoformat(day)
    decoded = [json.loads(text) if text else None for text in (meaningful, criteria)]
    return (
        kind,
        day,
        meaningful,
        criteria,
        AcademicYear.containing(on).start_year,
        counts(kind, on, *decoded),
    )
