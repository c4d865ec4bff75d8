"""The Gatsby Benchmark rule sets as data: thresholds, what counts, and the checklists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.calendar import AcademicYear
from tracker.errors import InvalidValue

SCHOOL_TYPES = (
    "secondary",
    "middle",
    "special",
    "alternative_provision",
    "fe_college",
    "sixth_form_college",
    "utc",
)
COLLEGE_TYPES = frozenset({"fe_college", "sixth_form_college"})
# The year groups a school teaches (first and last NCY) where its registration gave none: the
# usual shape of each type in England. A school with a sixth form records 7-13 (docs/years.md).
DEFAULT_YEAR_GROUPS = {
    "secondary": (7, 11),
    "middle": (5, 8),
    "special": (7, 14),
    "alternative_provision": (7, 11),
    "fe_college": (12, 14),
    "sixth_form_college": (12, 13),
    "utc": (10, 13),
}
ACTIVITY_KINDS = {
    "employer_talk": "employer",
    "careers_fair": "employer",
    "mentoring": "employer",
    "enterprise_challenge": "employer",
    "mock_interview": "employer",
    "employer_project": "employer",
    "workplace_visit": "workplace",
    "job_shadowing": "workplace",
    "fe_encounter": "fe",
    "apprenticeship_encounter": "fe",
    "he_encounter": "he",
    "university_visit": "he",
    "guidance_meeting": "guidance",
}
BENCHMARK_OF_CATEGORY = {"employer": 5, "workplace": 6, "fe": 7, "he": 7, "guidance": 8}
EMPLOYER_SIZES = ("micro", "small", "medium", "large", "self_employed")
PROVIDER_TYPES = (
    "sixth_form",
    "fe_college",
    "training_provider",
    "apprenticeship_provider",
    "university",
)
PLACEMENT_KINDS = ("work_experience", "virtual_work_experience")
# Where a leaver went: the DfE's destination measures (KS4 and KS5), and moved away or unknown.
DESTINATIONS = (
    "school_sixth_form",
    "sixth_form_college",
    "fe_college",
    "other_fe",
    "higher_education",
    "apprenticeship",
    "employment_with_training",
    "employment",
    "neet",
    "moved_away",
    "unknown",
)
PROVIDER_ACCESS_KINDS = frozenset({"fe_encounter", "apprenticeship_encounter"})
CRITERIA_CHECKS = ("purpose_shared", "outcomes", "two_way", "reflection", "employer_task")
MEANINGFUL_2024 = CRITERIA_CHECKS[:4]


def category_of(kind: str) -> str:
    """employer, workplace, fe, he or guidance; `InvalidValue` for a kind no benchmark knows."""
    try:
        return ACTIVITY_KINDS[kind]
    except KeyError:
        raise InvalidValue(f"{kind!r} is not an activity kind", "kind") from None


@dataclass(frozen=True)
class Criterion:
    code: str
    description: str


def _criteria(*lines: str) -> tuple[Criterion, ...]:
    return tuple(Criterion(*line.split(" ", 1)) for line in lines)


@dataclass(frozen=True)
class RuleSet:
    """Everything that differs between the 2014 and 2024 benchmarks."""

    name: str
    first_year: int | None  # start year of the first academic year it applies to
    # hash=False: a dict cannot be hashed, and the name already tells rule sets apart.
    checklist: dict[int, tuple[Criterion, ...]] = field(hash=False)
    # The counts of benchmarks 5 to 8 (metrics.md); the views date only the nths they keep, and
    # each count is matched to its column, for every rule set, by projections/thresholds.py.
    k5: int = 1  # meaningful employer encounters a year
    k5_college: int = 2
    k6: int = 1  # workplace experiences by 16
    ks5_workplace: int = 1  # workplace experiences in the sixth form (the KS5 window), by 18
    bm7_fe_and_he: int = 1  # FE-side and HE-side encounters by 16, of each
    bm7_university_visits_ks5: int = 2  # university visits by 18
    bm8_meetings: int = 1  # guidance meetings by 16, and again in the sixth form by 18
    bm5_year_groups: range = range(7, 14)
    by_16_year_group: int = 11
    by_18_year_group: int = 13
    workplace_needs_meaningful: bool = False
    meaningful_checks: tuple[str, ...] = field(default=())

    @property
    def meaningful_by_checks(self) -> bool:
        """Meaningful by its criteria checks (gatsby-2024), not by the recorder's yes or no."""
        return bool(self.meaningful_checks)

    def needs_meaningful(self, category: str) -> bool:
        """Whether an encounter of `category` counts only when meaningful."""
        return category in ("employer", "fe", "he") or (
            category == "workplace" and self.workplace_needs_meaningful
        )

    def is_meaningful(
        self, kind: str, meaningful: bool | None, criteria: dict[str, Any] | None
    ) -> bool:
        """2014: the recorder's yes/no; 2024: every check held (workplaces: with the employer's
        task)."""
        category = category_of(kind)
        # `is True`: a stored "false" or "no" must not pass for a yes.
        if not self.meaningful_by_checks:
            return meaningful is True
        checks = self.meaningful_checks + (("employer_task",) if category == "workplace" else ())
        return all((criteria or {}).get(check) is True for check in checks)

    def counts_towards(
        self, kind: str, meaningful: bool | None, criteria: dict[str, Any] | None
    ) -> int | None:
        """The benchmark an attended activity counts towards under this rule set, if any."""
        category = category_of(kind)
        if self.needs_meaningful(category) and not self.is_meaningful(kind, meaningful, criteria):
            return None
        return BENCHMARK_OF_CATEGORY[category]

    def criterion(self, benchmark: int, code: str) -> Criterion:
        for criterion in self.checklist.get(benchmark, ()):
            if criterion.code == code:
                return criterion
        raise InvalidValue(
            f"{code!r} is not a Benchmark {benchmark} criterion under {self.name}", "code"
        )

    def k5_for(self, school_type: str) -> int:
        """Meaningful employer encounters a year: colleges need more."""
        return self.k5_college if school_type in COLLEGE_TYPES else self.k5


