"""Where the views live: one interface, a SQLite and a PostgreSQL implementation."""

from __future__ import annotations

import copy
import fcntl
import functools
import re
import sqlite3
import threading
import uuid
from contextlib import contextmanager, nullcontext
from datetime import date
from typing import Any, Iterator, Mapping, Sequence
from urllib.parse import urlsplit

from adapters import SCHEMA_LOCK_KEY
from projections.tables import (
    COLUMNS,
    COMPUTED,
    HISTORY,
    INDEXES,
    OPERATIONAL,
    SCHEMA,
    TABLES,
    VERSIONED,
)
from projections.writes import INSERT, UPDATE, UPSERT, Write, column_names

LIVE = "v_"
SCRATCH = "r_"  # a rebuild's tables, swapped in when built
CHECK = "c_"  # a verify's tables, dropped when compared: never a rebuild's
MAINTENANCE_LOCK_KEY = (
    SCHEMA_LOCK_KEY + 1
)  # PostgreSQL advisory lock: one rebuild or verify at a time
_TABLE_REFERENCE = re.compile(r"\{(\w+)\}")
# A named parameter, `:name`, but not a PostgreSQL cast (`::date`) or a time's minutes (`12:30`).
_NAMED_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
IN_CHUNK = 500  # bound parameters per statement, well inside SQLite's limit
Params = Sequence[Any] | Mapping[str, Any]  # bound in order (`?`) or by name (`:name`)

sqlite3.register_adapter(date, date.isoformat)
_NO_LOCK = nullcontext()


