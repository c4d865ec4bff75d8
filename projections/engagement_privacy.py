"""Engagement figures as a Hub Lead reads them: counts of pupils from 1 to the threshold less one
withheld as "low" (docs/privacy.md). Pupils reached by sector or size need no second withholding:
a pupil may meet several sectors, so they do not add up to the total and no difference gives one
away. Counts of employers, encounters and schools are not counts of pupils and stay."""

from __future__ import annotations

from dataclasses import replace

from projections.engagement import EmployerHistory, Engagement, Reach
from projections.small_numbers import LOW, is_low


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
        suppressed=hidden,
    )


def employer_history(answer: EmployerHistory, threshold: int) -> EmployerHistory:
    hidden: dict[str, str] = {}
    rows = []
    for row in answer.history:
        if is_low(row.pupils, threshold):
            hidden[f"history.{row.year}.{row.urn}.pupils"] = LOW
            row = replace(row, pupils=None)
        rows.append(row)
    return replace(answer, history=rows, suppressed=hidden)
