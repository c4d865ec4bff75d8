"""Where the views keep the date a pupil met each threshold of a rule set (tracker/rulesets.py).

A threshold is a number (one workplace experience by 16, or two); the milestone rows keep the
dates of a few counts only (the first and second workplace experience, the second university
visit). Each rule set's thresholds are read here as the column that dates the nth, for every
rule set at import: one that asks for a count no column keeps fails then, loudly, rather than a
figure being read from the wrong column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from tracker.rulesets import RULE_SETS, RuleSet

# What is counted -> {n: the column holding the date a pupil reached the nth}. Employer
# encounters are those of the year asked about (employer_dates); the rest are the milestone rows'.
KEPT: dict[str, dict[int, str]] = {
    "employer_encounters": {1: "first_on", 2: "second_on"},
    "workplace_experiences": {1: "workplace_1", 2: "workplace_2"},
    "workplace_experiences_ks5": {1: "workplace_ks5"},
    "fe_and_he_encounters": {1: "fe_and_he"},
    "university_visits": {2: "university_2"},
    "guidance_meetings": {1: "guidance_1"},
    "guidance_meetings_ks5": {1: "guidance_ks5"},
}
# A count met only once each of its columns holds a date: an FE-side and an HE-side encounter.
BOTH = {"fe_and_he": ("fe_1", "he_1")}


def dated_by(column: str) -> tuple[str, ...]:
    """The view columns whose dates say a pupil has reached `column`'s count."""
    return BOTH.get(column, (column,))


@dataclass(frozen=True)
class Threshold:
    """`need` of what `counted` names, and the column dating when a pupil had that many."""

    counted: str
    need: int
    column: str

    def have(self, reached: dict[str, bool]) -> int:
        """How many a pupil has, as far as the kept dates tell: the most whose date is reached."""
        return max(
            (
                n
                for n, column in KEPT[self.counted].items()
                if all(reached[c] for c in dated_by(column))
            ),
            default=0,
        )


def threshold(counted: str, need: int) -> Threshold:
    """`need` of `counted`, or LookupError where the views keep no date of the nth."""
    kept = KEPT[counted]
    if need not in kept:
        raise LookupError(
            f"a rule set asks for {need} {counted}; the views date the nth of them "
            f"for n in {sorted(kept)} only (projections/thresholds.py)"
        )
    return Threshold(counted, need, kept[need])


@dataclass(frozen=True)
class Thresholds:
    """One rule set's thresholds for benchmarks 5 to 8."""

    employer: Threshold
    employer_college: Threshold
    workplace_by_16: Threshold
    education_by_16: Threshold
    guidance_by_16: Threshold
    workplace_by_18: Threshold
    university_by_18: Threshold
    guidance_by_18: Threshold


@lru_cache(maxsize=None)
def thresholds_of(rule_set: RuleSet) -> Thresholds:
    """Each threshold of `rule_set` with the column that dates it."""
    return Thresholds(
        employer=threshold("employer_encounters", rule_set.k5),
        employer_college=threshold("employer_encounters", rule_set.k5_college),
        workplace_by_16=threshold("workplace_experiences", rule_set.k6),
        education_by_16=threshold("fe_and_he_encounters", rule_set.bm7_fe_and_he),
        guidance_by_16=threshold("guidance_meetings", rule_set.bm8_meetings),
        workplace_by_18=threshold("workplace_experiences_ks5", rule_set.ks5_workplace),
        university_by_18=threshold("university_visits", rule_set.bm7_university_visits_ks5),
        guidance_by_18=threshold("guidance_meetings_ks5", rule_set.bm8_meetings),
    )


for _rule_set in RULE_SETS.values():  # every rule set, now: one the views cannot answer fails here
    thresholds_of(_rule_set)
