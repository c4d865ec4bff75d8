"""Engagement and provider access as a Hub Lead reads them: counts of pupils from 1 to the
threshold less one withheld as "low" (docs/privacy.md), with a count that would give one away.
Pupils reached by sector or size need no second withholding: a pupil may meet several sectors,
so they do not add up to the total and no difference gives one away. Counts of employers,
encounters and schools are not counts of pupils and stay; a count of placements is (each is one
pupil's), so an employer's placements from 1 to the threshold less one are withheld too."""

from __future__ import annotations

from dataclasses import replace

from projections.engagement import EmployerHistory, Engagement, Reach
from projections.provider_access import Phase, ProviderAccess
from projections.small_numbers import LOW, SECONDARY, is_low


def _reach(reach: Reach, name: str, threshold: int, hidden: dict[str, str]) -> Reach:
    if not is_low(reach.pupils, threshold):
        return reach
    hidden[f"{name}.pupils"] = LOW
    return replace(reach, pupils=None)


def engagement(answer: Engagement, threshold: int) -> Engagement:
    hidden: dict[str, str] = {}
    return replace(
        answer,
        totals=_reach(answer.totals, "totals", threshold, hidden),
        by_sector={
            k: _reach(v, f"by_sector.{k}", threshold, hidden) for k, v in answer.by_sector.items()
        },
        by_size={
            k: _reach(v, f"by_size.{k}", threshold, hidden) for k, v in answer.by_size.items()
        },
        employers=[
            _placements(row, f"employers.{row.id}", threshold, hidden) for row in answer.employers
        ],
        suppressed=hidden,
    )


def _placements(row, name: str, threshold: int, hidden: dict[str, str]):
    if not is_low(row.placements, threshold):
        return row
    hidden[f"{name}.placements"] = LOW
    return replace(row, placements=None)


def employer_history(answer: EmployerHistory, threshold: int) -> EmployerHistory:
    hidden: dict[str, str] = {}
    rows = []
    for row in answer.history:
        if is_low(row.pupils, threshold):
            hidden[f"history.{row.year}.{row.urn}.pupils"] = LOW
            row = replace(row, pupils=None)
        rows.append(_placements(row, f"history.{row.year}.{row.urn}", threshold, hidden))
    return replace(answer, history=rows, suppressed=hidden)


def _pair(total: int | None, part: int | None, threshold: int) -> tuple[str | None, str | None]:
    """Why a count of pupils and a part of it are withheld: a low total takes the part with it;
    a part is withheld when it, or the total less it, is low (either gives the other away)."""
    if is_low(total, threshold):
        return LOW, SECONDARY
    if is_low(part, threshold) or is_low((total or 0) - (part or 0), threshold):
        return None, LOW
    return None, None


def provider_access(answer: ProviderAccess, threshold: int) -> ProviderAccess:
    return replace(answer, phases=[_phase(phase, threshold) for phase in answer.phases])


def _phase(phase: Phase, threshold: int) -> Phase:
    values, hidden = {}, {}
    for total, part in (
        ("pupils", "pupils_with_two"),
        ("final_year_pupils", "final_year_with_two"),
    ):
        reasons = _pair(getattr(phase, total), getattr(phase, part), threshold)
        for name, reason in zip((total, part), reasons, strict=True):
            if reason:
                values[name], hidden[name] = None, reason
    return replace(phase, **values, suppressed=hidden)
