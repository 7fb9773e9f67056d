"""Test doubles of the runtime's plug-in points, mirroring the production storage contract.

A record is a row ``(id bigint, data jsonb)``; field values are stored under short keys:
text/picklist as JSON strings (``data->>'k'``), numbers as JSON numbers (``(data->>'k')::numeric``,
percent as entered), checkboxes as JSON booleans, dates as "YYYY-MM-DD" (``tessera_date``),
date/times as "YYYY-MM-DDTHH:MM:SSZ" in UTC (``tessera_timestamptz``), multi-select picklists as
JSON arrays (``data->'k'``). Lookups (``Account.Name``) are read through the related row whose id
the lookup key holds. ``$``-globals (``$Label.X``) are query-time constants.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from psycopg2 import sql

from metadata.formulas import FieldInfo, FormulaType, UnknownReference
from metadata.formulas.sqlfrag import text_literal

T = FormulaType
UTC = dt.UTC
TABLE = "formula_records"


def canonical(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.lower() for p in path)


@dataclass
class DictScope:
    """Scope over a dict of canonical path -> type; names are case-insensitive (lower-cased)."""

    types: dict[tuple[str, ...], FormulaType]

    def resolve(self, path: tuple[str, ...]) -> FieldInfo:
        key = canonical(path)
        if key not in self.types:
            raise UnknownReference(path)
        return FieldInfo(self.types[key], path=key)


@dataclass
class DictValues:
    values: dict[tuple[str, ...], Any]

    def get(self, path: tuple[str, ...]) -> Any:
        return self.values.get(path)


def _typed(ftype: FormulaType, raw: sql.Composable, key: str, alias: str) -> sql.Composable:
    k = sql.Literal(key)
    a = sql.Identifier(alias)
    if ftype in (T.TEXT, T.PICKLIST):
        return sql.SQL("({}.data->>{})").format(a, k)
    if ftype.is_numeric:
        return sql.SQL("(({}.data->>{})::numeric)").format(a, k)
    if ftype is T.BOOLEAN:
        return sql.SQL("(({}.data->>{})::boolean)").format(a, k)
    if ftype is T.DATE:
        return sql.SQL("tessera_date({}.data->>{})").format(a, k)
    if ftype is T.DATETIME:
        return sql.SQL("tessera_timestamptz({}.data->>{})").format(a, k)
    if ftype is T.MULTIPICKLIST:
        return sql.SQL("({}.data->{})").format(a, k)
    raise AssertionError(ftype)


@dataclass
class JsonbRefs:
    """SqlRefs over ``formula_records r``: short keys f0, f1...; lookups via a scalar subquery."""

    types: dict[tuple[str, ...], FormulaType]
    globals: dict[tuple[str, ...], Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    def key(self, name: str) -> str:
        return self.keys.setdefault(name, f"f{len(self.keys)}")

    def sql_for(self, path: tuple[str, ...]) -> sql.Composable:
        ftype = self.types[path]
        if path[0].startswith("$"):
            return constant(ftype, self.globals.get(path))
        if len(path) == 1:
            return _typed(ftype, sql.SQL(""), self.key(path[0]), "r")
        # one lookup hop (the runtime generalises this to joins along the path)
        inner = _typed(ftype, sql.SQL(""), self.key(".".join(path)), "l")
        return sql.SQL("(SELECT {} FROM {} AS l WHERE l.id = (r.data->>{})::bigint)").format(
            inner, sql.Identifier(TABLE), sql.Literal(self.key(path[0])))


def constant(ftype: FormulaType, value: Any) -> sql.Composable:
    type_name = {T.TEXT: "text", T.PICKLIST: "text", T.DATE: "date", T.DATETIME: "timestamptz",
                 T.BOOLEAN: "boolean", T.MULTIPICKLIST: "jsonb"}.get(ftype, "numeric")
    if value is None:
        return sql.SQL(f"NULL::{type_name}")
    if isinstance(value, str):
        return text_literal(value)
    return sql.SQL("({}::" + type_name + ")").format(sql.Literal(value))


def json_value(ftype: FormulaType, value: Any) -> Any:
    """The JSON form of a Python field value in the storage contract (None: key left out)."""
    if value is None:
        return None
    if ftype is T.DATE:
        return value.isoformat()
    if ftype is T.DATETIME:
        v = value.astimezone(UTC)  # strftime("%Y") does not zero-pad years before 1000
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"
    if ftype is T.MULTIPICKLIST:
        return sorted(value)
    if ftype.is_numeric:
        return _RawNumber(format(value, "f"))
    return value


class _RawNumber(str):
    """A JSON number written digit for digit (no float round trip)."""


class _Encoder(json.JSONEncoder):
    def encode(self, o: Any) -> str:
        if isinstance(o, dict):
            items = ", ".join(f"{json.dumps(k)}: {self.encode(v)}" for k, v in o.items())
            return "{" + items + "}"
        if isinstance(o, list):
            return "[" + ", ".join(self.encode(v) for v in o) + "]"
        if isinstance(o, _RawNumber):
            return str.__str__(o)
        return json.dumps(o)


def dumps(data: dict[str, Any]) -> str:
    return _Encoder().encode(data)


def record_json(refs: JsonbRefs, values: dict[tuple[str, ...], Any], prefix: tuple[str, ...] = ()) -> dict:
    data: dict[str, Any] = {}
    for path, value in values.items():
        if path[0].startswith("$") or len(path) != len(prefix) + 1 or path[:len(prefix)] != prefix:
            continue
        encoded = json_value(refs.types[path], value)
        if encoded is not None:
            data[refs.key(".".join(path) if prefix else path[0])] = encoded
    return data


def insert_record(cur: Any, refs: JsonbRefs, values: dict[tuple[str, ...], Any]) -> int:
    """Insert the record (and one related row per lookup) and return the record's id."""
    data = record_json(refs, values)
    for lookup in sorted({p[0] for p in values if len(p) == 2 and not p[0].startswith("$")}):
        related = {}
        for path, value in values.items():
            if len(path) == 2 and path[0] == lookup:
                encoded = json_value(refs.types[path], value)
                if encoded is not None:
                    related[refs.key(".".join(path))] = encoded
        cur.execute(sql.SQL("INSERT INTO {} (data) VALUES (%s::jsonb) RETURNING id").format(
            sql.Identifier(TABLE)), (dumps(related),))
        data[refs.key(lookup)] = str(cur.fetchone()[0])
    cur.execute(sql.SQL("INSERT INTO {} (data) VALUES (%s::jsonb) RETURNING id").format(
        sql.Identifier(TABLE)), (dumps(data),))
    return int(cur.fetchone()[0])


