"""Small numbers withheld from what a Hub Lead reads, so nobody can single out a pupil in a small
group.

The DfE's practice: a count of pupils from 1 to the threshold less one is withheld as "low"; 0 is
shown as 0. So that a withheld count cannot be worked back from what is shown, more is withheld
beside it ("secondary"): a rate with a withheld count above or below the line, and, wherever shown
figures add up (a school's year groups to its total, its schools to a hub's, a hub and the non-hub
schools to the national figure), one more term, so no withheld value is the difference of shown
ones. A withheld value is null, and the object that held it names it in `suppressed` with the
reason. Shares of schools, scores and whether a benchmark is achieved are not counts of pupils and
stay. docs/privacy.md has a worked example.
"""

from __future__ import annotations

from dataclasses import dataclass, is_dataclass, replace
from typing import Any, Sequence, TypeVar

from projections.answers import Benchmark, SchoolRow, SchoolStatus
from projections.hub_answers import HubMetrics, NationalMetrics, Summary
from tracker.rulesets import rule_set_for

LOW, SECONDARY = "low", "secondary"
COUNTED = (5, 6, 7, 8)
YEAR_GROUP_COUNTS = ("pupils", "bm5_measured", "bm5_met", "bm6_by_16", "bm7_by_16", "bm8_by_16")
SUMMED = ("pupils_measured", "pupils_met")


@dataclass(frozen=True)
class Sum:
    """`total` = the sum of `parts`, as anyone reading the answer could work out."""

    total: str
    parts: tuple[str, ...]
    total_first: bool = False  # an aggregate: withhold it before a school's own figure

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.total, *self.parts)


