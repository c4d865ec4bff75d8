"""The employers willing to host another student: what a school looks at to arrange the next
placement. An employer asked more than once is counted by its latest answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.engagement_rows import as_date, sic_section
from projections.register import merged_on, organisations, resolver
from projections.store import ViewStore

_ANSWERS = (
    "SELECT h.placement_id, h.school_urn, h.completed_on, h.would_host, c.organisation_id "
    "FROM {host_answers} h JOIN {counterparts} c ON c.source_id = h.placement_id "
    "AND c.role = 'employer' WHERE h.completed_on <= ?"
)


@dataclass
class Host:
    id: str
    name: str
    sector: str | None
    placements: int  # completed at the schools asked
    last_placement_on: date
    last_answer: str  # yes or no: the latest answer given on completing one
    answered_on: date


def willing_hosts(store: ViewStore, schools: list[str], as_of: date) -> list[Host]:
    """Employers whose latest answer at these schools by `as_of` was yes, latest placement first."""
    register = organisations(store, as_of)
    resolve = resolver(merged_on(store, as_of))
    wanted = set(schools)
    seen: dict[str, list[tuple[date, str, str]]] = {}
    for placement_id, urn, completed_on, answer, employer in store.query(_ANSWERS, (as_of,)):
        if urn in wanted:
            seen.setdefault(resolve(employer), []).append(
                (as_date(completed_on), placement_id, answer)
            )
    hosts = [_host(register.get(e), e, placements) for e, placements in seen.items()]
    willing = [h for h in hosts if h.last_answer == "yes"]
    return sorted(willing, key=lambda h: (-h.last_placement_on.toordinal(), h.name.casefold()))


def _host(organisation, employer: str, placements: list[tuple[date, str, str]]) -> Host:
    placements.sort()
    answered = [(on, answer) for on, _, answer in placements if answer != "not_asked"]
    answered_on, last_answer = answered[-1] if answered else (placements[-1][0], "not_asked")
    return Host(
        id=employer,
        name=organisation.name if organisation else employer,
        sector=sic_section(organisation.sector) if organisation else None,
        placements=len(placements),
        last_placement_on=placements[-1][0],
        last_answer=last_answer,
        answered_on=answered_on,
    )
