"""The statements of the set-wise catch-up (bench/setwise_runner.py): a page's stored events decoded
once into a staging table by PostgreSQL, and the rows of the region's dominant event types written
from it by `INSERT … SELECT`, each statement doing what the Python handler of the same type does.

The staging table is temporary (per connection, emptied at commit): decoding each event's JSON once
there, rather than in every statement that reads it, is what the audit-index prototype of
2026-12-04 lacked (it decoded every event twice and lost 11 s of PostgreSQL CPU).
"""

from __future__ import annotations

# Written set-wise. Everything else is applied by today's handlers, in Python.
SETWISE = (
    "Activity.Recorded",
    "Roll.PupilAdmitted",
    "Roll.PupilDischarged",
    "Student.DestinationRecorded",
    "Student.Enrolled",
    "Student.Left",
    "Student.Registered",
)
# Applied in Python before the page's set-wise statements: they neither read nor write a table
# those statements write, and the names rows they leave (a roll's URN) are read by them. A page
# holding any other type goes wholly through today's path.
BEFORE = (
    "Hub.Registered",
    "Roll.Opened",
    "School.CareersLeaderAppointed",
    "School.CriterionMet",
    "School.CriterionUnmet",
    "School.JoinedHub",
    "School.LeftHub",
    "School.Registered",
    "School.YearGroupsSet",
)
TYPES = "(" + ", ".join(f"'{name}'" for name in SETWISE) + ")"

STAGING = """
CREATE TEMPORARY TABLE IF NOT EXISTS setwise_page (
    position bigint, id text, version bigint, topic text, type text, s jsonb)
ON COMMIT DELETE ROWS
"""
STAGE = """
INSERT INTO setwise_page
SELECT notification_id, originator_id::text, originator_version, topic, split_part(topic, ':', 2),
       convert_from(state, 'UTF8')::jsonb
FROM tracker_events WHERE notification_id > :after AND notification_id <= :until
ORDER BY notification_id LIMIT :size
"""
# The CIPHER_KEY variant: Python decrypts (or here, only decodes) and sends the JSON in one COPY.
STAGE_COPY = "COPY setwise_page (position, id, version, topic, type, s) FROM STDIN"
SPAN = "SELECT max(position), count(*) FROM setwise_page"
OTHERS = f"SELECT DISTINCT type, topic FROM setwise_page WHERE type NOT IN {TYPES}"

NAMES = """
INSERT INTO {names} (id, natural_key)
SELECT id, s->>'upn' FROM setwise_page WHERE type = 'Student.Registered'
"""
PUPILS = """
INSERT INTO {pupils} (upn, erased)
SELECT s->>'upn', 0 FROM setwise_page WHERE type = 'Student.Registered'
"""
# The school and pupil of each row as the handlers return them (projections/projection.py).
AUDIT = f"""
INSERT INTO {{events}} (position, recorded_at, type, aggregate_id, version, actor, request_id,
                        school_urn, upn)
SELECT e.position,
       to_char((e.s->'timestamp'->>'_data_')::timestamptz AT TIME ZONE 'UTC',
               'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
       e.type, e.id, e.version, e.s->>'actor', e.s->>'request_id',
       CASE WHEN e.type = 'Student.Registered' THEN NULL
            WHEN starts_with(e.type, 'Roll.') THEN n.natural_key
            ELSE e.s->>'school_urn' END,
       CASE WHEN e.type = 'Student.Registered' OR starts_with(e.type, 'Roll.') THEN e.s->>'upn'
            WHEN starts_with(e.type, 'Student.') THEN n.natural_key END
FROM setwise_page e LEFT JOIN {{names}} n ON n.id = e.id
WHERE e.type IN {TYPES}
"""
LISTED = """
INSERT INTO {event_upns} (position, upn)
SELECT e.position, listed.upn
FROM setwise_page e, jsonb_array_elements_text(e.s->'attendees') AS listed(upn)
WHERE e.type = 'Activity.Recorded'
"""

