"""Many typed rows in one answer (a hub's school rows), dumped by reading their schema's fields
straight off each row: dumping a hub's 40 schools x 8 benchmarks field by field through
marshmallow cost more than reading their figures."""

from __future__ import annotations

from typing import Any, Callable

from marshmallow import Schema, fields

Dump = Callable[[Any], Any]

# What marshmallow makes of a value (not None) of each plain field; Float before Integer, which
# it subclasses.
_PLAIN = (
    (fields.Float, float),
    (fields.Integer, int),
    (fields.String, str),
    (fields.Boolean, bool),
)


class Rows(fields.List):
    """A list of `schema`'s rows: documented by the schema, dumped as it would dump them."""

    def __init__(self, schema: type[Schema], **kwargs: Any):
        super().__init__(fields.Nested(schema), **kwargs)
        self._dump = _rows(schema())

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else self._dump(value)


def _rows(schema: Schema) -> Dump:
    row = _row(schema)
    return lambda rows: [row(each) for each in rows]


def _row(schema: Schema) -> Dump:
    """One row as `schema.dump` gives it, for a schema of plain, nested and listed fields."""
    parts = [
        (name, _value(field), getattr(field, "when_given", False))
        for name, field in schema.dump_fields.items()
    ]

    def dump(row: Any) -> dict[str, Any]:
        body = {}
        for name, value_of, when_given in parts:
            value = getattr(row, name)
            if value is None:
                if not when_given:
                    body[name] = None
            else:
                body[name] = value_of(value)
        return body

    return dump


def _value(field: fields.Field) -> Dump:
    plain = _plain(field)
    if plain is not None:
        return plain
    if (
        isinstance(field, fields.Dict)
        and isinstance(field.key_field, fields.String)
        and _plain(field.value_field) in (str, int)
    ):  # texts or counts by name: as they are
        return dict
    if isinstance(field, fields.Nested) and not field.many:
        return _row(field.schema)
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
        return _rows(field.inner.schema)
    raise TypeError(f"{type(field).__name__} is not a field whose rows can be read as they are")


def _plain(field: fields.Field | None) -> Dump | None:
    return next((convert for kind, convert in _PLAIN if isinstance(field, kind)), None)