class ViewStore:
    """Runs statements written with `{table}` references and parameters on one database: `?` bound
    in order, or `:name` bound by name (never both in one statement)."""

    types: dict[str, str]
    column_types: dict[str, str]  # the types as columns are declared, where they differ from casts
    lock_clause = ""  # what a read adds to hold the rows it read until the transaction ends
    position_channel: str | None = None  # announced on at each committed position, if anywhere
    date_cast = "{}"  # a date parameter as the database can tell its type where it cannot infer it
    subquery_fence = ""  # what keeps a subquery from being merged into the query around it
    dates_as_text = True  # a date column reads back as ISO text (SQLite), not as a date

    def __init__(self, prefix: str = LIVE):
        self.prefix = prefix
        self.known_position: int | None = None  # reads see the views as at this log position
        self.origin: ViewStore = self  # the views read as they are (a known-at copy keeps it)
        self._statements: dict[tuple[str, str], Any] = {}

    def known_at(self, position: int) -> "ViewStore":
        """The same views, read as they stood once the log up to `position` was applied: each
        versioned table is read as its rows current then (docs/time.md). Only for reads."""
        known = copy.copy(self)
        known.known_position = int(position)
        known._statements = {}  # statements name the position: never shared with "now"
        return known

    def with_prefix(self, prefix: str) -> "ViewStore":
        """The same database, naming another set of tables (a rebuild's scratch tables)."""
        raise NotImplementedError

    def statement(self, template: str) -> Any:
        """A template with its table references resolved for this store's prefix (cached)."""
        key = (self.prefix, template)
        if key not in self._statements:
            if self.known_position is not None:
                template = as_known_at(template, self.known_position)
            self._statements[key] = self._compose(template)
        return self._statements[key]

    def _compose(self, template: str) -> Any:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor whose statements commit together, or not at all."""
        raise NotImplementedError

    def execute(self, cursor, template: str, params: Params = ()) -> Any:
        cursor.execute(self.statement(template), params)
        return cursor

    def executemany(self, cursor, template: str, rows: list[Sequence]) -> None:
        if rows:
            cursor.executemany(self.statement(template), rows)

    def write(self, cursor, write: Write, rows: list[Sequence]) -> None:
        """The rows queued for one of the projection's writes, in order."""
        self.executemany(cursor, write.template, rows)

    def date_param(self, name: str) -> str:
        """The named date parameter `name`, typed where the database cannot infer its type."""
        return self.date_cast.format(f":{name}")

    def membership(
        self, template: str, values: list, params: Mapping[str, Any] | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """`IN ({in})` filled for `values`, beside the template's other parameters (named): in
        chunks of bound parameters (PostgreSQL: one array)."""
        chunks = [values[start : start + IN_CHUNK] for start in range(0, len(values), IN_CHUNK)]
        return [
            (template.replace("{in}", marks), {**(params or {}), **bound})
            for marks, bound in (any_of("among", chunk) for chunk in chunks)
        ]

    def query(self, template: str, params: Params = ()) -> list[tuple]:
        """Rows of one read, in its own short transaction."""
        with self.transaction() as cursor:
            return list(self.execute(cursor, template, params).fetchall())

    def create_tables(self) -> None:
        """Create this prefix's tables, with their indexes, where they do not exist yet."""
        with self.transaction() as cursor:
            self._serialise_table_creation(cursor)
            for name, columns in {**TABLES, **(OPERATIONAL if self.prefix == LIVE else {})}.items():
                if self._table_exists(cursor, self.prefix + name):
                    continue
                cursor.execute(self._create_table(name, columns.format(**self.column_types)))
                for index_columns in INDEXES.get(name, ()):
                    # Index names are unique per build: a rebuilt table keeps its own through the
                    # swap.
                    cursor.execute(self._create_index(name, uuid.uuid4().hex[:12], index_columns))
                if name in VERSIONED and name not in COMPUTED:
                    for statement in self._keep_versions(name, uuid.uuid4().hex[:12]):
                        cursor.execute(statement)
                if name == "tracking":  # new views: note which columns they were made with
                    self.execute(cursor, "INSERT INTO {tracking} VALUES ('schema', ?)", (SCHEMA,))
            # The row exists from the start, so a runner can lock it before its first page.
            self.execute(
                cursor, "INSERT INTO {tracking} VALUES ('views', 0) ON CONFLICT (name) DO NOTHING"
            )

    def drop_tables(self) -> None:
        with self.transaction() as cursor:
            for name in TABLES:
                cursor.execute(self.statement(f"DROP TABLE IF EXISTS {{{name}}}"))

    def swap_in(self, scratch: "ViewStore") -> None:
        """Replace this store's tables with `scratch`'s in one transaction; readers wait a moment,
        then see the new ones."""
        with self.transaction() as cursor:
            for name in TABLES:
                cursor.execute(self.statement(f"DROP TABLE IF EXISTS {{{name}}}"))
                cursor.execute(self._rename(scratch.prefix + name, self.prefix + name))

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A read-only transaction seeing every table as of one moment."""
        raise NotImplementedError

    def analyse(self) -> None:
        """Bring the query planner's statistics of this prefix's tables up to date."""

    def compact(self) -> None:
        """Leave no bytes of dropped tables or deleted rows in the database's files (after a rebuild
        that dropped views holding identities: docs/erasure.md). PostgreSQL drops a table's files
        with it."""

    @contextmanager
    def maintaining(self, wait: bool = True) -> Iterator[bool]:
        """Hold the views' maintenance lock for the block: one rebuild or verify at a time, across
        every process on these views. Yields False, holding nothing, if another holds it and `wait`
        is False."""
        raise NotImplementedError

    def position(self, name: str = "views") -> int:
        """How far into the event log this store's views have been brought."""
        rows = self.query("SELECT position FROM {tracking} WHERE name = ?", (name,))
        return rows[0][0] if rows else 0

    def close(self) -> None:
        pass


