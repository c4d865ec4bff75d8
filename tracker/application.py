"""The Tracker application: every write use case, taking primitives and returning positions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any, Callable, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

from tracker.calendar import AcademicYear, check_not_future, check_year_group, year_group_for_birth
from tracker.commands import MAX_ATTEMPTS, Changes, Written, back_off, use_case
from tracker.config import database_url, store_settings
from tracker.domain.access import AccessToken, IdempotencyKey
from tracker.domain.activity import Activity
from tracker.domain.base import Caller, acting_as
from tracker.domain.hub import Hub
from tracker.domain.placement import Placement
from tracker.domain.roll import Roll
from tracker.domain.school import School
from tracker.domain.student import Student
from tracker.errors import (
    ActivityNotFound, AlreadyExists, ConcurrentChange, Forbidden, HubNotFound,
    IdempotencyKeyReused, InvalidValue, NotOnRoll, PlacementNotFound, PupilNotFound,
    SchoolNotFound, TokenNotFound, TrackerError,
)
from tracker.identifiers import validate_la_code, validate_laestab, validate_upn, validate_urn
from tracker.rulesets import rule_set_for
from tracker.stores import notification_id_of
from tracker.validation import (
    check_counterpart, check_criteria, check_employer, check_kind,
    check_meaningfulness_given, check_placement_kind, check_school_type, check_text, check_upns,
)

A = TypeVar("A")


class DateAsISO(Transcoding):
    """Dates (the valid time of every fact) stored as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tracker(Application):
    """Careers Hub Tracker's write side."""

    name = "Tracker"
    env = {"AGGREGATE_CACHE_MAXSIZE": "20000", "AGGREGATE_CACHE_FASTFORWARD": "y"}

    def __init__(self, env: dict[str, str] | None = None, today: Callable[[], date] = date.today):
        super().__init__(env)
        self.today = today

    @classmethod
    def from_url(cls, url: str | None = None, cipher_key: str | None = None, **kwargs: Any) -> "Tracker":
        """The application over the store a `DATABASE_URL` names (default: the environment's)."""
        return cls(store_settings(url or database_url(), cipher_key), **kwargs)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # --- running a command ----------------------------------------------------------

    def execute(self, decide: Callable[[], Changes], *, caller: Caller | None,
                idempotency_key: str | None, fingerprint: str, commutative: bool) -> Written:
        """Decide, then save atomically with the idempotency key; retry commutative commands."""
        caller = caller or Caller()
        with acting_as(caller):
            if idempotency_key and (first := self._first_result(caller.actor, idempotency_key, fingerprint)):
                return first
            for attempt in range(1, MAX_ATTEMPTS + 1):
                changes = decide()
                if idempotency_key:
                    changes.aggregates.append(
                        IdempotencyKey(caller.actor, idempotency_key, fingerprint, changes.id))
                try:
                    return Written(changes.id, self._save(changes.aggregates))
                except IntegrityError:
                    # Someone else wrote first: the same key's twin, or another change.
                    if idempotency_key and (first := self._first_result(caller.actor, idempotency_key, fingerprint)):
                        return first
                    if not commutative or attempt == MAX_ATTEMPTS:
                        raise ConcurrentChange("the record") from None
                    back_off(attempt)
        raise AssertionError("unreachable")

    def _first_result(self, actor: str, key: str, fingerprint: str) -> Written | None:
        key_id = IdempotencyKey.create_id(actor, key)
        try:
            used: IdempotencyKey = self.repository.get(key_id)
        except AggregateNotFoundError:
            return None
        if used.fingerprint != fingerprint:
            raise IdempotencyKeyReused(key)
        return Written(used.result_id, notification_id_of(self.recorder, key_id, 1))

    def _save(self, aggregates: list) -> int:
        recordings = self.save(*aggregates)
        if recordings:
            return recordings[-1].notification.id
        return self.recorder.max_notification_id() or 0

    def _load(self, cls: type[A], aggregate_id: UUID, not_found: TrackerError) -> A:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise not_found from None

    def _school(self, urn: str) -> School:
        return self._load(School, School.create_id(urn), SchoolNotFound(urn))

    def _roll(self, urn: str) -> Roll:
        return self._load(Roll, Roll.create_id(urn), SchoolNotFound(urn))

    def _student(self, upn: str) -> Student:
        return self._load(Student, Student.create_id(upn), PupilNotFound(upn))

    def _activity(self, activity_id: str, within_school: str | None) -> Activity:
        activity = self._load(Activity, _uuid(activity_id, ActivityNotFound), ActivityNotFound(activity_id))
        _check_scope(activity.school_urn, within_school, f"activity {activity_id}")
        return activity

    def _placement(self, placement_id: str, within_school: str | None) -> Placement:
        placement = self._load(Placement, _uuid(placement_id, PlacementNotFound), PlacementNotFound(placement_id))
        _check_scope(placement.school_urn, within_school, f"placement {placement_id}")
        return placement

    def school_exists(self, urn: str) -> bool:
        return School.create_id(urn) in self.repository

    def current_school_of(self, upn: str) -> str | None:
        """The school a pupil is on roll at now, if any (None for an unknown UPN)."""
        try:
            current = self._student(upn).current_enrolment
        except PupilNotFound:
            return None
        return current.school_urn if current else None

    def _check_not_future(self, field: str, value: date) -> date:
        if not isinstance(value, date):
            raise InvalidValue(f"{field} must be a date", field)
        check_not_future(field, value, self.today())
        return value

    # --- hubs and schools -------------------------------------------------------------

    @use_case(commutative=False)
    def register_hub(self, code: str, name: str, area: str, wave: int | None = None) -> Changes:
        code = _hub_code(code)
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
    def register_school(self, urn: str, name: str, type: str, la_code: str, laestab: str) -> Changes:
        urn, la_code = validate_urn(urn), validate_la_code(la_code)
        laestab = validate_laestab(laestab, la_code=la_code)
        if School.create_id(urn) in self.repository:
            raise AlreadyExists(f"school {urn} is already registered", "urn")
        school = School(urn, check_text("name", name), check_school_type(type), la_code, laestab)
        return Changes([school, Roll(urn)], urn)

    @use_case(commutative=False)
    def appoint_careers_leader(self, urn: str, name: str, email: str | None, appointed_on: date) -> Changes:
        school = self._school(validate_urn(urn))
        school.appoint_careers_leader(
            check_text("name", name), check_text("email", email, required=False),
            self._check_not_future("appointed_on", appointed_on))
        return Changes([school], urn)

    @use_case(commutative=False)
    def change_criterion(self, urn: str, benchmark: int, code: str, met: bool,
                         evidence: str | None = None, changed_on: date | None = None) -> Changes:
        changed_on = self._check_not_future("changed_on", changed_on or self.today())
        rule_set = rule_set_for(AcademicYear.containing(changed_on))
        if benchmark not in rule_set.checklist:
            raise InvalidValue(f"benchmarks 1-4 have checklists; got {benchmark}", "benchmark")
        rule_set.criterion(benchmark, code)
        if not isinstance(met, bool):
            raise InvalidValue("met must be true or false", "met")
        school = self._school(validate_urn(urn))
        school.change_criterion(benchmark, code, met,
                                check_text("evidence", evidence, required=False, max_length=2000) or "",
                                changed_on)
        return Changes([school], urn)

    # --- pupils ---------------------------------------------------------------------

    @use_case(commutative=True)
    def enrol_pupil(self, urn: str, upn: str, given_name: str, family_name: str,
                    date_of_birth: date, year_group: int, enrolled_on: date,
                    sen: bool = False, pupil_premium: bool = False) -> Changes:
        urn, roll = validate_urn(urn), self._roll(validate_urn(urn))
        student = self._enrolled_student(roll, urn, upn, given_name, family_name, date_of_birth, year_group,
                                         enrolled_on, sen, pupil_premium)
        return Changes([student, roll], student.upn)

    @use_case(commutative=True)
    def enrol_pupils(self, urn: str, pupils: list[dict[str, Any]]) -> Changes:
        """Enrol many pupils in one transaction (imports, demos, bulk loads): all or none."""
        urn = validate_urn(urn)
        upns = [validate_upn(pupil.get("upn")) for pupil in pupils]
        if len(set(upns)) != len(upns):
            raise InvalidValue("a UPN appears twice in the batch", "upn")
        roll, students = self._roll(urn), []
        for pupil in pupils:
            students.append(self._enrolled_student(roll, urn, **pupil))
        return Changes([*students, roll], str(len(students)))

    def _enrolled_student(self, roll: Roll, urn: str, upn: str, given_name: str, family_name: str,
                          date_of_birth: date, year_group: int, enrolled_on: date, sen: bool = False,
                          pupil_premium: bool = False) -> Student:
        upn = validate_upn(upn)
        student = self._student_to_enrol(upn, given_name, family_name, date_of_birth)
        enrolled_on = self._check_not_future("enrolled_on", enrolled_on)
        year = AcademicYear.containing(enrolled_on)
        _check_age_fits(check_year_group(year_group), date_of_birth, year)
        student.enrol(urn, enrolled_on, year_group, year.start_year, bool(sen), bool(pupil_premium))
        roll.admit(upn, enrolled_on)
        return student

    def _student_to_enrol(self, upn: str, given_name: str, family_name: str, date_of_birth: date) -> Student:
        given_name, family_name = check_text("given_name", given_name), check_text("family_name", family_name)
        self._check_not_future("date_of_birth", date_of_birth)
        try:
            student: Student = self.repository.get(Student.create_id(upn))
        except AggregateNotFoundError:
            return Student(upn, given_name, family_name, date_of_birth)
        if student.date_of_birth != date_of_birth:
            raise InvalidValue(f"{upn} is registered with a different date of birth", "date_of_birth")
        return student

    @use_case(commutative=True)
    def record_leaving(self, urn: str, upn: str, left_on: date, destination: str | None = None) -> Changes:
        upn, urn = validate_upn(upn), validate_urn(urn)
        student = self._student(upn)
        _check_scope_pupil(student, urn)
        student.leave(urn, self._check_not_future("left_on", left_on),
                      check_text("destination", destination, required=False))
        roll = self._roll(urn)
        roll.discharge(upn, left_on)
        return Changes([student, roll], upn)

    @use_case(commutative=False)
    def change_year_group(self, upn: str, year_group: int, year: str,
                          within_school: str | None = None) -> Changes:
        student = self._student(validate_upn(upn))
        _check_scope_pupil(student, within_school)
        academic_year = AcademicYear.parse(year)
        if academic_year > AcademicYear.containing(self.today()):
            raise InvalidValue(f"{academic_year} has not started", "year")
        if student.year_group_year is not None and academic_year.start_year < student.year_group_year:
            raise InvalidValue("a year group can only be changed for the current or a later year", "year")
        student.change_year_group(check_year_group(year_group), academic_year.start_year)
        return Changes([student], student.upn)

    @use_case(commutative=False)
    def pseudonymise_pupil(self, upn: str) -> Changes:
        student = self._student(validate_upn(upn))
        student.pseudonymise()
        return Changes([student], student.upn)

    # --- activities -----------------------------------------------------------------

    @use_case(commutative=False)
    def record_activity(self, urn: str, kind: str, title: str, occurred_on: date,
                        attendees: list[str], employer: dict | None = None,
                        provider: dict | None = None, meaningful: bool | None = None,
                        criteria: dict | None = None) -> Changes:
        urn, kind = validate_urn(urn), check_kind(kind)
        occurred_on = self._check_not_future("occurred_on", occurred_on)
        employer, provider = check_counterpart(kind, employer, provider)
        check_meaningfulness_given(kind, occurred_on, meaningful, criteria)
        attendees = check_upns("attendees", attendees)
        if kind == "guidance_meeting" and len(attendees) != 1:
            raise InvalidValue("a guidance_meeting is for exactly one pupil", "attendees")
        _check_on_roll(self._roll(urn), attendees, occurred_on, "attendees")
        activity = Activity(urn, kind, check_text("title", title), occurred_on, employer, provider,
                            meaningful, check_criteria(criteria), attendees)
        return Changes([activity], str(activity.id))

    @use_case(commutative=True)
    def change_attendees(self, activity_id: str, add: list[str] | None = None,
                         remove: list[str] | None = None, within_school: str | None = None) -> Changes:
        add = check_upns("add", add or [], allow_empty=True)
        remove = check_upns("remove", remove or [], allow_empty=True)
        if not add and not remove:
            raise InvalidValue("give UPNs to add or remove", "add")
        activity = self._activity(activity_id, within_school)
        _check_on_roll(self._roll(activity.school_urn), add, activity.occurred_on, "add")
        activity.change_attendees(add, remove)
        return Changes([activity], activity_id)

    @use_case(commutative=False)
    def amend_activity(self, activity_id: str, changes: dict[str, Any], reason: str | None = None,
                       within_school: str | None = None) -> Changes:
        activity = self._activity(activity_id, within_school)
        activity.check_not_retracted()
        checked = self._checked_amendments(activity, changes)
        activity.amend(checked, check_text("reason", reason, required=False))
        return Changes([activity], activity_id)

    def _checked_amendments(self, activity: Activity, changes: dict[str, Any]) -> dict[str, Any]:
        if not changes:
            raise InvalidValue("give at least one field to amend", "_schema")
        checked = dict(changes)
        if "title" in changes:
            checked["title"] = check_text("title", changes["title"])
        if "occurred_on" in changes:
            checked["occurred_on"] = self._check_not_future("occurred_on", changes["occurred_on"])
            _check_on_roll(self._roll(activity.school_urn), activity.attendees,
                           checked["occurred_on"], "occurred_on")
        if changes.get("employer") is not None:
            checked["employer"] = check_employer(changes["employer"])
        if changes.get("meaningful") is not None and not isinstance(changes["meaningful"], bool):
            raise InvalidValue("meaningful must be true or false", "meaningful")
        checked["criteria"] = check_criteria(changes.get("criteria"))
        return checked

    @use_case(commutative=False)
    def retract_activity(self, activity_id: str, reason: str, within_school: str | None = None) -> Changes:
        activity = self._activity(activity_id, within_school)
        activity.retract(check_text("reason", reason))
        return Changes([activity], activity_id)

    # --- placements -----------------------------------------------------------------

    @use_case(commutative=False)
    def arrange_placement(self, urn: str, upn: str, kind: str, employer: dict,
                          starts_on: date, ends_on: date) -> Changes:
        urn, upn = validate_urn(urn), validate_upn(upn)
        if not isinstance(starts_on, date) or not isinstance(ends_on, date) or ends_on < starts_on:
            raise InvalidValue("ends_on must be a date on or after starts_on", "ends_on")
        # Placements are arranged ahead: check the roll on the start date, or today if later.
        _check_on_roll(self._roll(urn), [upn], min(starts_on, self.today()), "upn")
        placement = Placement(urn, upn, check_placement_kind(kind), check_employer(employer),
                              starts_on, ends_on)
        return Changes([placement], str(placement.id))

    @use_case(commutative=False)
    def confirm_placement(self, placement_id: str, checks: dict[str, bool] | None = None,
                          within_school: str | None = None) -> Changes:
        placement = self._placement(placement_id, within_school)
        placement.confirm(dict(checks or {}))
        return Changes([placement], placement_id)

    @use_case(commutative=False)
    def complete_placement(self, placement_id: str, completed_on: date, hours: float,
                           within_school: str | None = None) -> Changes:
        placement = self._placement(placement_id, within_school)
        if not isinstance(hours, (int, float)) or not 0 < hours <= 1000:
            raise InvalidValue("hours must be more than 0 and at most 1000", "hours")
        placement.complete(self._check_not_future("completed_on", completed_on), float(hours))
        return Changes([placement], placement_id)

    @use_case(commutative=False)
    def cancel_placement(self, placement_id: str, reason: str, within_school: str | None = None) -> Changes:
        placement = self._placement(placement_id, within_school)
        placement.cancel(check_text("reason", reason))
        return Changes([placement], placement_id)

    # --- access tokens --------------------------------------------------------------

    def issue_token(self, scope: str, subject: str, note: str = "", *, caller: Caller | None = None) -> tuple[str, Written]:
        """A new bearer token for `scope`: returned once, stored only as its hash."""
        token = secrets.token_urlsafe(32)
        written = self._issue(hash_token(token), check_scope_text(scope), check_text("subject", subject),
                              note or "", caller=caller)
        return token, written

    @use_case(commutative=False)
    def _issue(self, token_hash: str, scope: str, subject: str, note: str) -> Changes:
        access = AccessToken(token_hash, scope, subject, note)
        return Changes([access], str(access.id))

    @use_case(commutative=False)
    def revoke_token(self, token_id: str, reason: str) -> Changes:
        access = self._load(AccessToken, _uuid(token_id, TokenNotFound), TokenNotFound(token_id))
        if not access.revoked:
            access.revoke(check_text("reason", reason))
        return Changes([access], token_id)

    def token_for(self, token: str) -> AccessToken | None:
        """The live (not revoked) token record a bearer token matches, if any."""
        try:
            access: AccessToken = self.repository.get(AccessToken.create_id(hash_token(token)))
        except AggregateNotFoundError:
            return None
        return None if access.revoked else access