# A pupil's own events, with the UPN their aggregate id names.
PUPIL_EVENTS = """
SELECT e.position, e.type, e.s, n.natural_key AS upn
FROM setwise_page e JOIN {names} n ON n.id = e.id
WHERE e.type IN ('Student.Enrolled', 'Student.Left', 'Student.DestinationRecorded')
"""
ENROLMENTS = f"""
INSERT INTO {{enrolments}} (upn, school_urn, enrolled_on, left_on, destination, sen,
                            pupil_premium, vfrom)
SELECT upn, s->>'school_urn', (s->'enrolled_on'->>'_data_')::date, NULL, NULL,
       CASE WHEN (s->>'sen')::boolean THEN 1 ELSE 0 END,
       CASE WHEN (s->>'pupil_premium')::boolean THEN 1 ELSE 0 END, position
FROM ({PUPIL_EVENTS}) p WHERE type = 'Student.Enrolled'
"""
# A key written at two positions of one page goes in two statements (`round`), so the trigger
# keeps the first version in the history, as `store.py: _distinct_keys` does for the Python path.
YEAR_GROUPS = f"""
INSERT INTO {{year_groups}} (upn, from_year, year_group, vfrom)
SELECT upn, from_year, year_group, position FROM (
    SELECT upn, (s->>'academic_year')::int AS from_year, (s->>'year_group')::int AS year_group,
           position,
           row_number() OVER (PARTITION BY upn, s->>'academic_year' ORDER BY position) AS round
    FROM ({PUPIL_EVENTS}) p WHERE type = 'Student.Enrolled') ranked
WHERE round = :round
ON CONFLICT (upn, from_year)
DO UPDATE SET year_group = excluded.year_group, vfrom = excluded.vfrom
"""
# A leaving and a destination recorded for one enrolment in one page update it in turn.
LEAVING = f"""
SELECT upn, type, s->>'school_urn' AS school_urn, (s->'left_on'->>'_data_')::date AS left_on,
       s->>'destination' AS destination, position,
       row_number() OVER (PARTITION BY upn, s->>'school_urn' ORDER BY position) AS round
FROM ({PUPIL_EVENTS}) p WHERE type IN ('Student.Left', 'Student.DestinationRecorded')
"""
LEFT_ENROLMENTS = f"""
UPDATE {{enrolments}} t
SET left_on = l.left_on, destination = l.destination, vfrom = l.position
FROM ({LEAVING}) l
WHERE l.round = :round AND l.type = 'Student.Left'
  AND t.upn = l.upn AND t.school_urn = l.school_urn AND t.left_on IS NULL
"""
DESTINED_ENROLMENTS = f"""
UPDATE {{enrolments}} t
SET destination = l.destination, vfrom = l.position
FROM ({LEAVING}) l
WHERE l.round = :round AND l.type = 'Student.DestinationRecorded'
  AND t.upn = l.upn AND t.school_urn = l.school_urn AND t.left_on = l.left_on
"""
LEAVING_ROUNDS = f"SELECT COALESCE(max(round), 0) FROM ({LEAVING}) l"
# Destinations are not versioned: the last word of a page for a key stands, as the upsert's.
DESTINATIONS = f"""
INSERT INTO {{destinations}} (upn, school_urn, left_on, destination, recorded_on, vfrom)
SELECT DISTINCT ON (upn, school_urn, left_on, recorded_on)
       upn, school_urn, left_on, destination, recorded_on, position
FROM (SELECT upn, s->>'school_urn' AS school_urn, (s->'left_on'->>'_data_')::date AS left_on,
             s->>'destination' AS destination,
             COALESCE((s->'recorded_on'->>'_data_')::date,
                      (s->'left_on'->>'_data_')::date) AS recorded_on, position
      FROM ({PUPIL_EVENTS}) p WHERE type IN ('Student.Left', 'Student.DestinationRecorded')) d
ORDER BY upn, school_urn, left_on, recorded_on, position DESC
ON CONFLICT (upn, school_urn, left_on, recorded_on)
DO UPDATE SET destination = excluded.destination, vfrom = excluded.vfrom
"""
# Milestones are touched where the handlers call `page.roll_changed`: a year group set, a pupil
# leaving.
DIRTY = f"""
SELECT upn, position FROM ({PUPIL_EVENTS}) p
WHERE type IN ('Student.Enrolled', 'Student.Left') ORDER BY position
"""