class SQLiteViewStore(ViewStore):
    """Views in their own SQLite file, beside the event store's file."""

    types = {
        "text": "TEXT",
        "date": "TEXT",
        "int": "INTEGER",
        "big": "INTEGER",
        "flag": "INTEGER",
        "real": "REAL",
        "serial": "INTEGER",
    }  # INTEGER PRIMARY KEY numbers itself
    column_types = types

    def __init__(
        self,
        path: str,
        prefix: str = LIVE,
        shared: sqlite3.Connection | None = None,
        lock: threading.RLock | None = None,
    ):
        super().__init__(prefix)
        self.path = path
        self._local = threading.local()
        # An in-memory database exists once per connection, so every thread shares one, and
        # every store over it (live or scratch) takes turns on it through one lock.
        self._shared = shared or (self._connect() if path == ":memory:" else None)
        self._lock = lock or threading.RLock()
        self._maintenance = threading.Lock()  # in memory the views are this process's alone

    def with_prefix(self, prefix: str) -> "SQLiteViewStore":
        return SQLiteViewStore(self.path, prefix, shared=self._shared, lock=self._lock)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        if self.path != ":memory:":
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def _connection(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
        return connection

    def _compose(self, template: str) -> str:
        return _TABLE_REFERENCE.sub(lambda m: f'"{self.prefix}{m.group(1)}"', template)

    def _create_table(self, name: str, columns: str) -> str:
        return self._compose(f"CREATE TABLE IF NOT EXISTS {{{name}}} ({columns})")

    def _create_index(self, name: str, suffix: str, columns: str) -> str:
        return f'CREATE INDEX "{self.prefix}{name}_{suffix}" ON "{self.prefix}{name}" ({columns})'

    def _keep_versions(self, name: str, suffix: str) -> list[str]:
        # The history table is named in the trigger's text: SQLite rewrites it when a rebuild's
        # tables are renamed into place.
        table, history = f"{self.prefix}{name}", f"{self.prefix}{name}{HISTORY}"
        old = ", ".join(f"OLD.{column}" for column, _kind in COLUMNS[name])
        return [
            f'CREATE TRIGGER "{table}_keep_{suffix}" BEFORE UPDATE ON "{table}" FOR EACH ROW '
            f'WHEN OLD.vfrom < NEW.vfrom BEGIN INSERT INTO "{history}" VALUES ({old}, NEW.vfrom); '
            "END"
        ]

    def _serialise_table_creation(self, cursor) -> None:
        """`BEGIN IMMEDIATE` has already made this transaction the only writer."""

    def _table_exists(self, cursor, table: str) -> bool:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
        return cursor.fetchone() is not None

    def _rename(self, old: str, new: str) -> str:
        return f'ALTER TABLE "{old}" RENAME TO "{new}"'

    @contextmanager
    def maintaining(self, wait: bool = True) -> Iterator[bool]:
        if self.path == ":memory:":
            taken = self._maintenance.acquire(blocking=wait)
            try:
                yield taken
            finally:
                if taken:
                    self._maintenance.release()
            return
        # A lock on a file beside the views: every process and thread opening it takes turns, and
        # the lock goes with the file's closing, or with a process that dies holding it.
        with open(f"{self.path}.maintenance.lock", "a") as lock_file:
            yield _flocked(lock_file, wait)

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Cursor]:
        connection = self._connection()
        with self._lock if self._shared is not None else _NO_LOCK:
            cursor = connection.cursor()
            cursor.execute("BEGIN")  # deferred: the first read fixes the snapshot (WAL)
            try:
                yield cursor
            finally:
                connection.rollback()
                cursor.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        connection = self._connection()
        with self._lock if self._shared is not None else _NO_LOCK:
            cursor = connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")  # take the write lock now, not halfway through
            try:
                yield cursor
            except BaseException:
                connection.rollback()
                raise
            else:
                connection.commit()
            finally:
                cursor.close()

    def compact(self) -> None:
        with self._lock if self._shared is not None else _NO_LOCK:
            connection = self._connection()
            connection.execute("VACUUM")  # outside any transaction: the connection autocommits
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and the pages' older copies

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


