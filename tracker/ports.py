"""What the write side asks of its event recorder beyond the library's own interface.

Each store's recorder answers these (adapters/postgres.py, adapters/sqlite.py, adapters/memory.py);
the identity keys it also keeps are `tracker.identity.KeyRing`. The recorder is chosen by name in
tracker/config.py, so nothing here imports a database driver; so is the store of people's
credentials (`Credentials`, adapters/credentials.py), kept beside the events.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
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

    def writing_roll(self, school: str) -> AbstractContextManager[None]:
        """Held while a command decides and saves `school`'s roll. A store that several processes
        write serialises them here, so they do not decide on the same version of the roll and
        refuse each other; within a process `tracker.commands.one_at_a_time` already does. Only
        an economy: a command that goes ahead without it is refused on a conflict and decided
        again, as before."""
        return nullcontext()

    def bulk_loading(self) -> AbstractContextManager[None]:
        """A one-off load by the store's only writer; a store with nothing to relax is left as
        it is."""
        return nullcontext()


@dataclass(frozen=True)
class PersonSession:
    """A person's signed-in session: only a hash of its id is kept."""

    id_hash: str
    account_id: str
    started_at: float
    seen_at: float
    label: str  # what the person sees in their list: the browser and address it started from


class Credentials(ABC):
    """What proves a person is who they say, kept out of the events so the log never holds a
    secret (docs/people.md): password hashes, link secrets' hashes, second-factor secrets and
    recovery codes' hashes, and sessions. Times are seconds since the epoch."""

    @abstractmethod
    def password_hash(self, account_id: str) -> str | None:
        """The account's password hash (Argon2id), or None if it has set none."""

    @abstractmethod
    def set_password_hash(self, account_id: str, password_hash: str) -> None:
        """Keep a new password hash, replacing any earlier one."""

    @abstractmethod
    def add_link(self, secret_hash: str, account_id: str, purpose: str, expires_at: float) -> None:
        """Keep an invitation or reset link by the hash of its secret."""

    @abstractmethod
    def link_account(self, secret_hash: str, purpose: str, now: float) -> str | None:
        """The account a live link is for, leaving it unspent; None if unknown or expired."""

    @abstractmethod
    def take_link(self, secret_hash: str, purpose: str, now: float) -> str | None:
        """The account a live link is for, deleting it so it works once; None if unknown, used,
        for another purpose or expired."""

    @abstractmethod
    def second_factor(self, account_id: str) -> tuple[str, bool] | None:
        """The account's TOTP secret and whether it has been confirmed with a code; or None."""

    @abstractmethod
    def set_second_factor(self, account_id: str, secret: str, confirmed: bool) -> None:
        """Keep a TOTP secret, replacing any earlier one."""

    @abstractmethod
    def use_totp_step(self, account_id: str, step: int) -> bool:
        """Note a TOTP code's time step as used: False if it, or a later one, was used before,
        so a code seen over someone's shoulder is no use once accepted."""

    @abstractmethod
    def set_recovery_codes(self, account_id: str, code_hashes: list[str]) -> None:
        """Replace the account's recovery codes (their hashes) with these."""

    @abstractmethod
    def take_recovery_code(self, account_id: str, code_hash: str) -> bool:
        """Whether the account held this recovery code, which is then gone."""

    @abstractmethod
    def start_session(self, session: PersonSession) -> None:
        """Keep a new session."""

    @abstractmethod
    def session(self, id_hash: str) -> PersonSession | None:
        """The session with this id's hash, or None."""

    @abstractmethod
    def touch_session(self, id_hash: str, now: float) -> None:
        """The session was used at `now` (its idle time starts again)."""

    @abstractmethod
    def sessions_of(self, account_id: str) -> list[PersonSession]:
        """The account's sessions, oldest first."""

    @abstractmethod
    def end_sessions(self, account_id: str, id_hash: str | None = None) -> None:
        """End one of the account's sessions, or (None) all of them."""
