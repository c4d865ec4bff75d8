"""Each pupil's identity sealed under a key of the pupil's own, kept beside the events: destroying
the key erases the identity from the log, from every view built from it, and from later backups.

A `Student` event carrying a name or a date of birth (a registration; an enrolment, with the names
the school gave) is stored with those fields replaced by one sealed field: ChaCha20-Poly1305 under
the pupil's key, bound to the pupil's id so a sealed identity cannot be opened as another pupil's.
The keys live in a table of the event store's own database (the recorders in `adapters/`)
and are written in the very transaction that stores the events needing them: a key is stored with
the pupil's registration and deleted with their erasure, so there is no moment at which one is
recorded and the other not. `CIPHER_KEY` still encrypts each whole event on top. Design and
procedures: docs/erasure.md.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from base64 import b64decode, b64encode
from contextvars import ContextVar
from typing import Any, Callable, Iterator, Protocol, Sequence
from uuid import UUID

# ChaCha20-Poly1305 (an AEAD as standard: RFC 8439) from `cryptography`, whose whole seal is one
# call into OpenSSL: 2.2 us a message, against 27.6 us for pycryptodome's (which the library's
# `crypto` extra installs, and which sets up a Python object per message; its AES-GCM took 130 us).
# A registration and each enrolment is one message: pycryptodome's seal was a quarter of a bulk
# enrolment's CPU (docs/performance.md, "The writer's CPU"). Both write the same bytes.
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from eventsourcing.persistence import EventStore, Mapper, StoredEvent
from eventsourcing.utils import get_topic

from tracker.domain.student import Student

IDENTITY = ("given_name", "family_name", "date_of_birth")
SEALED = "sealed_identity"  # the stored field that holds them
KEYS_TABLE = "identity_keys"  # beside the events, in the event store's database
KEY_BYTES, NONCE_BYTES, TAG_BYTES = 32, 12, 16
IDENTITY_TOPICS = (
    get_topic(Student.Registered),
    get_topic(Student.Enrolled),
)  # the events that carry one
ERASURES = (get_topic(Student.IdentityErased), get_topic(Student.IdentityPseudonymised))
ERASING = (Student.IdentityErased,)  # events whose recording destroys the pupil's key

# The keys to seal the events being stored now with: set by `KeyedEventStore.put`, read by the
# mapper.
_sealing_keys: ContextVar[dict[UUID, bytes] | None] = ContextVar("sealing_keys", default=None)


class KeyRing(Protocol):
    """What the recorders of every store offer besides events (`adapters/`)."""

    def select_keys(self, ids: Sequence[UUID]) -> dict[UUID, bytes]:
        """The keys still held for these pupils (an erased pupil has none)."""

    def destroy_keys(self, ids: Sequence[UUID]) -> int:
        """Delete these pupils' keys (the sweep); returns how many there were."""

    def rewrite_identities(self, events: Sequence[StoredEvent], reseal: "Reseal") -> int:
        """In one transaction with writers held off: re-read `events`, find which of their pupils
        were erased and which keys are held, store what `reseal` makes of them and the new keys it
        returns; returns how many events were rewritten."""

    def compact(self) -> None:
        """Rewrite the store's files so that rows updated or deleted leave no bytes behind."""

    def compact_keys(self) -> None:
        """The same for the table of keys alone (after erasures)."""


# (events, pupils erased, keys held) -> (events sealed, new keys to keep)
Reseal = Callable[
    [Sequence[StoredEvent], set[UUID], dict[UUID, bytes]],
    tuple[list[StoredEvent], dict[UUID, bytes]],
]


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def seal(plaintext: bytes, key: bytes, pupil_id: UUID) -> str:
    nonce = os.urandom(
        NONCE_BYTES
    )  # random: a pupil's key seals a handful of messages, never 2**32
    sealed = ChaCha20Poly1305(key).encrypt(nonce, plaintext, pupil_id.bytes)  # ciphertext + tag
    encrypted, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    return b64encode(nonce + tag + encrypted).decode()


def unseal(sealed: str, key: bytes, pupil_id: UUID) -> bytes:
    raw = b64decode(sealed)
    nonce, tag, encrypted = (
        raw[:NONCE_BYTES],
        raw[NONCE_BYTES : NONCE_BYTES + TAG_BYTES],
        raw[NONCE_BYTES + TAG_BYTES :],
    )
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, encrypted + tag, pupil_id.bytes)
    except InvalidTag:
        # what pycryptodome raised, and what callers of an opened identity expect
        raise ValueError("MAC check failed") from None


