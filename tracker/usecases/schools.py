"""Use cases for hubs and schools: registration, membership, Careers Leaders, checklists."""

from __future__ import annotations

from datetime import date

from tracker.calendar import AcademicYear
from tracker.commands import Changes, use_case
from tracker.domain.hub import Hub
from tracker.domain.roll import Roll
from tracker.domain.school import School
from tracker.errors import AlreadyExists, HubNotFound, InvalidValue
from tracker.identifiers import validate_la_code, validate_laestab, validate_urn
from tracker.rules import hub_code
from tracker.rulesets import rule_set_for
from tracker.validation import MAX_EVIDENCE, check_school_type, check_text


class HubsAndSchools:
    """Mixed into `Tracker`: these methods are its use cases."""

    @use_case(commutative=False)
    def register_hub(self, code: str, name: str, area: str, wave: int | None = None) -> Changes:
        code = hub_code(code)
        if Hub.create_id(code) in self.repository:
            raise AlreadyExists(f"hub {code} is already registered", "code")
        if wave is not None and (not isinstance(wave, int) or wave < 1):
            raise InvalidValue("wave must be a whole number from 1", "wave")
        hub = Hub(code, check_text("name", name), check_text("area", area), wave)
        return Changes([hub], code)

    def _hub(self, code: str) -> Hub:
        return self._load(Hub, Hub.create_id(code), HubNotFound(code))

    @use_case(commutative=False)
    def join_hub(self, code: str, urn: str, joined_on: date) -> Changes:
        self._hub(code)
        school = self._school(validate_urn(urn))
        if school.is_member_of(code, joined_on):
            return Changes([], code)  # a repeated PUT changes nothing
        school.join_hub(code, self._check_not_future("joined_on", joined_on))
        return Changes([school], code)

    @use_case(commutative=False)
    def leave_hub(self, code: str, urn: str, left_on: date) -> Changes:
        self._hub(code)
        school = self._school(validate_urn(urn))
        school.leave_hub(code, self._check_not_future("left_on", left_on))
        return Changes([school], code)

    @use_case(commutative=False)
    def register_school(
        self,
        urn: str,
        name: str,
        type: str,
        la_code: str,
        laestab: str,
        first_year_group: int | None = None,
        last_year_group: int | None = None,
    ) -> Changes:
        """Register a school; without a range of year groups it teaches its type's usual ones."""
        urn, la_code = validate_urn(urn), validate_la_code(la_code)
        laestab = validate_laestab(laestab, la_code=la_code)
        if School.create_id(urn) in self.repository:
            raise AlreadyExists(f"school {urn} is already registered", "urn")
        school = School(urn, check_text("name", name), check_school_type(type), la_code, laestab)
        if first_year_group is not None or last_year_group is not None:
            default_first, default_last = school.year_groups_in(
                AcademicYear.containing(self.today())
            )
            school.set_year_groups(
                default_first if first_year_group is None else first_year_group,
                default_last if last_year_group is None else last_year_group,
                None,
            )
        return Changes([school, Roll(urn)], urn)

    @use_case(commutative=False)
    def set_year_groups(
        self, urn: str, first_year_group: int, last_year_group: int, from_year: str | None = None
    ) -> Changes:
        """Change the year groups a school teaches from an academic year on (a sixth form
        opening)."""
        school = self._school(validate_urn(urn))
        school.set_year_groups(
            first_year_group,
            last_year_group,
            AcademicYear.parse(from_year, "from_year") if from_year is not None else None,
        )
        return Changes([school], urn)

    @use_case(commutative=False)
    def appoint_careers_leader(
        self, urn: str, name: str, email: str | None, appointed_on: date
    ) -> Changes:
        school = self._school(validate_urn(urn))
        school.appoint_careers_leader(
            check_text("name", name),
            check_text("email", email, required=False),
            self._check_not_future("appointed_on", appointed_on),
        )
        return Changes([school], urn)

    @use_case(commutative=False)
    def change_criterion(
        self,
        urn: str,
        benchmark: int,
        code: str,
        met: bool,
        evidence: str | None = None,
        changed_on: date | None = None,
    ) -> Changes:
        school = self._school(validate_urn(urn))
        self._change_criterion(school, benchmark, code, met, evidence, changed_on)
        return Changes([school], urn)

    @use_case(commutative=False)
    def change_criteria(self, urn: str, changes: list[dict]) -> Changes:
        """Several checklist changes of one school in one transaction (a year's review, a bulk
        load): all or none. Each dict holds `change_criterion`'s arguments after `urn`."""
        school = self._school(validate_urn(urn))
        for change in changes:
            self._change_criterion(school, **change)
        return Changes([school], urn)

    def _change_criterion(
        self,
        school: School,
        benchmark: int,
        code: str,
        met: bool,
        evidence: str | None = None,
        changed_on: date | None = None,
    ) -> None:
        changed_on = self._check_not_future("changed_on", changed_on or self.today())
        rule_set = rule_set_for(AcademicYear.containing(changed_on))
        if benchmark not in rule_set.checklist:
            raise InvalidValue(f"benchmarks 1-4 have checklists; got {benchmark}", "benchmark")
        rule_set.criterion(benchmark, code)
        if not isinstance(met, bool):
            raise InvalidValue("met must be true or false", "met")
        school.change_criterion(
            benchmark,
            code,
            met,
            check_text("evidence", evidence, required=False, max_length=MAX_EVIDENCE) or "",
            changed_on,
        )
