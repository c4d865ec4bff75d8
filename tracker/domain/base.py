"""What every aggregate and event shares: who did it, from which request, and stable ids."""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

# Names are fixed forever: ids derived from them are stored in every event.
ID_NAMESPACE = uuid5(NAMESPACE_URL, "https://careers-hub-tracker.invalid/ids")


# Kept: a bulk enrolment works out each pupil's id three times (is it stored, the new record, its
# events), and the projection an organisation's for every activity naming it; a SHA-1 each time
# was 4% of the national ingest's writer. UUIDs are immutable, so sharing one is safe.
@functools.lru_cache(maxsize=65_536)
def stable_id(kind: str, natural_key: str) -> UUID:
    """The aggregate id of a thing that has a natural key (a URN, a UPN, a hub code)."""
    return uuid5(ID_NAMESPACE, f"{kind}:{natural_key}")


@dataclass(frozen=True)
class Caller:
    """Who is acting (a token's subject) and on behalf of which request."""

    actor: str = "system"
    request_id: str = ""


# Frozen, so one shared instance is a safe default for every context.
_SYSTEM = Caller()
_current_caller: ContextVar[Caller] = ContextVar("current_caller", default=_SYSTEM)


@contextmanager
def acting_as(caller: Caller) -> Iterator[None]:
    """Stamp every event triggered inside the block with the caller's metadata."""
    token = _current_caller.set(caller)
    try:
        yield
    finally:
        _current_caller.reset(token)


# The moment a command records its events at: every event it triggers carries the same timestamp,
# since they are stored in one transaction and become known together. "As known at T" can then
# never fall between two events of one command, and the views keep a version only at the last
# position of each moment (docs/time.md, "Moments").
_current_moment: ContextVar[datetime | None] = ContextVar("current_moment", default=None)


@contextmanager
def at_one_moment() -> Iterator[datetime]:
    """Stamp every event triggered inside the block with one timestamp, taken now."""
    moment = TrackerAggregate.Event.create_timestamp()
    token = _current_moment.set(moment)
    try:
        yield moment
    finally:
        _current_moment.reset(token)


def _metadata() -> dict[str, Any]:
    caller = _current_caller.get()
    metadata: dict[str, Any] = {"actor": caller.actor, "request_id": caller.request_id}
    if (moment := _current_moment.get()) is not None:
        metadata["timestamp"] = moment
    return metadata


class TrackerAggregate(Aggregate):
    """An aggregate whose events all say who recorded them and from which request."""

    class Event(Aggregate.Event):
        actor: str
        request_id: str

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _create(cls, event_class: Any, **kwargs: Any) -> Any:
        return super()._create(event_class, **_metadata(), **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        super().trigger_event(event_class, **_metadata(), **kwargs)
