"""What every aggregate and event shares: who did it, from which request, and stable ids."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterator
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

# Names are fixed forever: ids derived from them are stored in every event.
ID_NAMESPACE = uuid5(NAMESPACE_URL, "https://careers-hub-tracker.invalid/ids")


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


def _metadata() -> dict[str, str]:
    caller = _current_caller.get()
    return {"actor": caller.actor, "request_id": caller.request_id}


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
