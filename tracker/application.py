"""The Tracker application: every write use case, taking primitives and returning positions."""

from __future__ import annotations

import functools
from contextlib import nullcontext
from datetime import date
from typing import Any, Callable, TypeVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.persistence import (
    EventStore,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Transcoding,
)
from eventsourcing.utils import resolve_topic

from tracker.calendar import AcademicYear, check_in_calendar, check_not_future
from tracker.commands import MAX_ATTEMPTS, Changes, Written, back_off, one_at_a_time
from tracker.config import CREDENTIALS_BY_STORE, MEMORY_FACTORY, database_url, store_settings
from tracker.domain.access import IdempotencyKey
from tracker.domain.activity import Activity
from tracker.domain.base import Caller, acting_as, at_one_moment
from tracker.domain.placement import Placement
from tracker.domain.roll import Roll
from tracker.domain.school import School
from tracker.domain.student import Student
from tracker.errors import (
    ActivityNotFound,
    ConcurrentChange,
    IdempotencyKeyReused,
    InvalidValue,
    PlacementNotFound,
    PupilNotFound,
    SchoolNotFound,
    TrackerError,
)
from tracker.identity import IdentityMapper, KeyedEventStore
from tracker.ports import Credentials
from tracker.rules import check_scope, parse_uuid
from tracker.usecases.access import AccessTokens
from tracker.usecases.accounts import Accounts
from tracker.usecases.activities import ActivitiesAndPlacements
from tracker.usecases.erasure import Erasures
from tracker.usecases.organisations import Organisations
from tracker.usecases.personal_tokens import PersonalTokens
from tracker.usecases.pupils import Pupils
from tracker.usecases.schools import HubsAndSchools
from tracker.usecases.signin import SigningIn
from tracker.usecases.years import Years

A = TypeVar("A")