GATSBY_2014 = RuleSet(
    name="gatsby-2014",
    first_year=None,
    checklist={
        1: _criteria(
            "1.1 The school has a stable, structured careers programme",
            "1.2 The programme has the explicit backing of the senior leadership team",
            "1.3 The school has an appointed Careers Leader",
            "1.4 The programme is published on the school's website",
            "1.5 Pupils, parents, teachers and employers are asked for feedback on it",
        ),
        2: _criteria(
            "2.1 Pupils use labour market information with an informed adviser",
            "2.2 Parents are encouraged to access labour market information",
            "2.3 Labour market information is embedded in the careers programme",
            "2.4 Pupils have access to up-to-date information on progression routes",
        ),
        3: _criteria(
            "3.1 Pupils have access to advice that meets their individual needs",
            "3.2 The school keeps systematic records of each pupil's guidance",
            "3.3 Pupils have access to these records to support their development",
            "3.4 The school collects and uses destination data for three years",
            "3.5 The programme actively seeks to challenge stereotypical thinking",
        ),
        4: _criteria(
            "4.1 Every subject teacher links curriculum learning with careers",
            "4.2 STEM subject teachers highlight the relevance of STEM subjects",
            "4.3 Careers learning is embedded across the curriculum",
            "4.4 Subject teachers are supported to make careers links",
        ),
    },
)

GATSBY_2024 = RuleSet(
    name="gatsby-2024",
    first_year=2025,
    k6=2,
    workplace_needs_meaningful=True,
    meaningful_checks=MEANINGFUL_2024,
    checklist={
        1: _criteria(
            "1.1 A stable careers programme is published and known to pupils, parents and staff",
            "1.2 The programme has governor and senior leadership backing",
            "1.3 A trained Careers Leader is appointed with time and resource",
            "1.4 The programme is evaluated each year using pupil, parent and employer feedback",
            "1.5 The programme is reviewed against destinations data",
        ),
        2: _criteria(
            "2.1 Every young person uses career and labour market information",
            "2.2 Parents and carers are supported to use labour market information",
            "2.3 Labour market information is current and local",
            "2.4 Information about all education and training routes is shared",
        ),
        3: _criteria(
            "3.1 Each young person's needs, including SEND, shape the support they receive",
            "3.2 Records of each young person's careers activity are kept and shared with them",
            "3.3 Support challenges stereotypes and raises aspirations",
            "3.4 Destinations are tracked for at least three years",
            "3.5 Young people facing disadvantage receive targeted support",
        ),
        4: _criteria(
            "4.1 Every teacher links their subject to careers",
            "4.2 Careers learning is mapped across the curriculum",
            "4.3 Teachers receive training to make careers links",
            "4.4 Subject leaders review careers links each year",
        ),
    },
)

RULE_SETS = {rule_set.name: rule_set for rule_set in (GATSBY_2014, GATSBY_2024)}


def rule_set_for(year: AcademicYear) -> RuleSet:
    """gatsby-2014 up to 2024/25; gatsby-2024 from 2025/26."""
    return GATSBY_2024 if year.start_year >= GATSBY_2024.first_year else GATSBY_2014


def rule_set_named(name: str) -> RuleSet:
    """The rule set called `name`, or `InvalidValue` naming the known ones."""
    try:
        return RULE_SETS[name]
    except KeyError:
        raise InvalidValue(
            f"no rule set {name!r}; known: {', '.join(RULE_SETS)}", "rule_set"
        ) from None