class PostgresViewStore(ViewStore):
    """Views in the event store's PostgreSQL database, through a small connection pool."""

    types = {
        "text": "text",
        "date": "date",
        "int": "integer",
        "big": "bigint",
        "flag": "smallint",
        "real": "double precision",
        "serial": "bigint GENERATED BY DEFAULT AS IDENTITY",
    }
    # Byte order, as SQLite compares: every key here is a UPN, URN, code, id or ISO time, whose
    # order is the same under any collation, and the locale's comparisons made each index
    # insert of a catch-up slower (the indexes on text keys are most of the writing it does).
    column_types = {**types, "text": 'text COLLATE "C"'}
    dates_as_text = False
    lock_clause = " FOR UPDATE"
    # A page's NOTIFY is sent when it commits: read-your-writes waits on it
    # (projections/position_watch.py).
    position_channel = "tracker_views_position"
    date_cast = "CAST({} AS date)"
    # Merged, the roll's year-group expression was copied into every sum and priced as if run for
    # every candidate row, and a large school's figures scanned every pupil in the region instead
    # of probing its own (55 ms against 18 ms).
    subquery_fence = " OFFSET 0"

    def __init__(self, url: str, prefix: str = LIVE, pool=None, pool_size: int = 4):
        super().__init__(prefix)
        self.url = url
        self._pool = pool or _postgres_pool(url, pool_size)

    def with_prefix(self, prefix: str) -> "PostgresViewStore":
        return PostgresViewStore(self.url, prefix, pool=self._pool)

    def membership(
        self, template: str, values: list, params: Mapping[str, Any] | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        # One array parameter: one statement, whose plan is cached, whatever the number of values.
        return (
            [
                (
                    template.replace("IN ({in})", "= ANY(CAST(:among AS text[]))"),
                    {**(params or {}), "among": array_literal(values)},
                )
            ]
            if values
            else []
        )

    def write(self, cursor, write: Write, rows: list[Sequence]) -> None:
        """Inserts go through COPY: one stream, not a message per row; upserts as one statement
        over arrays of the rows' values. One row goes as one statement."""
        if len(rows) >= 2 and write.kind == INSERT:
            names = ", ".join(column_names(write.table))
            statement = self.statement(f"COPY {{{write.table}}} ({names}) FROM STDIN {_BINARY}")
            with cursor.copy(statement) as copy:
                copy.set_types(_copy_types(write.table))
                for row in rows:
                    copy.write_row(row)
        elif len(rows) >= 2 and write.kind == UPSERT:
            self._upsert(cursor, write, rows)
        elif len(rows) >= 2 and write.kind == UPDATE and write.columns:
            self._update(cursor, write, rows)
        else:
            super().write(cursor, write, rows)

    def _upsert(self, cursor, write: Write, rows: list[Sequence]) -> None:
        columns = COLUMNS[write.table]
        names = [name for name, _ in columns]
        arrays = ", ".join(f"CAST(? AS {self.types[kind]}[])" for _, kind in columns)
        for batch in _distinct_keys(rows, [names.index(name) for name in write.key], names):
            self.execute(
                cursor,
                f"INSERT INTO {{{write.table}}} ({', '.join(names)}) "
                f"SELECT * FROM unnest({arrays}) {write.on_conflict}",
                [array_literal(values) for values in zip(*batch, strict=True)],
            )

    def _update(self, cursor, write: Write, rows: list[Sequence]) -> None:
        """The rows' updates as one statement over arrays of their values, a key at most once in
        each (the rows of one key in order): a catch-up's leavers were updated one statement a
        row, 65,255 of them in the region (docs/performance.md)."""
        table, types = write.table, dict(COLUMNS[write.table])
        names = [*write.columns, *write.key]
        arrays = ", ".join(f"CAST(? AS {self.types[types[name]]}[])" for name in names)
        given, bound = [f"c{at}" for at in range(len(names))], len(write.columns)
        assignments = [f"{n} = v.{c}" for n, c in zip(write.columns, given[:bound], strict=True)]
        keyed = zip(write.key, given[bound:], strict=True)
        matching = [f"{{{table}}}.{n} = v.{c}" for n, c in keyed]
        matching += [f"{{{table}}}.{name} IS NULL" for name in write.nulls]
        template = (
            f"UPDATE {{{table}}} SET {', '.join(assignments)} FROM unnest({arrays}) "
            f"AS v({', '.join(given)}) WHERE {' AND '.join(matching)}"
        )
        for batch in _one_per_key(rows, range(bound, len(names))):
            values = [array_literal(column) for column in zip(*batch, strict=True)]
            self.execute(cursor, template, values)

    def _compose(self, template: str):
        from psycopg import sql

        identifiers = {}

        def reference(match: re.Match) -> str:
            identifiers[match.group(1)] = sql.Identifier(self.prefix + match.group(1))
            return "{" + match.group(1) + "}"

        text = _NAMED_PARAMETER.sub(r"%(\1)s", template.replace("?", "%s"))
        return sql.SQL(_TABLE_REFERENCE.sub(reference, text)).format(**identifiers)

    def _create_table(self, name: str, columns: str):
        return self._compose(f"CREATE TABLE IF NOT EXISTS {{{name}}} ({columns})")

    def _create_index(self, name: str, suffix: str, columns: str):
        from psycopg import sql

        return sql.SQL("CREATE INDEX {} ON {} (" + columns + ")").format(
            sql.Identifier(f"{self.prefix}{name}_{suffix}"), sql.Identifier(self.prefix + name)
        )

    def _keep_versions(self, name: str, suffix: str) -> list[Any]:
        from psycopg import sql

        # One function for every table and prefix: it finds the history beside the table it fires
        # on, so a rebuild's tables keep theirs through the rename.
        return [
            sql.SQL(KEEP_VERSION_FUNCTION),
            sql.SQL(
                "CREATE TRIGGER keep_version BEFORE UPDATE ON {} FOR EACH ROW "
                "WHEN (OLD.vfrom < NEW.vfrom) EXECUTE FUNCTION tracker_keep_version()"
            ).format(sql.Identifier(self.prefix + name)),
        ]

    def _serialise_table_creation(self, cursor) -> None:
        # Two processes starting on a fresh database would both find a table missing and
        # both create it (and its indexes); the second waits here and then finds it.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))

    def _table_exists(self, cursor, table: str) -> bool:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", (table,))
        return cursor.fetchone()[0]

    def _rename(self, old: str, new: str):
        from psycopg import sql

        return sql.SQL("ALTER TABLE {} RENAME TO {}").format(
            sql.Identifier(old), sql.Identifier(new)
        )

    def analyse(self) -> None:
        # Tables filled in bulk have no statistics until autovacuum gets round to them (never, on
        # a server with it off), and without them the planner answered a large school's known-at
        # question by scanning the whole audit index twice: 1.2 s against 0.6 s.
        with self._pool.connection() as connection:
            for name in TABLES:
                connection.execute(self.statement(f"ANALYZE {{{name}}}"))

    @contextmanager
    def maintaining(self, wait: bool = True):
        import psycopg

        # A session's advisory lock, on a connection of its own rather than one of the pool's: held
        # however long the work takes, seen by every process, and let go if this one dies.
        with psycopg.connect(self.url, autocommit=True) as connection:
            if wait:
                connection.execute("SELECT pg_advisory_lock(%s)", (MAINTENANCE_LOCK_KEY,))
                yield True
            else:
                tried = connection.execute(
                    "SELECT pg_try_advisory_lock(%s)", (MAINTENANCE_LOCK_KEY,)
                )
                yield tried.fetchone()[0]

    def query(self, template: str, params: Params = ()) -> list[tuple]:
        # One statement sees one snapshot of its own: without a BEGIN and COMMIT around it a read is
        # one round trip, not three (a warm hub read makes four of them).
        with self._pool.connection() as connection:
            return connection.execute(self.statement(template), params).fetchall()

    @contextmanager
    def snapshot(self):
        with self._pool.connection() as connection:
            with connection.transaction():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    yield cursor

    @contextmanager
    def transaction(self):
        with self._pool.connection() as connection:
            with connection.transaction():
                with connection.cursor() as cursor:
                    yield cursor

    def close(self) -> None:
        self._pool.close()


# COPY's binary format, each column's type named: psycopg packs a row's dates and numbers in C
# where the text format converted each value to text for the server to parse back; the client's
# CPU a row of `encounters` fell from 1.1-1.4 to 0.3-0.6 µs (docs/performance.md). Every value
# must then be of its column's type (a date a `date`, a flag an int or bool), as the handlers
# write them on PostgreSQL.
_BINARY = "(FORMAT BINARY)"


@functools.lru_cache(maxsize=None)
def _copy_types(table: str) -> tuple[str, ...]:
    return tuple(PostgresViewStore.types[kind] for _name, kind in COLUMNS[table])


# The version a row had until the event at NEW.vfrom changed it, kept in the table's history.
KEEP_VERSION_FUNCTION = """
CREATE OR REPLACE FUNCTION tracker_keep_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO %I.%I SELECT ($1).*, $2', TG_TABLE_SCHEMA,
                   TG_TABLE_NAME || '_history')
    USING OLD, NEW.vfrom;
    RETURN NEW;
END $$"""


def as_known_at(template: str, position: int) -> str:
    """A read's template with each versioned table it names read as at `position`: the rows
    current then, from the table and its history, as a common table expression of the same
    statement (never materialised, so the statement's own conditions reach into both)."""
    named = [name for name in VERSIONED if "{" + name + "}" in template]
    if not named:
        return template
    definitions = []
    for name in named:
        columns = ", ".join(column for column, _kind in COLUMNS[name])
        definitions.append(
            f"k_{name} AS NOT MATERIALIZED (SELECT {columns} FROM {{{name}}} "
            f"WHERE vfrom <= {position} UNION ALL SELECT {columns} FROM {{{name}{HISTORY}}} "
            f"WHERE vfrom <= {position} AND vuntil > {position})"
        )
        template = template.replace("{" + name + "}", f"k_{name}")
    body = template.lstrip()
    if body[:5].upper() == "WITH ":  # one WITH list: ours first, theirs may read ours
        return f"WITH {', '.join(definitions)}, {body[5:]}"
    return f"WITH {', '.join(definitions)} {body}"


def _distinct_keys(rows: list[Sequence], at: list[int], names: list[str]) -> list[list[Sequence]]:
    """The rows in statements that each update a key once (one statement may not update a row
    twice): each key's last row, as the rows in order would have left it. But a versioned row
    written again by a later event must be written twice, so its first version reaches the
    history: that starts another statement."""
    versioned = names[-1] == "vfrom"
    batches: list[dict[tuple, Sequence]] = [{}]
    for row in rows:
        key = tuple(row[i] for i in at)
        held = batches[-1].get(key)
        if versioned and held is not None and held[-1] != row[-1]:
            batches.append({})
        batches[-1][key] = row
    return [list(batch.values()) for batch in batches]


def _one_per_key(rows: list[Sequence], at: range) -> list[list[Sequence]]:
    """The rows in order, in runs holding each key (the values `at`) at most once: rows of
    different keys touch different rows, so only each key's own order must be kept."""
    runs: list[list[Sequence]] = [[]]
    seen: set[tuple] = set()
    for row in rows:
        key = tuple(row[i] for i in at)
        if key in seen:
            runs.append([])
            seen = set()
        seen.add(key)
        runs[-1].append(row)
    return runs


def _flocked(lock_file, wait: bool) -> bool:
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def any_of(name: str, values: Sequence) -> tuple[str, dict[str, Any]]:
    """The inside of an `IN (…)` list of `values` as named parameters, `:name_0, :name_1, …`, and
    the values they bind: every list of values a statement names is written by this."""
    bound = {f"{name}_{index}": value for index, value in enumerate(values)}
    return ", ".join(f":{key}" for key in bound), bound


def array_literal(values: Sequence) -> str:
    """PostgreSQL's text form of a one-dimensional array, sent as one string.

    psycopg dumps a list element by element in Python: 3.5 ms for the 3,000 UPNs a page's
    milestone reads name, against 0.6 ms sent joined, and a page sends seven such arrays.
    """
    kinds = set(map(type, values))
    if kinds <= {str}:
        text = '","'.join(values)
        if '"' in text or "\\" in text:
            text = '","'.join(_escaped(value) for value in values)
        return '{"' + text + '"}' if values else "{}"
    if kinds <= {int}:
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join(_element(value) for value in values) + "}"


def _element(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):  # a flag: the column is a number, and str(True) is not one
        return str(int(value))
    return '"' + _escaped(str(value)) + '"'


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _postgres_pool(url: str, size: int):
    from psycopg_pool import ConnectionPool

    # No JIT: the figures' queries are costed high enough to be compiled, and compiling them took
    # 100-300 ms of a 600 ms all-schools pass that runs in well under a second without it.
    # Index probes priced as the cached reads they are: at the default price the planner read a
    # large school's figures by scanning every pupil's row in the region (74 ms against 7 ms).
    return ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        open=True,
        kwargs={"autocommit": True, "options": "-c jit=off -c random_page_cost=1.1"},
        timeout=10,
    )


def view_store_for(database_url: str, views_url: str | None = None) -> ViewStore:
    """The views' store for an event store URL: the same PostgreSQL database, or a sibling SQLite
    file."""
    url = views_url or database_url
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        return PostgresViewStore(_without_query(url))
    if parts.scheme == "sqlite":
        path = parts.path[1:]
        return SQLiteViewStore(path if views_url else _sibling(path))
    if parts.scheme == "memory":
        return SQLiteViewStore(":memory:")
    raise ValueError(f"no view store for {parts.scheme!r} URLs")


def _sibling(path: str) -> str:
    if path == ":memory:":
        return ":memory:"
    return (path[: -len(".sqlite3")] if path.endswith(".sqlite3") else path) + ".views.sqlite3"


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]