class DateAsISO(Transcoding):
    """Dates (the valid time of every fact) stored as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


# Python 3.11 works out a runtime `Protocol`'s members again at every `isinstance` against it:
# 11 µs to find that an aggregate is not a `DomainEventProtocol` and 3.5 µs that it is a
# `CollectEventsProtocol` (the library's `save`, for every aggregate saved), 11.5 µs that an event
# is a `CanMutateProtocol` (its `project_aggregate`, for every event an aggregate is rebuilt
# from: a school's roll read back after a bulk enrolment replays every admission). Together they
# were a tenth of the national ingest's writer (docs/performance.md). Our aggregates and events
# are the library's classes, so the same work is done here without asking.


def _mutated(aggregate: Any, events: Any) -> Any:
    """The library's `project_aggregate`, without its `assert isinstance(event, ...)`."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class _Repository(Repository):
    """The library's repository, rebuilding aggregates with `_mutated` unless told otherwise."""

    def get(self, aggregate_id: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("projector_func", _mutated)
        return super().get(aggregate_id, **kwargs)


class Tracker(
    HubsAndSchools,
    Pupils,
    Erasures,
    Years,
    ActivitiesAndPlacements,
    Organisations,
    AccessTokens,
    PersonalTokens,
    Accounts,
    SigningIn,
    Application,
):
    """Careers Hub Tracker's write side."""

    name = "Tracker"
    # Without a store named, the in-memory one, with our recorder (adapters/memory.py).
    env = {
        "AGGREGATE_CACHE_MAXSIZE": "20000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
        "PERSISTENCE_MODULE": MEMORY_FACTORY,
    }

    def __init__(self, env: dict[str, str] | None = None, today: Callable[[], date] = date.today):
        super().__init__(env)
        self.today = today

    @classmethod
    def from_url(
        cls, url: str | None = None, cipher_key: str | None = None, **kwargs: Any
    ) -> "Tracker":
        """The application over the store a `DATABASE_URL` names (default: the environment's)."""
        return cls(store_settings(url or database_url(), cipher_key), **kwargs)

    @functools.cached_property
    def credentials(self) -> Credentials:
        """People's credentials, beside the events and never in them (tracker/ports.py)."""
        store = self.env.get("PERSISTENCE_MODULE") or MEMORY_FACTORY
        return resolve_topic(CREDENTIALS_BY_STORE[store])(self.recorder)

    def construct_repository(self) -> Repository:
        repository = super().construct_repository()
        repository.__class__ = _Repository  # as the library builds it from the settings
        return repository

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # --- each pupil's identity under a key of its own (tracker/identity.py) -----------------

    def construct_mapper(self) -> Mapper:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=IdentityMapper
        )

    def construct_event_store(self) -> EventStore:
        self.mapper.keys = (
            self.recorder
        )  # the keys are kept beside the events, by the same recorder
        return KeyedEventStore(self.mapper, self.recorder)

    # --- running a command ----------------------------------------------------------

    def execute(
        self,
        decide: Callable[[], Changes],
        *,
        caller: Caller | None,
        idempotency_key: str | None,
        fingerprint: str,
        commutative: bool,
        school: str | None = None,
    ) -> Written:
        """Decide, then save atomically with the idempotency key; retry commutative commands.
        `school`: the school whose roll the command writes, if any (`one_at_a_time`)."""
        caller = caller or Caller()
        writing_roll = self.recorder.writing_roll(school) if school else nullcontext()
        with acting_as(caller), one_at_a_time(school), writing_roll:
            if idempotency_key and (
                first := self._first_result(caller.actor, idempotency_key, fingerprint)
            ):
                return first
            try:
                return self._decide_and_save(
                    decide, caller.actor, idempotency_key, fingerprint, commutative
                )
            except TrackerError:
                # A copy sent with the same key may have written after our first look, and our guard
                # then refused what it had done (a second retraction, a second enrolment): every
                # copy gets the answer of the one that wrote.
                if idempotency_key and (
                    first := self._first_result(caller.actor, idempotency_key, fingerprint)
                ):
                    return first
                raise

    def _decide_and_save(
        self,
        decide: Callable[[], Changes],
        actor: str,
        idempotency_key: str | None,
        fingerprint: str,
        commutative: bool,
    ) -> Written:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with at_one_moment():  # each attempt's events at one time: decided again, a new one
                changes = decide()
                if idempotency_key:
                    changes.aggregates.append(
                        IdempotencyKey(actor, idempotency_key, fingerprint, changes.id)
                    )
            try:
                return Written(changes.id, self._save(changes.aggregates))
            except IntegrityError:
                # Someone else wrote first: the same key's twin, or another change, which a
                # commutative command is decided again on top of.
                if idempotency_key and (
                    first := self._first_result(actor, idempotency_key, fingerprint)
                ):
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
        return Written(used.result_id, self.recorder.notification_id_of(key_id, 1))

    def _save(self, aggregates: list) -> int:
        lasts = [a.pending_events[-1] for a in aggregates if a.pending_events]
        try:
            recordings = self._record_all(aggregates)
        except IntegrityError:
            # The library sends an insert again when the connection drops; if the first one had
            # committed before the drop, the second collides with our own events. They are ours
            # if every aggregate's last event is stored as ours (a save is all or nothing). One
            # event is not enough: a racing writer's event on a shared aggregate (a school's roll)
            # can carry the same microsecond, and we would have answered for a save that failed.
            positions = [self._position_if_stored(event) for event in lasts]
            if positions and None not in positions:
                return max(positions)
            raise
        if recordings:
            return recordings[-1].notification.id
        return self.recorder.max_notification_id() or 0

    def _record_all(self, aggregates: list) -> list:
        """The library's `save` of aggregates, their events collected without its `Protocol`
        checks (above)."""
        processing: ProcessingEvent = ProcessingEvent()
        for aggregate in aggregates:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings

    def _position_if_stored(self, event: Any) -> int | None:
        stored = list(
            self.events.get(
                event.originator_id, gt=event.originator_version - 1, lte=event.originator_version
            )
        )
        if stored and type(stored[0]) is type(event) and stored[0].timestamp == event.timestamp:
            return self.recorder.notification_id_of(event.originator_id, event.originator_version)
        return None

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
        activity = self._load(
            Activity, parse_uuid(activity_id, ActivityNotFound), ActivityNotFound(activity_id)
        )
        check_scope(activity.school_urn, within_school, f"activity {activity_id}")
        return activity

    def _placement(self, placement_id: str, within_school: str | None) -> Placement:
        placement = self._load(
            Placement, parse_uuid(placement_id, PlacementNotFound), PlacementNotFound(placement_id)
        )
        check_scope(placement.school_urn, within_school, f"placement {placement_id}")
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

    def year_group_of(self, upn: str, year: AcademicYear) -> int | None:
        """The pupil's year group in `year`, from the latest one recorded (None for an unknown
        UPN)."""
        try:
            student = self._student(upn)
        except PupilNotFound:
            return None
        return student.year_group_in(year)

    def roll_details(self, upn: str, year: AcademicYear) -> dict[str, Any] | None:
        """What the current school has recorded of a pupil on its roll: their year group and group
        in `year`, SEN and pupil premium (None for a pupil on no roll)."""
        try:
            student = self._student(upn)
        except PupilNotFound:
            return None
        if student.current_enrolment is None:
            return None
        return {
            "school_urn": student.current_enrolment.school_urn,
            "year_group": self.year_group_of(upn, year),
            "group": student.groups.get(year.start_year),
            "sen": student.needs[0],
            "pupil_premium": student.needs[1],
        }

    def _check_by_year_end(self, field: str, value: date) -> date:
        """A date no later than the end of this academic year: a leaving known in July for 31
        August."""
        if not isinstance(value, date):
            raise InvalidValue(f"{field} must be a date", field)
        if value > (end := AcademicYear.containing(self.today()).end):
            raise InvalidValue(
                f"{field} {value} is after the end of this academic year ({end})", field
            )
        return check_in_calendar(field, value)

    def _check_not_future(self, field: str, value: date) -> date:
        if not isinstance(value, date):
            raise InvalidValue(f"{field} must be a date", field)
        check_not_future(field, value, self.today())
        return value
