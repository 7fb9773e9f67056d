"""Numbers for auto-number fields: from a sequence, or from a gap-free counter.

A sequence (the default) never blocks and never rolls back: a write that fails after taking its
number leaves a gap. A gap-free field (option `gap_free`) takes its numbers from a counter row
(`records_autonumbercounter`) updated in the writing transaction, as Frappe's naming series does:
the row stays locked until the transaction ends, so writers of that field take turns, and a
rollback gives the numbers back.

To hold the lock briefly the write pipeline numbers new records as the very last step before the
insert (pipeline.assign_auto_numbers, called by the service's _save). Counters are always locked
in ascending field id, within one call; a use case that numbers records of several objects in one
transaction passes every field to ONE take_numbers call, so two such transactions can never wait
for each other in a circle.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from psycopg2 import sql

from metadata.fieldtypes.autonumber import sequence_name
from metadata.meta import FieldMeta

#: Adds `count` to a field's counter (creating it from the field's sequence on first use, so a field
#: switched to gap-free continues where the sequence was) and returns the first number taken. The
#: upsert locks the counter row until the transaction ends.
_TAKE_FROM_COUNTER = """
INSERT INTO records_autonumbercounter AS counter (field_id, next_value)
SELECT {field_id}, (CASE WHEN s.is_called THEN s.last_value + 1 ELSE s.last_value END) + {count} FROM {sequence} s
ON CONFLICT (field_id) DO UPDATE SET next_value = counter.next_value + {count}
RETURNING counter.next_value - {count}
"""


def take_numbers(requests: Iterable[tuple[FieldMeta, int]]) -> dict[int, list[int]]:
    """`(auto-number field, how many numbers)` pairs → `{field id: the numbers, increasing}`."""
    numbers: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        for field, count in sorted(requests, key=lambda pair: pair[0].id):  # the fixed order of counter locks
            if count <= 0:
                continue
            if field.type.gap_free(field):  # type: ignore[attr-defined]  # auto-number fields only
                cursor.execute(sql.SQL(_TAKE_FROM_COUNTER).format(
                    field_id=sql.Literal(field.id), count=sql.Literal(count),
                    sequence=sql.Identifier(sequence_name(field.id))))
                first = cursor.fetchone()[0]
                numbers[field.id] = list(range(first, first + count))
            else:
                cursor.execute(sql.SQL("SELECT nextval({}) FROM generate_series(1, {})").format(
                    sql.Literal(sequence_name(field.id)), sql.Literal(count)))
                numbers[field.id] = [row[0] for row in cursor.fetchall()]
    return numbers


def peek_numbers(fields: Iterable[FieldMeta]) -> dict[int, int]:
    """`{field id: the number the next record would take}` without taking it (a form's preview);
    a field whose sequence is missing is left out."""
    peeked: dict[int, int] = {}
    with connection.cursor() as cursor:
        for field in fields:
            sequence = sql.Identifier(sequence_name(field.id))
            from_sequence = sql.SQL("(SELECT CASE WHEN s.is_called THEN s.last_value + 1 ELSE s.last_value END "
                                    "FROM {} s)").format(sequence)
            if field.type.gap_free(field):  # type: ignore[attr-defined]  # auto-number fields only
                statement = sql.SQL("SELECT COALESCE((SELECT next_value FROM records_autonumbercounter "
                                    "WHERE field_id = {}), {})").format(sql.Literal(field.id), from_sequence)
            else:
                statement = sql.SQL("SELECT {}").format(from_sequence)
            cursor.execute("SELECT to_regclass(%s)", [sequence_name(field.id)])
            if cursor.fetchone()[0] is None:
                continue
            cursor.execute(statement)
            peeked[field.id] = cursor.fetchone()[0]
    return peeked