RECORDED = """
SELECT e.position, e.recorded_at FROM {events} e
WHERE e.position BETWEEN (SELECT min(position) FROM setwise_page)
                     AND (SELECT max(position) FROM setwise_page)
"""

# The facts the counting rule reads, as text to join on: computed once an event, so the join
# with the page's rules is a hash join, not a comparison of JSON per pair.
ACTIVITY = """
SELECT position, id, version, s, s->>'kind' AS kind, s->'occurred_on'->>'_data_' AS day,
       COALESCE((s->'meaningful')::text, '') AS meaningful,
       COALESCE((s->'criteria')::text, '') AS criteria
FROM setwise_page WHERE type = 'Activity.Recorded'
"""
RULE_FACTS = f"SELECT DISTINCT kind, day, meaningful, criteria FROM ({ACTIVITY}) a"
PARTIES = """
SELECT DISTINCT party.role, party.value->>'name'
FROM setwise_page e,
     LATERAL (VALUES ('employer', e.s->'employer'), ('provider', e.s->'provider'))
         AS party(role, value)
WHERE e.type = 'Activity.Recorded' AND jsonb_typeof(party.value) = 'object'
  AND COALESCE(party.value->>'name', '') <> ''
"""
RULES = """
unnest(CAST(:kinds AS text[]), CAST(:days AS text[]), CAST(:meaningful AS text[]),
       CAST(:criteria AS text[]), CAST(:years AS int[]), CAST(:counted AS smallint[]),
       CAST(:flags AS smallint[]), CAST(:criteria_json AS text[]), CAST(:categories AS text[]))
AS rule(kind, day, meaningful, criteria, academic_year, counts, flag, criteria_json, category)
"""
RULED = f"""
SELECT a.*, rule.academic_year, rule.counts, rule.flag, rule.criteria_json, rule.category,
       rule.day::date AS occurred_on
FROM ({ACTIVITY}) a JOIN {RULES}
  ON (rule.kind, rule.day, rule.meaningful, rule.criteria)
   = (a.kind, a.day, a.meaningful, a.criteria)
"""
ACTIVITIES = f"""
INSERT INTO {{activities}}
SELECT r.id, r.s->>'school_urn', r.kind, r.category, r.s->>'title', r.occurred_on,
       r.academic_year, r.counts, r.flag, r.criteria_json, r.s->'employer'->>'name',
       r.s->'provider'->>'name', jsonb_array_length(r.s->'attendees'), NULL,
       to_char((r.s->'timestamp'->>'_data_')::timestamptz AT TIME ZONE 'UTC',
               'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
       r.version, r.position
FROM ({RULED}) r
"""
COUNTERPARTS = """
INSERT INTO {counterparts} (source_id, role, organisation_id, name, sector, size, provider_type,
                            vfrom)
SELECT e.id, party.role, organisation.id, party.value->>'name', party.value->>'sector',
       party.value->>'size', party.value->>'type', e.position
FROM setwise_page e,
     LATERAL (VALUES ('employer', e.s->'employer'), ('provider', e.s->'provider'))
         AS party(role, value),
     unnest(CAST(:roles AS text[]), CAST(:names AS text[]), CAST(:ids AS text[]))
         AS organisation(role, name, id)
WHERE e.type = 'Activity.Recorded' AND jsonb_typeof(party.value) = 'object'
  AND organisation.role = party.role AND organisation.name = party.value->>'name'
ON CONFLICT (source_id, role) DO UPDATE
SET organisation_id = excluded.organisation_id, name = excluded.name,
    sector = excluded.sector, size = excluded.size, provider_type = excluded.provider_type,
    vfrom = excluded.vfrom
"""
# The rows come back for the milestones of the pupils they touched (`page.add`).
ENCOUNTERS = f"""
INSERT INTO {{encounters}} (source_id, upn, school_urn, occurred_on, academic_year, kind,
                            category, counts, vfrom)
SELECT r.id, attendee.upn, r.s->>'school_urn', r.occurred_on, r.academic_year, r.kind,
       r.category, r.counts, r.position
FROM ({RULED}) r, jsonb_array_elements_text(r.s->'attendees') AS attendee(upn)
RETURNING upn, vfrom, counts, occurred_on, academic_year, kind, category
"""