def check_scope_text(scope: str) -> str:
    if scope in ("admin", "auditor"):
        return scope
    kind, _, name = (scope or "").partition(":")
    if kind == "school":
        return f"school:{validate_urn(name, 'scope')}"
    if kind == "hub" and name:
        return f"hub:{_hub_code(name)}"
    raise InvalidValue("scope must be admin, auditor, school:<URN> or hub:<CODE>", "scope")


def _hub_code(code: Any) -> str:
    text = check_text("code", code, max_length=32)
    if not text.replace("-", "").replace("_", "").isalnum():
        raise InvalidValue("a hub code is letters, digits, - and _", "code")
    return text.upper()


def _uuid(text: str, not_found: type[TrackerError]) -> UUID:
    try:
        return UUID(str(text))
    except ValueError:
        raise not_found(text) from None


def _check_scope(owner_urn: str, within_school: str | None, what: str) -> None:
    if within_school is not None and owner_urn != within_school:
        raise Forbidden(what)


def _check_scope_pupil(student: Student, within_school: str | None) -> None:
    """A school may act on a pupil who is, or has been, on its own roll."""
    if within_school is not None and all(e.school_urn != within_school for e in student.enrolments):
        raise Forbidden(f"pupil {student.upn}")


def _check_on_roll(roll: Roll, upns: list[str], day: date, field: str) -> None:
    absent = roll.absent_on(upns, day)
    if absent:
        raise NotOnRoll(absent, roll.urn, day, field)


def _check_age_fits(year_group: int, date_of_birth: date, year: AcademicYear) -> None:
    """One year either side of the age-expected group allows for pupils held back or moved up."""
    expected = year_group_for_birth(date_of_birth, year)
    if abs(year_group - expected) > 1:
        raise InvalidValue(
            f"a pupil born {date_of_birth} is expected in Year {expected} in {year}, not Year {year_group}",
            "year_group",
        )
