"""What the write side asks of its event recorder beyond the library's own interface.

Each store's recorder answers these (adapters/postgres.py, adapters/sqlite.py, adapters/memory.py);
the identity keys it also keeps are `tracker.identity.KeyRing`. The recorder is chosen by name in
tracker/config.py, so nothing here imports a database driver.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, nullcontext
from uuid import UUID

from eventsourcing.persistence import Notification


class StoreQuestions(ABC):
    """The few questions we ask the event store that the library has no method for."""

    @abstractmethod
    def notification_id_of(self, originator_id: UUID, version: int) -> int | None:
        """The position at which one stored event was recorded, or None if it was not."""

    @abstractmethod
    def existing_aggregates(self, ids: list[UUID]) -> set[UUID]:
        """Which of these aggregates have been stored: one query for a batch, not one per id."""

    @abstractmethod
    def events_of(self, aggregate_ids: list[UUID], up_to: int) -> list[Notification]:
        """Every stored event of these aggregates at or before position `up_to`, in log order."""

    def bulk_loading(self) -> AbstractContextManager[None]:
        """A one-off load by the store's only writer; a store with nothing to relax is left as
        it is."""
        return nullcontext()
