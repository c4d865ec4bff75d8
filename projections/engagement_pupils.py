"""Pupils reached by a year's employer encounters, counted in the database: in all, by sector and
by size. A 40-school hub's year is some 100,000 pupil encounters; reading them into Python to
count them took most of a second (docs/performance.md), counting them there takes milliseconds."""

from __future__ import annotations

from dataclasses import dataclass

from projections.engagement_rows import UNKNOWN, Delivery, Facts
from projections.store import ViewStore, any_of
from tracker.calendar import AcademicYear

# The year's deliveries at the schools asked ({at_schools} filled in twice), each pupil at them
# with the sector and size its employer counts as (the `named` values: merges and the register
# are read in Python, by Facts), then the distinct pupils of each group. Each count is of rows
# made distinct first: PostgreSQL hashes those, where COUNT(DISTINCT) would sort every row.
_COUNTED = """
WITH named(organisation_id, sector, size) AS (VALUES {named}),
delivered(source_id, organisation_id) AS (
  SELECT a.id, c.organisation_id FROM {{activities}} a
  JOIN {{counterparts}} c ON c.source_id = a.id AND c.role = 'employer'
  WHERE a.retracted_reason IS NULL AND a.occurred_on >= :first AND a.occurred_on <= :last
  {at_activity_schools}
  UNION ALL
  SELECT p.id, c.organisation_id FROM {{placements}} p
  JOIN {{counterparts}} c ON c.source_id = p.id AND c.role = 'employer'
  WHERE p.state = 'completed' AND p.completed_on >= :first AND p.completed_on <= :last
  {at_placement_schools}
),
reached(upn, sector, size) AS (
  SELECT DISTINCT e.upn, n.sector, n.size FROM delivered d
  JOIN {{encounters}} e ON e.source_id = d.source_id
  JOIN named n ON n.organisation_id = d.organisation_id
)
SELECT 'all', '', COUNT(*) FROM (SELECT DISTINCT upn FROM reached) AS pupils
UNION ALL SELECT 'sector', sector, COUNT(*) FROM (SELECT DISTINCT upn, sector FROM reached) AS s
GROUP BY sector
UNION ALL SELECT 'size', size, COUNT(*) FROM (SELECT DISTINCT upn, size FROM reached) AS z
GROUP BY size
"""


@dataclass
class Reached:
    total: int
    by_sector: dict[str, int]
    by_size: dict[str, int]


def pupils_reached(
    store: ViewStore,
    facts: Facts,
    delivered: list[Delivery],
    schools: list[str] | None,
    year: AcademicYear,
) -> Reached:
    """The distinct pupils at `delivered` (the year's deliveries at `schools`, as Facts read them)
    in all and in each sector and size, as `facts` names each organisation's."""
    named = {d.named_id: d.employer_id for d in delivered}
    if not named or schools == []:
        return Reached(0, {}, {})
    values, params = _named(facts, named)
    where, at = "", {}
    if schools is not None:
        marks, at = any_of("school", schools)
        where = f"AND {{alias}}.school_urn IN ({marks})"
    statement = _COUNTED.format(
        named=values,
        at_activity_schools=where.format(alias="a"),
        at_placement_schools=where.format(alias="p"),
    )
    # The year's days up to the date asked: a past year asked on a later date ends with itself.
    last = min(year.end, facts.as_of)
    counts = store.query(statement, {**params, **at, "first": year.start, "last": last})
    grouped: dict[str, dict[str, int]] = {"all": {}, "sector": {}, "size": {}}
    for kind, group, pupils in counts:
        grouped[kind][group] = pupils
    return Reached(grouped["all"].get("", 0), grouped["sector"], grouped["size"])


def _named(facts: Facts, named: dict[str, str]) -> tuple[str, dict[str, str]]:
    """`(:o_0, :s_0, :z_0), …` and their values: each organisation named, with the sector and size
    of the one it counts as (unknown where it has none)."""
    rows, params = [], {}
    for index, (organisation, counts_as) in enumerate(sorted(named.items())):
        rows.append(f"(:o_{index}, :s_{index}, :z_{index})")
        params[f"o_{index}"] = organisation
        params[f"s_{index}"] = facts.sector_of(counts_as) or UNKNOWN
        params[f"z_{index}"] = facts.size_of(counts_as) or UNKNOWN
    return ", ".join(rows), params