class IdentityMapper(Mapper):
    """The library's mapper, sealing identities on the way to the store and opening them on the way
    back while the pupil's key exists; without it they read as None."""

    keys: KeyRing  # the recorder, once the application has made it

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if not carries_identity(domain_event):
            return super().to_stored_event(domain_event)
        state, key = vars(domain_event), (_sealing_keys.get() or {}).get(domain_event.originator_id)
        if key is None:  # never store an identity in the clear
            raise RuntimeError(
                "an identity reached the mapper without a key; store events with KeyedEventStore"
            )
        sealed = object.__new__(type(domain_event))
        object.__setattr__(
            sealed, "__dict__", self.sealed_state(state, key, domain_event.originator_id)
        )
        return super().to_stored_event(sealed)

    def sealed_state(self, state: dict[str, Any], key: bytes, pupil_id: UUID) -> dict[str, Any]:
        """An event's fields with the identity replaced by its sealed form."""
        identity = {name: state[name] for name in IDENTITY if name in state}
        kept = {name: value for name, value in state.items() if name not in IDENTITY}
        return {**kept, SEALED: seal(self.transcoder.encode(identity), key, pupil_id)}

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.to_domain_events([stored_event])[0]

    def to_domain_events(
        self, stored_events: Sequence[StoredEvent], identities: bool = True
    ) -> list[Any]:
        """Events decoded, with the keys of the pupils among them fetched in one query; with
        `identities=False` (the views, which hold none) identities read as None and no key is
        read."""
        events = [Mapper.to_domain_event(self, stored) for stored in stored_events]
        sealed = [event for event in events if SEALED in vars(event)]
        keys = (
            self.keys.select_keys([event.originator_id for event in sealed])
            if sealed and identities
            else {}
        )
        for event in sealed:
            self._open(
                vars(event),
                keys.get(event.originator_id),
                event.originator_id,
                identity_fields(type(event)),
            )
        return events

    def _open(
        self, state: dict[str, Any], key: bytes | None, pupil_id: UUID, fields: tuple[str, ...]
    ) -> None:
        sealed = state.pop(SEALED)
        opened = self.transcoder.decode(unseal(sealed, key, pupil_id)) if key else {}
        state.update({name: opened.get(name) for name in fields})

    # --- migrating events stored before identities were sealed ----------------------------

    def is_in_the_clear(self, stored_event: StoredEvent) -> bool:
        state = self.decode_state(stored_event.state)
        return SEALED not in state and any(state.get(name) is not None for name in IDENTITY)

    def reseal(
        self, stored_events: Sequence[StoredEvent], erased: set[UUID], held: dict[UUID, bytes]
    ) -> tuple[list[StoredEvent], dict[UUID, bytes]]:
        """Events whose identity is in the clear, sealed under their pupil's key (the one held, or a
        new one); and the new keys to keep. A pupil already erased (or pseudonymised by older code)
        is sealed under a key that is never kept."""
        resealed, keys, discarded = [], {}, {}
        for stored in stored_events:
            state, pupil = self.decode_state(stored.state), stored.originator_id
            if SEALED in state or not any(state.get(name) is not None for name in IDENTITY):
                continue  # sealed by an earlier run, or nothing to seal
            kept = discarded if pupil in erased else keys
            key = held.get(pupil) or kept.setdefault(pupil, new_key())
            resealed.append(
                StoredEvent(
                    pupil,
                    stored.originator_version,
                    stored.topic,
                    self.encode_state(self.sealed_state(state, key, pupil)),
                )
            )
        return resealed, keys

    def decode_state(self, stored_state: bytes) -> dict[str, Any]:
        if self.cipher:
            stored_state = self.cipher.decrypt(stored_state)
        if self.compressor:
            stored_state = self.compressor.decompress(stored_state)
        return self.transcoder.decode(stored_state)

    def encode_state(self, state: dict[str, Any]) -> bytes:
        stored_state = self.transcoder.encode(state)
        if self.compressor:
            stored_state = self.compressor.compress(stored_state)
        if self.cipher:
            stored_state = self.cipher.encrypt(stored_state)
        return stored_state


class KeyedEventStore(EventStore):
    """Stores events with the key changes they imply, in the same transaction: a new key for each
    pupil with an identity to seal and no key yet (a registration), and the key of each pupil whose
    identity is erased deleted. A pupil's later events with an identity are sealed under the key
    they have."""

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list:
        pupils = {event.originator_id for event in domain_events if carries_identity(event)}
        known = pupils - {
            event.originator_id for event in domain_events if isinstance(event, Student.Registered)
        }
        held = self.recorder.select_keys(sorted(known)) if known else {}
        new = {pupil: new_key() for pupil in sorted(pupils) if pupil not in held}
        erased = sorted(
            {event.originator_id for event in domain_events if isinstance(event, ERASING)}
        )
        token = _sealing_keys.set({**held, **new})
        try:
            return super().put(domain_events, new_keys=new, erased_keys=erased, **kwargs)
        finally:
            _sealing_keys.reset(token)

    def get(self, originator_id: UUID, **selection: Any) -> Iterator[Any]:
        """An aggregate's events, decoded together: one read of its key, however many carry an
        identity."""
        return iter(
            self.mapper.to_domain_events(self.recorder.select_events(originator_id, **selection))
        )


def carries_identity(event: Any) -> bool:
    return isinstance(event, Student.Event) and any(
        vars(event).get(name) is not None for name in IDENTITY
    )


@functools.cache
def identity_fields(event_class: type) -> tuple[str, ...]:
    """The identity fields an event class declares: all three for a registration, the names for an
    enrolment."""
    declared = {field.name for field in dataclasses.fields(event_class)}
    return tuple(name for name in IDENTITY if name in declared)
