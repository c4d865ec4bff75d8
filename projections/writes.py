"""The projection's writes, as statements built from the table definitions (tables.py).

A handler says what it writes: rows to insert, rows to upsert on a key, columns to set or add to
where a key matches, rows to delete. Each is one `Write`, made once per shape and reused, so a page
can queue the rows of one write together and the view store can send them together: PostgreSQL
through COPY, or one statement over arrays, where the kind of write allows it.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from projections.tables import COLUMNS, STAMPED

INSERT = "insert"
UPSERT = "upsert"  # the last row for a key wins, as applying the rows one by one would leave it
UPDATE = "update"  # set columns in the rows matching a key: `key` the bound key's, `columns` set
STATEMENT = "statement"  # anything else: sent row by row, in order

# A key's shape: each column, and whether the row wanted has NULL there (no value to bind).
KeyShape = tuple[tuple[str, bool], ...]


class Write(NamedTuple):
    """One kind of write to one table; `template` writes one row, with `{table}` and `?`."""

    kind: str
    table: str
    template: str
    key: tuple[str, ...] = ()  # an upsert's conflict key; an update's key columns bound
    on_conflict: str = ""  # an upsert's conflict clause, for a statement over many rows at once
    columns: tuple[str, ...] = ()  # an update's columns set, bound in order before its key
    nulls: tuple[str, ...] = ()  # an update's key columns that must be NULL


def column_names(table: str) -> tuple[str, ...]:
    return tuple(name for name, _kind in COLUMNS[table])


def key_shape(key: dict[str, Any]) -> tuple[KeyShape, tuple]:
    """A key's shape and the values it binds: a None matches NULL, and binds nothing."""
    return (
        tuple((column, value is None) for column, value in key.items()),
        tuple(value for value in key.values() if value is not None),
    )


@functools.cache
def insert(table: str) -> Write:
    """Whole rows, their values in the table's column order."""
    names = column_names(table)
    marks = ", ".join("?" * len(names))
    return Write(INSERT, table, f"INSERT INTO {{{table}}} ({', '.join(names)}) VALUES ({marks})")


@functools.cache
def upsert(table: str, key: tuple[str, ...]) -> Write:
    """Whole rows; a row whose key is stored replaces that row's other columns."""
    assignments = [f"{name} = excluded.{name}" for name in _others(table, key)]
    return _upsert(UPSERT, table, key, assignments)


@functools.cache
def upsert_greatest(table: str, key: tuple[str, ...]) -> Write:
    """Whole rows; a row whose key is stored raises its other columns to the new values where
    they are greater, and never lowers them."""
    stored = f"{{{table}}}"
    assignments = [
        f"{name} = CASE WHEN excluded.{name} > {stored}.{name} THEN excluded.{name} "
        f"ELSE {stored}.{name} END"
        for name in _others(table, key)
    ]
    # No statement over many rows: the greatest of them, not the last, would have to be kept.
    return _upsert(STATEMENT, table, key, assignments)


@functools.cache
def update(table: str, columns: tuple[str, ...], key: KeyShape) -> Write:
    """Set `columns` (their values bound in order, then the key's) in the rows matching `key`."""
    plain = _update(table, [f"{name} = ?" for name in _checked(table, columns)], key)
    stamped = ("vfrom",) if table in STAMPED else ()
    bound = tuple(name for name, null in key if not null)
    nulls = tuple(name for name, null in key if null)
    return plain._replace(kind=UPDATE, key=bound, columns=(*columns, *stamped), nulls=nulls)


@functools.cache
def increment(table: str, columns: tuple[str, ...], key: KeyShape) -> Write:
    """Add to `columns` (the amounts bound in order, then the key's values) in the rows matching
    `key`."""
    return _update(table, [f"{name} = {name} + ?" for name in _checked(table, columns)], key)


@functools.cache
def delete(table: str, key: KeyShape) -> Write:
    """Delete the rows matching `key`."""
    return Write(STATEMENT, table, f"DELETE FROM {{{table}}} WHERE {conditions(table, key)}")


def stamp_among(table: str, key: KeyShape, column: str) -> str:
    """Stamp `:vfrom` on the rows `delete_among` is about to delete, so their versions are kept
    (a delete is stamped first: the history trigger fires on updates)."""
    among = f"{_checked(table, (column,))[0]} IN ({{in}})"
    matching = " AND ".join(filter(None, (conditions(table, key, named=True), among)))
    return f"UPDATE {{{table}}} SET vfrom = :vfrom WHERE {matching}"


def delete_among(table: str, key: KeyShape, column: str) -> str:
    """Delete the rows matching `key` whose `column` is `IN ({in})`: a template for
    ViewStore.membership, with the key's values named after their columns."""
    among = f"{_checked(table, (column,))[0]} IN ({{in}})"
    matching = " AND ".join(filter(None, (conditions(table, key, named=True), among)))
    return f"DELETE FROM {{{table}}} WHERE {matching}"


def conditions(table: str, key: KeyShape, named: bool = False) -> str:
    """`column = ?` (or `= :column`) for each column of `key`; `column IS NULL` where it is None."""
    _checked(table, [name for name, _null in key])
    return " AND ".join(_condition(name, null, named) for name, null in key)


def _condition(name: str, null: bool, named: bool) -> str:
    if null:
        return f"{name} IS NULL"  # `= NULL` would match nothing
    return f"{name} = :{name}" if named else f"{name} = ?"


def _update(table: str, assignments: list[str], key: KeyShape) -> Write:
    if table in STAMPED:  # bound after the values: the position of the event writing them
        assignments = [*assignments, "vfrom = ?"]
    return Write(
        STATEMENT,
        table,
        f"UPDATE {{{table}}} SET {', '.join(assignments)} WHERE {conditions(table, key)}",
    )


def _upsert(kind: str, table: str, key: tuple[str, ...], assignments: list[str]) -> Write:
    action = f"DO UPDATE SET {', '.join(assignments)}" if assignments else "DO NOTHING"
    on_conflict = f"ON CONFLICT ({', '.join(_checked(table, key))}) {action}"
    return Write(kind, table, f"{insert(table).template} {on_conflict}", key, on_conflict)


def _others(table: str, key: tuple[str, ...]) -> list[str]:
    return [name for name in column_names(table) if name not in _checked(table, key)]


def _checked(table: str, columns) -> tuple[str, ...]:
    """Column names are formatted into statements: only the table's own are let through."""
    unknown = set(columns) - set(column_names(table))
    if unknown:
        raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
    return tuple(columns)