def is_low(value: Any, threshold: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < threshold


def withheld(
    values: dict[str, int], sums: list[Sum], threshold: int, unshown: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Each low count, then, while any sum has exactly one withheld term (or its withheld parts add
    up to a low count that its shown total less its shown parts would give), one more of its terms.

    `unshown` values are in no answer (a year group's figure that only a difference gives): low
    ones are protected like the rest, and they are the first chosen to withhold, costing nothing.
    """
    hidden = {name: LOW for name, value in values.items() if is_low(value, threshold)}
    sums = [s for s in sums if s.parts]  # an empty sum is 0, and a low count is never 0
    while exposed := next((s for s in sums if _gives_away(s, values, hidden, threshold)), None):
        hidden[_another(exposed, values, hidden, unshown)] = SECONDARY
    return hidden


def _gives_away(total: Sum, values: dict[str, int], hidden: dict[str, str], threshold: int) -> bool:
    """Whether the shown terms of a sum give a withheld one back, or the withheld parts' low sum."""
    if sum(term in hidden for term in total.terms) == 1:
        return True
    return total.total not in hidden and is_low(
        sum(values[p] for p in total.parts if p in hidden), threshold
    )


def _another(
    exposed: Sum, values: dict[str, int], hidden: dict[str, str], unshown: frozenset[str]
) -> str:
    """The term to withhold next: a non-zero unshown part (free), else the total of an aggregate,
    else the smallest non-zero shown part, else the total. A zero is as good as shown: anyone may
    guess it."""
    parts = sorted(
        (p for p in exposed.parts if p not in hidden and values[p]), key=lambda p: values[p]
    )
    if free := [p for p in parts if p in unshown]:
        return free[0]
    if exposed.total not in hidden and (exposed.total_first or not parts):
        return exposed.total
    return parts[0] if parts else next(p for p in exposed.parts if p not in hidden)


def _reason(hidden: dict[str, str], *names: str) -> str | None:
    """Why a rate over these counts is withheld: low if any of them is low, secondary if any is
    withheld."""
    reasons = {hidden.get(name) for name in names} - {None}
    return LOW if LOW in reasons else (SECONDARY if reasons else None)


# --- a school's own figures -------------------------------------------------------------------


def _benchmark(figure: Benchmark, prefix: str, hidden: dict[str, str]) -> Benchmark:
    """One benchmark with its withheld counts, and its coverage if either count is withheld, made
    null."""
    suppressed = {
        key: hidden[f"{prefix}.{key}"] for key in ("measured", "met") if f"{prefix}.{key}" in hidden
    }
    if why := _reason(hidden, f"{prefix}.measured", f"{prefix}.met"):
        suppressed["coverage"] = why
    return replace(figure, **dict.fromkeys(suppressed), suppressed=suppressed)


def _school_cells(prefix: str, benchmarks: Sequence[Benchmark]) -> tuple[dict[str, int], list[Sum]]:
    """A school's counts by benchmark; an achieved benchmark says met equals measured."""
    values, sums = {}, []
    for figure in benchmarks:
        if figure.benchmark in COUNTED:
            name = f"{prefix}.{figure.benchmark}"
            values[f"{name}.measured"], values[f"{name}.met"] = figure.measured, figure.met
            if figure.achieved:
                sums.append(Sum(f"{name}.met", (f"{name}.measured",)))
    return values, sums


def _year_group_cells(status: SchoolStatus) -> tuple[dict[str, int], list[Sum], frozenset[str]]:
    """The year-group counts, and how they add up to the school's own (metrics.md, per pupil)."""
    rule_set = rule_set_for(status.year)
    groups = {row.year_group: row for row in status.by_year_group}
    values = {
        f"y{n}.{key}": getattr(row, key) for n, row in groups.items() for key in YEAR_GROUP_COUNTS
    }
    sums = [
        Sum(f"y{n}.bm5_measured", (f"y{n}.pupils",))
        for n, row in groups.items()
        if row.bm5_measured
    ]
    sums += [
        Sum(f"school.5.{key}", tuple(f"y{n}.bm5_{key}" for n in groups))
        for key in ("measured", "met")
    ]
    sixteen, eighteen = rule_set.by_16_year_group, rule_set.by_18_year_group
    met, unshown = {figure.benchmark: figure.met for figure in status.benchmarks}, set()
    for b in (6, 7, 8):
        sums.append(
            Sum(
                f"school.{b}.measured",
                tuple(f"y{n}.pupils" for n in (sixteen, eighteen) if n in groups),
            )
        )
        # The by-18 pupils who meet it are in no answer, but the school's total less the by-16 ones
        # gives them.
        by_16 = (f"y{sixteen}.bm{b}_by_16",) if sixteen in groups else ()
        rest = f"y{eighteen}.bm{b}_by_18"
        values[rest] = met[b] - sum(values[name] for name in by_16)
        unshown.add(rest)
        sums.append(Sum(f"school.{b}.met", (*by_16, rest)))
    return values, sums, frozenset(unshown)


def school_status(status: SchoolStatus, threshold: int) -> SchoolStatus:
    """A school's status as a hub token sees it: small counts, and what would give them away,
    withheld."""
    values, sums = _school_cells("school", status.benchmarks)
    more_values, more_sums, unshown = _year_group_cells(status)
    hidden = withheld({**values, **more_values}, sums + more_sums, threshold, unshown)
    return replace(
        status,
        benchmarks=tuple(_benchmark(b, f"school.{b.benchmark}", hidden) for b in status.benchmarks),
        by_year_group=tuple(
            _row(row, f"y{row.year_group}", YEAR_GROUP_COUNTS, hidden)
            for row in status.by_year_group
        ),
    )


Row = TypeVar("Row")  # a typed answer's row, or an activity's dict


def _row(row: Row, prefix: str, keys: tuple[str, ...], hidden: dict[str, str]) -> Row:
    suppressed = {key: hidden[f"{prefix}.{key}"] for key in keys if f"{prefix}.{key}" in hidden}
    changes = {**dict.fromkeys(suppressed), "suppressed": suppressed}
    return replace(row, **changes) if is_dataclass(row) else {**row, **changes}


# --- hubs, and the national and non-hub figures beside them ---------------------------------------


def _summary_cells(
    summaries: dict[str, Summary | None], members: Sequence[SchoolRow]
) -> tuple[dict[str, int], list[Sum], frozenset[str]]:
    """Pupil totals of the hub (its schools' sum) and of national (hub + non-hub + other hubs'
    schools)."""
    values, sums, unshown = {}, [], set()
    for name, summary in summaries.items():
        if summary is not None:
            values.update(
                {
                    f"{name}.{key}.{b}": getattr(summary, key)[str(b)]
                    for key in SUMMED
                    for b in COUNTED
                }
            )
    for key, field in (("pupils_measured", "measured"), ("pupils_met", "met")):
        for b in COUNTED:
            if "hub" in summaries:
                parts = tuple(f"{row.urn}.{b}.{field}" for row in members)
                sums.append(Sum(f"hub.{key}.{b}", parts, True))
            if summaries.get("national") and summaries.get("non_hub"):
                others = f"others.{key}.{b}"  # schools in other hubs: no answer gives them
                values[others] = values[f"national.{key}.{b}"] - sum(
                    values.get(f"{part}.{key}.{b}", 0) for part in ("hub", "non_hub")
                )
                unshown.add(others)
                sums.append(
                    Sum(
                        f"national.{key}.{b}",
                        tuple(
                            f"{part}.{key}.{b}" for part in ("hub", "non_hub") if part in summaries
                        )
                        + (others,),
                        True,
                    )
                )
    return values, sums, frozenset(unshown)


Summarised = TypeVar("Summarised", bound=Summary)


def _summary(
    summary: Summarised | None,
    name: str,
    hidden: dict[str, str],
    members_hidden: dict[int, str | None],
) -> Summarised | None:
    """A summary with its withheld totals, and the coverages over them, made null."""
    if summary is None:
        return None
    suppressed: dict[str, str] = {}
    changed = {
        key: dict(getattr(summary, key)) for key in (*SUMMED, "pupil_coverage", "mean_coverage")
    }
    for b in COUNTED:
        for key in SUMMED:
            if why := hidden.get(f"{name}.{key}.{b}"):
                changed[key][str(b)], suppressed[f"{key}.{b}"] = None, why
        rate = _reason(hidden, *(f"{name}.{key}.{b}" for key in SUMMED))
        # A mean of the schools' coverages gives a withheld one away as surely as a total does.
        mean = rate or members_hidden.get(b)
        for key, why in (("pupil_coverage", rate), ("mean_coverage", mean)):
            if why:
                changed[key][str(b)], suppressed[f"{key}.{b}"] = None, why
    return replace(summary, **changed, suppressed=suppressed)


def _members_withheld(
    rows: Sequence[SchoolRow], threshold: int, summaries: dict[str, Summary | None]
) -> tuple[dict[str, str], dict[int, str | None]]:
    """What to withhold of the member schools' figures and the summaries beside them, and for each
    benchmark whether (and why) any member's coverage is withheld."""
    values, sums = {}, []
    for row in rows:
        more_values, more_sums = _school_cells(row.urn, row.benchmarks)
        values.update(more_values)
        sums += more_sums
    totals, total_sums, unshown = _summary_cells(summaries, rows)
    hidden = withheld({**values, **totals}, sums + total_sums, threshold, unshown)
    coverage = {
        b: _reason(hidden, *(f"{row.urn}.{b}.{key}" for row in rows for key in ("measured", "met")))
        for b in COUNTED
    }
    return hidden, coverage


def hub_metrics(metrics: HubMetrics, threshold: int) -> HubMetrics:
    """A hub's figures as its own Hub Lead sees them: the shares of schools exact, small counts
    withheld."""
    summaries = {"hub": metrics, "national": metrics.national, "non_hub": metrics.non_hub}
    hidden, members = _members_withheld(metrics.school_rows, threshold, summaries)
    rows = tuple(
        replace(
            row,
            benchmarks=tuple(
                _benchmark(b, f"{row.urn}.{b.benchmark}", hidden) for b in row.benchmarks
            ),
        )
        for row in metrics.school_rows
    )
    return replace(
        _summary(metrics, "hub", hidden, members),
        school_rows=rows,
        national=_summary(metrics.national, "national", hidden, {}),
        non_hub=_summary(metrics.non_hub, "non_hub", hidden, {}),
    )


def national_metrics(
    national: NationalMetrics, hub: HubMetrics | None, threshold: int
) -> NationalMetrics:
    """The national figures as a Hub Lead sees them: withheld as they are beside their own hub's, so
    national less non-hub never gives back a figure withheld there."""
    summaries = {"national": national, "non_hub": national.non_hub, **({"hub": hub} if hub else {})}
    hidden, _ = _members_withheld(hub.school_rows if hub else (), threshold, summaries)
    return replace(
        _summary(national, "national", hidden, {}),
        non_hub=_summary(national.non_hub, "non_hub", hidden, {}),
    )


def activities(items: list[dict[str, Any]], threshold: int) -> list[dict[str, Any]]:
    """A school's activities with small attendee counts withheld (a guidance meeting has one
    pupil)."""
    low = {"activity.attendees": LOW}
    return [
        _row(item, "activity", ("attendees",), low if is_low(item["attendees"], threshold) else {})
        for item in items
    ]


def destinations(report: dict[str, Any], threshold: int) -> dict[str, Any]:
    """A cohort's destinations as a Hub Lead sees them: counts of 1-4 leavers withheld, and one more
    wherever the others and the total would give one back; shares over withheld counts withheld
    too."""
    values = {
        "leavers": report["leavers"],
        "unknown": report["unknown"],
        "not_followed_up": report["not_followed_up"],
        **{f"to.{row['destination']}": row["count"] for row in report["destinations"]},
    }
    parts = tuple(f"to.{row['destination']}" for row in report["destinations"])
    hidden = withheld(values, [Sum("leavers", parts, True)], threshold)
    rows = []
    for row in report["destinations"]:
        why = hidden.get(f"to.{row['destination']}")
        rows.append(
            {
                **row,
                "count": None if why else row["count"],
                "share": None if why or "leavers" in hidden else row["share"],
                "suppressed": {"count": why} if why else {},
            }
        )
    suppressed = {
        key: why for key, why in hidden.items() if key in ("leavers", "unknown", "not_followed_up")
    }
    return {**report, **dict.fromkeys(suppressed), "destinations": rows, "suppressed": suppressed}
