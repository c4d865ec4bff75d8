"""The in-memory store's recorder, which keeps the pupils' identity keys beside the events
(tracker/identity.py) and answers the questions the write side asks of the store
(tracker/ports.py), and the factory that makes it.

Chosen with the library's `PERSISTENCE_MODULE` setting (`tracker/config.py`): the library's
in-memory factory takes no recorder setting.
"""

from __future__ import annotations

from typing import Any, Sequence
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from tracker.identity import ERASURES
from tracker.ports import StoreQuestions


class POPOKeyedRecorder(POPOApplicationRecorder, StoreQuestions):
    """The in-memory recorder with a dictionary of keys, changed under the lock that stores
    events."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[UUID, bytes] = {}

    def _update_table(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        new_keys: dict | None = None,
        erased_keys: Sequence[UUID] = (),
        **kwargs: Any,
    ) -> Sequence[int] | None:
        ids = super()._update_table(stored_events, **kwargs)  # after the uniqueness check passed
        self.keys.update(new_keys or {})
        self.destroy_keys(erased_keys)
        return ids

    def select_keys(self, ids: Sequence[UUID]) -> dict[UUID, bytes]:
        with self._database_lock:
            return {pupil: self.keys[pupil] for pupil in ids if pupil in self.keys}

    def destroy_keys(self, ids: Sequence[UUID]) -> int:
        with self._database_lock:
            return sum(self.keys.pop(pupil, None) is not None for pupil in ids)

    def rewrite_identities(self, events: Sequence[StoredEvent], reseal) -> int:
        with self._database_lock:
            at = {
                (e.originator_id, e.originator_version): self._stored_events_index[
                    str(e.originator_id)
                ].get(e.originator_version)
                for e in events
            }
            fresh = [
                self._stored_events[position] for position in at.values() if position is not None
            ]
            erased = {e.originator_id for e in fresh if self._erased(e.originator_id)}
            resealed, keys = reseal(
                fresh,
                erased,
                {
                    e.originator_id: self.keys[e.originator_id]
                    for e in fresh
                    if e.originator_id in self.keys
                },
            )
            for event in resealed:
                self._stored_events[at[(event.originator_id, event.originator_version)]] = event
            self.keys.update(keys)
        return len(resealed)

    def compact(self) -> None:
        """Nothing is kept anywhere but in the objects themselves."""

    def compact_keys(self) -> None:
        """Nor here."""

    def _erased(self, pupil: UUID) -> bool:
        return any(
            self._stored_events[position].topic in ERASURES
            for position in self._stored_events_index[str(pupil)].values()
        )

    # The store's questions (tracker/ports.py), answered from the recorder's own index.

    def notification_id_of(self, originator_id: UUID, version: int) -> int | None:
        position = self._stored_events_index.get(str(originator_id), {}).get(version)
        return None if position is None else position + 1

    def existing_aggregates(self, ids: list[UUID]) -> set[UUID]:
        return {
            aggregate_id for aggregate_id in ids if str(aggregate_id) in self._stored_events_index
        }

    def events_of(self, aggregate_ids: list[UUID], up_to: int) -> list[Notification]:
        wanted = {str(aggregate_id) for aggregate_id in aggregate_ids}
        return [
            n
            for n in self.select_notifications(start=1, limit=up_to, stop=up_to)
            if str(n.originator_id) in wanted
        ]


class MemoryFactory(POPOFactory):
    """The library's in-memory factory, making our recorder."""

    def application_recorder(self) -> ApplicationRecorder:
        return POPOKeyedRecorder()
