"""A school's Benchmark 1-4 checklist as its page reads it: each criterion of the rule set with its
latest state and evidence, and every change to it with who made it and when it was recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.answers import Answer
from projections.engagement_rows import as_date
from projections.store import ViewStore
from tracker.rulesets import RuleSet

# The checklist row's position is the school's version, which the audit index keeps beside the
# actor; a person's events name their account, whose name is shown beside it.
_CHANGES = (
    "SELECT c.benchmark, c.code, c.met, c.changed_on, c.evidence, e.recorded_at, e.actor, a.name "
    "FROM {checklist} c LEFT JOIN {events} e ON e.school_urn = c.urn AND e.version = c.position "
    "AND e.type IN ('School.CriterionMet', 'School.CriterionUnmet') "
    "LEFT JOIN {accounts} a ON a.id = e.actor "
    "WHERE c.urn = ? AND c.changed_on <= ? ORDER BY c.changed_on, c.position"
)


@dataclass(frozen=True, kw_only=True)
class CriterionChange(Answer):
    """One change to one criterion: met or not, on a date, with evidence, by someone."""

    met: bool
    changed_on: date
    evidence: str | None
    recorded_at: str | None
    actor: str | None
    actor_name: str | None


@dataclass(frozen=True, kw_only=True)
class CriterionState(Answer):
    """A criterion of the rule set on the day asked: its latest change decides whether it is met."""

    benchmark: int
    code: str
    description: str
    met: bool
    evidence: str | None
    history: tuple[CriterionChange, ...]  # oldest first


def school_checklist(
    store: ViewStore, urn: str, rule_set: RuleSet, as_of: date
) -> dict[int, list[CriterionState]]:
    """Benchmarks 1 to 4, each with its criteria under `rule_set`, as they stood on `as_of`."""
    changes: dict[tuple[int, str], list[CriterionChange]] = {}
    for benchmark, code, *change in store.query(_CHANGES, (urn, as_of)):
        changes.setdefault((benchmark, code), []).append(_change(*change))
    return {
        benchmark: [_state(benchmark, c.code, c.description, changes) for c in criteria]
        for benchmark, criteria in sorted(rule_set.checklist.items())
    }


def _change(met, changed_on, evidence, recorded_at, actor, actor_name) -> CriterionChange:
    return CriterionChange(
        met=bool(met),
        changed_on=as_date(changed_on),
        evidence=evidence,
        recorded_at=recorded_at,
        actor=actor,
        actor_name=actor_name,
    )


def _state(benchmark: int, code: str, description: str, changes: dict) -> CriterionState:
    history = tuple(changes.get((benchmark, code), ()))
    latest = history[-1] if history else None
    return CriterionState(
        benchmark=benchmark,
        code=code,
        description=description,
        met=bool(latest and latest.met),
        evidence=latest.evidence if latest else None,
        history=history,
    )
