"""The facts employer engagement is counted from: each employer encounter delivered (an activity
naming an employer, or a completed placement), the pupils at it, and the employer it counts as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from projections.register import Organisation, merged_on, organisations, resolver
from projections.store import ViewStore, any_of
from tracker.calendar import AcademicYear
from tracker.organisations import SIC_SECTIONS

UNKNOWN = "unknown"  # no sector (or size) recorded for the employer


@dataclass(frozen=True)
class Delivery:
    """One encounter delivered by an employer at a school."""

    source_id: str
    school_urn: str
    academic_year: int
    occurred_on: date
    employer_id: str  # after merges, as on the date asked
    is_placement: bool
    named_id: str = ""  # the organisation its activity or placement named, before merges


_ACTIVITIES = (
    "SELECT a.id, a.school_urn, a.occurred_on, c.organisation_id FROM {activities} a "
    "JOIN {counterparts} c ON c.source_id = a.id AND c.role = 'employer' "
    "WHERE a.retracted_reason IS NULL AND a.occurred_on <= :as_of"
)
_PLACEMENTS = (
    "SELECT p.id, p.school_urn, p.completed_on, c.organisation_id FROM {placements} p "
    "JOIN {counterparts} c ON c.source_id = p.id AND c.role = 'employer' "
    "WHERE p.state = 'completed' AND p.completed_on <= :as_of"
)
_PUPILS = (
    "SELECT e.source_id, e.upn FROM {encounters} e "
    "JOIN {counterparts} c ON c.source_id = e.source_id AND c.role = 'employer' "
    "WHERE e.occurred_on <= :as_of"
)


def _at_schools(
    store: ViewStore, template: str, alias: str, as_of: date, schools: list[str] | None
) -> list[tuple]:
    """The template's rows on `as_of`, at `schools` only (None: at every school)."""
    if schools is None:
        return store.query(template, {"as_of": as_of})
    if not schools:
        return []
    marks, named = any_of("school", schools)
    return store.query(f"{template} AND {alias}.school_urn IN ({marks})", {"as_of": as_of, **named})


class Facts:
    """Every delivery up to `as_of` at the schools asked (None: every school), with the register
    as it stood that day, read once per answer."""

    def __init__(
        self, store: ViewStore, as_of: date, schools: list[str] | None, pupils: bool = True
    ):
        """`pupils`: also read who was at each delivery (every pupil of every year's encounters:
        a hub's figures count theirs in the database instead, projections/engagement_pupils.py)."""
        self.as_of = as_of
        self.register: dict[str, Organisation] = organisations(store, as_of)
        self.resolve = resolver(merged_on(store, as_of))
        self.deliveries = [
            Delivery(
                source_id,
                urn,
                _start_year(as_date(on)),
                as_date(on),
                self.resolve(employer),
                is_placement,
                employer,
            )
            for template, alias, is_placement in (
                (_ACTIVITIES, "a", False),
                (_PLACEMENTS, "p", True),
            )
            for source_id, urn, on, employer in _at_schools(store, template, alias, as_of, schools)
        ]
        self.pupils: dict[str, set[str]] = {}
        for source_id, upn in _at_schools(store, _PUPILS, "e", as_of, schools) if pupils else ():
            self.pupils.setdefault(source_id, set()).add(upn)

    def in_year(self, year: int) -> list[Delivery]:
        return [d for d in self.deliveries if d.academic_year == year]

    def sector_of(self, employer_id: str) -> str | None:
        organisation = self.register.get(employer_id)
        return sic_section(organisation.sector) if organisation else None

    def size_of(self, employer_id: str) -> str | None:
        organisation = self.register.get(employer_id)
        return organisation.size if organisation else None

    def name_of(self, employer_id: str) -> str:
        organisation = self.register.get(employer_id)
        return organisation.name if organisation else employer_id


@lru_cache(maxsize=4096)  # a region's deliveries fall on a few hundred days
def _start_year(day: date) -> int:
    return AcademicYear.containing(day).start_year


def as_date(value: date | str) -> date:
    """SQLite hands dates back as ISO text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


_TITLE_WORDS = {title.split()[0].rstrip(",;").casefold(): s for s, title in SIC_SECTIONS.items()}


_TITLES = {title.casefold(): s for s, title in SIC_SECTIONS.items()}


@lru_cache(maxsize=4096)  # asked once per delivery and grouping: a hub's year asks 12,000 times
def sic_section(sector: str | None) -> str | None:
    """A sector as a SIC 2007 letter: registered ones are; a sector typed on an activity before
    the register is read as its section's letter, full title or first word ("manufacturing")."""
    if not sector:
        return None
    text = sector.strip()
    if text.upper() in SIC_SECTIONS:
        return text.upper()
    return _TITLES.get(text.casefold()) or _TITLE_WORDS.get(text.casefold())
