"""People's credentials (tracker/ports.py: Credentials) in tables beside the events, never in them.

One SQL text serves SQLite and PostgreSQL (`?` becomes `%s` for psycopg); each store runs it in
its recorder's own transactions, so no second pool of connections is opened. The in-memory store
keeps them in an in-memory SQLite database of its own. The tables are made on first use.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from tracker.ports import Credentials, PersonSession

TABLES = {
    "person_passwords": "account_id TEXT PRIMARY KEY, hash TEXT NOT NULL",
    "person_links": "secret_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, "
    "purpose TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL",
    "person_second_factors": "account_id TEXT PRIMARY KEY, secret TEXT NOT NULL, "
    "confirmed INTEGER NOT NULL",
    "person_recovery_codes": "account_id TEXT NOT NULL, code_hash TEXT NOT NULL, "
    "PRIMARY KEY (account_id, code_hash)",
    "person_totp_steps": "account_id TEXT PRIMARY KEY, step BIGINT NOT NULL",
    "person_sessions": "id_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, "
    "started_at DOUBLE PRECISION NOT NULL, seen_at DOUBLE PRECISION NOT NULL, label TEXT",
}
SESSION_COLUMNS = "id_hash, account_id, started_at, seen_at, label"


def _values(row: Any) -> tuple:
    """A row as a tuple, whether the driver gives tuples, sqlite3.Row or dicts (psycopg's)."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


class SQLCredentials(Credentials):
    """The SQL both stores share; a store says how to open a transaction and mark a value."""

    marker = "?"

    def __init__(self) -> None:
        self._made = False

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        raise NotImplementedError

    def _table(self, name: str) -> str:
        return name

    def _run(self, template: str, params: tuple = ()) -> list[tuple]:
        """Run one statement (its tables named `{name}`) in a transaction of its own."""
        self._make_tables()
        statement = template.format(**{name: self._table(name) for name in TABLES})
        with self._cursor() as cursor:
            cursor.execute(statement.replace("?", self.marker), params)
            return [_values(row) for row in cursor.fetchall()] if cursor.description else []

    def _make_tables(self) -> None:
        if self._made:
            return
        with self._cursor() as cursor:
            self._lock_for_creation(cursor)
            for name, columns in TABLES.items():
                cursor.execute(f"CREATE TABLE IF NOT EXISTS {self._table(name)} ({columns})")
        self._made = True

    def _lock_for_creation(self, cursor: Any) -> None:
        """Two processes making the tables at once must not collide (PostgreSQL's catalogue)."""

    # --- passwords and links ---------------------------------------------------------

    def password_hash(self, account_id: str) -> str | None:
        rows = self._run("SELECT hash FROM {person_passwords} WHERE account_id = ?", (account_id,))
        return rows[0][0] if rows else None

    def set_password_hash(self, account_id: str, password_hash: str) -> None:
        self._run(
            "INSERT INTO {person_passwords} (account_id, hash) VALUES (?, ?) "
            "ON CONFLICT (account_id) DO UPDATE SET hash = excluded.hash",
            (account_id, password_hash),
        )

    def add_link(self, secret_hash: str, account_id: str, purpose: str, expires_at: float) -> None:
        self._run(
            "INSERT INTO {person_links} VALUES (?, ?, ?, ?)",
            (secret_hash, account_id, purpose, expires_at),
        )

    def link_account(self, secret_hash: str, purpose: str, now: float) -> str | None:
        rows = self._run(
            "SELECT account_id FROM {person_links} WHERE secret_hash = ? AND purpose = ? "
            "AND expires_at > ?",
            (secret_hash, purpose, now),
        )
        return rows[0][0] if rows else None

    def take_link(self, secret_hash: str, purpose: str, now: float) -> str | None:
        # Deleted whether or not it has expired: an expired link is no use to anyone either.
        rows = self._run(
            "DELETE FROM {person_links} WHERE secret_hash = ? AND purpose = ? "
            "RETURNING account_id, expires_at",
            (secret_hash, purpose),
        )
        return rows[0][0] if rows and rows[0][1] > now else None

    # --- second factor ---------------------------------------------------------------

    def second_factor(self, account_id: str) -> tuple[str, bool] | None:
        rows = self._run(
            "SELECT secret, confirmed FROM {person_second_factors} WHERE account_id = ?",
            (account_id,),
        )
        return (rows[0][0], bool(rows[0][1])) if rows else None

    def set_second_factor(self, account_id: str, secret: str, confirmed: bool) -> None:
        self._run(
            "INSERT INTO {person_second_factors} VALUES (?, ?, ?) ON CONFLICT (account_id) "
            "DO UPDATE SET secret = excluded.secret, confirmed = excluded.confirmed",
            (account_id, secret, int(confirmed)),
        )

    def use_totp_step(self, account_id: str, step: int) -> bool:
        # One statement, so two sign-ins racing with the same code cannot both be let in.
        rows = self._run(
            "INSERT INTO {person_totp_steps} AS held VALUES (?, ?) ON CONFLICT (account_id) "
            "DO UPDATE SET step = excluded.step WHERE held.step < excluded.step "
            "RETURNING account_id",
            (account_id, step),
        )
        return bool(rows)

    def set_recovery_codes(self, account_id: str, code_hashes: list[str]) -> None:
        self._run("DELETE FROM {person_recovery_codes} WHERE account_id = ?", (account_id,))
        for code_hash in code_hashes:
            self._run("INSERT INTO {person_recovery_codes} VALUES (?, ?)", (account_id, code_hash))

    def take_recovery_code(self, account_id: str, code_hash: str) -> bool:
        rows = self._run(
            "DELETE FROM {person_recovery_codes} WHERE account_id = ? AND code_hash = ? "
            "RETURNING code_hash",
            (account_id, code_hash),
        )
        return bool(rows)

    # --- sessions --------------------------------------------------------------------

    def start_session(self, session: PersonSession) -> None:
        self._run(
            "INSERT INTO {person_sessions} VALUES (?, ?, ?, ?, ?)",
            (
                session.id_hash,
                session.account_id,
                session.started_at,
                session.seen_at,
                session.label,
            ),
        )

    def session(self, id_hash: str) -> PersonSession | None:
        rows = self._run(
            f"SELECT {SESSION_COLUMNS} FROM {{person_sessions}} WHERE id_hash = ?", (id_hash,)
        )
        return PersonSession(*rows[0]) if rows else None

    def touch_session(self, id_hash: str, now: float) -> None:
        self._run("UPDATE {person_sessions} SET seen_at = ? WHERE id_hash = ?", (now, id_hash))

    def sessions_of(self, account_id: str) -> list[PersonSession]:
        rows = self._run(
            f"SELECT {SESSION_COLUMNS} FROM {{person_sessions}} WHERE account_id = ? "
            "ORDER BY started_at",
            (account_id,),
        )
        return [PersonSession(*row) for row in rows]

    def end_sessions(self, account_id: str, id_hash: str | None = None) -> None:
        if id_hash is None:
            self._run("DELETE FROM {person_sessions} WHERE account_id = ?", (account_id,))
        else:
            self._run(
                "DELETE FROM {person_sessions} WHERE account_id = ? AND id_hash = ?",
                (account_id, id_hash),
            )


class RecorderCredentials(SQLCredentials):
    """In the transactions of the recorder's own datastore (eventsourcing's SQLite or
    PostgreSQL), so credentials live in the same database as the events."""

    def __init__(self, recorder: Any) -> None:
        super().__init__()
        self.datastore = recorder.datastore

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as cursor:
            yield cursor


class SQLiteCredentials(RecorderCredentials):
    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with super()._cursor() as cursor:
            yield cursor.sqlite_cursor  # the library's wrapper hides `description`


class PostgresCredentials(RecorderCredentials):
    marker = "%s"

    def _table(self, name: str) -> str:
        schema = getattr(self.datastore, "schema", "")
        return f'"{schema}".{name}' if schema else name

    def _lock_for_creation(self, cursor: Any) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('person credentials tables'))")


class MemoryCredentials(SQLCredentials):
    """For the in-memory store: one private in-memory SQLite database, one writer at a time."""

    def __init__(self, recorder: Any = None) -> None:
        super().__init__()
        self._connection = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.Lock()

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._lock, self._connection:
            yield self._connection.cursor()
