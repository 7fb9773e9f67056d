"""One field's stored values across an object's records: the SQL a metadata change runs over them
(a type change reads, converts and rewrites them; making a field unique first looks for values
shared by several records). With query.py and repository.py, the only SQL over records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection
from psycopg2 import sql
from psycopg2.extras import execute_values

from metadata.meta import FieldMeta

from .indexing import value_expression
from .jsonio import dumps_value, loads
from .storage import partition_name

#: Values read or written per round trip.
BATCH = 2_000


def hold_writes(object_id: int) -> None:
    """Hold writes to the object's records until the transaction ends (reads go on)."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.Identifier(partition_name(object_id))))


def count_stored(field: FieldMeta) -> int:
    """How many records (deleted ones included) hold a value of `field`."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT count(*) FROM {} WHERE data ? %s").format(
            sql.Identifier(partition_name(field.object_id))), [field.key])
        return cursor.fetchone()[0]


def stored_values(field: FieldMeta) -> Iterator[tuple[int, Any]]:
    """(record id, stored JSON value) for every record holding a value, deleted ones included."""
    table = sql.Identifier(partition_name(field.object_id))
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT id, (data -> %s)::text FROM {} WHERE data ? %s ORDER BY id").format(table),
                       [field.key, field.key])
        while True:
            rows = cursor.fetchmany(BATCH)
            if not rows:
                return
            for record_id, text in rows:
                yield record_id, loads(text)


def rewrite(field: FieldMeta, values: dict[int, Any]) -> None:
    """Store `values` (record id → Python value of `field`; None removes the value)."""
    table = sql.Identifier(partition_name(field.object_id))
    items = list(values.items())
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg2 cursor under Django's wrapper
        statement = sql.SQL(
            "UPDATE {t} AS r SET data = CASE WHEN v.value IS NULL THEN r.data - {k} "
            "ELSE jsonb_set(r.data, ARRAY[{k}], v.value::jsonb) END "
            "FROM (VALUES %s) AS v(id, value) WHERE r.id = v.id"
        ).format(t=table, k=sql.Literal(field.key)).as_string(raw.connection)
        for start in range(0, len(items), BATCH):
            chunk = [(rid, dumps_value(field.type.to_storage(value, field)))
                     for rid, value in items[start:start + BATCH]]
            execute_values(raw, statement, chunk, template="(%s::bigint, %s::text)")


def shared_values(field: FieldMeta, *, limit: int = 5) -> list[tuple[Any, int]]:
    """(value, how many live records hold it) of the values several live records share, as the
    field's unique index would compare them; the most shared first."""
    expr = field.type.unique_sql(value_expression(field, from_json=not field.slot_ready))
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(
            "SELECT {e}, count(*) FROM {t} WHERE deleted_at IS NULL AND {e} IS NOT NULL GROUP BY 1 HAVING count(*) > 1 "
            "ORDER BY 2 DESC LIMIT {n}").format(e=expr, t=sql.Identifier(partition_name(field.object_id)),
                                                n=sql.Literal(int(limit))))
        return cursor.fetchall()