def as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


# ----------------------------------------------------------------------------- running both back ends

NOW = dt.datetime(2020, 1, 1, 3, 0, tzinfo=UTC)


def run_python(checked: Any, values: dict[tuple[str, ...], Any], *, now: dt.datetime = NOW,
               tz: Any = None) -> Any:
    from zoneinfo import ZoneInfo

    from metadata.formulas import evaluate

    return evaluate(checked, DictValues(values), now=now, tz=tz or ZoneInfo("America/Los_Angeles"))


def run_sql(conn: Any, checked: Any, types: dict[tuple[str, ...], FormulaType],
            values: dict[tuple[str, ...], Any], *, now: dt.datetime = NOW, tz: Any = None) -> Any:
    """Store ``values`` as a record and select the compiled formula for it (one statement)."""
    from zoneinfo import ZoneInfo

    from metadata.formulas import compile_sql, sql_params

    refs = JsonbRefs(types)
    expr = compile_sql(checked, refs)
    with conn.cursor() as cur:
        record_id = insert_record(cur, refs, values)
        query = sql.SQL("SELECT {} FROM {} AS r WHERE r.id = %(record_id)s").format(expr, sql.Identifier(TABLE))
        cur.execute(query, {**sql_params(now, tz or ZoneInfo("America/Los_Angeles")), "record_id": record_id})
        return cur.fetchone()[0]
