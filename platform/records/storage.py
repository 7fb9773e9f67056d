"""The physical layout of records, and the DDL that shapes it. (Queries live in repository.py.)

One `record` table per tenant schema, LIST-partitioned by object: each object's records sit in
their own partition `record_o<object id>`, so a scan, an aggregate or an index build over one object
never reads another object's rows. Columns:

- system columns: id, object_id, version, owner, created/updated by and at, deleted at/by,
  category, name (the object's name field), and the name's search keys (`name_pinyin`,
  `name_initials`: see search_keys.py and SEARCH_INDEXES);
- typed projection columns ("slots": t1… text, n1… numeric, d1… date, ts1… timestamptz, r1… bigint,
  b1… boolean), each holding a copy of one field's value for the fields that are filtered, sorted,
  aggregated or unique (indexed fields, lookups). They give real column statistics, index-only
  scans and aggregates that never parse JSON. A slot is assigned to a field per object; a field
  without a slot is read from JSON;
- `data jsonb`: every field value under the field's short stable key (`f12`).

Adding a field never rewrites a row: a new field has no values yet, so its slot (all NULL) and its
JSON key (absent) are already right. See docs/architecture.md for the measurements behind this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from psycopg2 import sql

from metadata.tables import partition_name

__all__ = [
    "ALL_SLOTS", "SEARCH_INDEXES", "SLOT_FAMILIES", "SORTED_BY_INDEX", "SYSTEM_COLUMNS", "column_type", "create_partition",
    "duplicate_index_name", "field_index_name", "index_exists", "owner_index_name", "partition_name", "slot_columns",
]

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

#: Slot families: column prefix → (PostgreSQL type, how many columns).
SLOT_FAMILIES: dict[str, tuple[str, int]] = {
    "t": ("text", 16),
    "n": ("numeric", 16),
    "d": ("date", 8),
    "ts": ("timestamptz", 8),
    "r": ("bigint", 16),
    "b": ("boolean", 6),
}

SYSTEM_COLUMNS = (
    "id", "object_id", "version", "owner_id", "created_by", "created_at", "updated_by", "updated_at",
    "deleted_at", "deleted_by", "category", "name", "name_pinyin", "name_initials",
)

#: System columns whose indexes serve a sort (record_name_idx, record_created_idx,
#: record_updated_idx; security's (owner_id, created_at) index, which also orders by owner).
SORTED_BY_INDEX = frozenset({"name", "created_at", "updated_at", "owner_id"})

#: Global search's indexes on the parent table (so every partition has them, new ones too): the
#: lower-cased name and the name's pinyin keys, each compared by prefix in byte order (COLLATE "C":
#: `LIKE 'wj%'` becomes an index range, read in order), partial on live records and ending with the
#: id, so the first hits of a prefix are the first entries of its range (migration 0006).
SEARCH_INDEXES: dict[str, str] = {
    "record_search_name_idx": '((lower(name) COLLATE "C"), id) WHERE deleted_at IS NULL',
    "record_search_pinyin_idx": '((name_pinyin COLLATE "C"), id) WHERE deleted_at IS NULL AND name_pinyin IS NOT NULL',
    "record_search_initials_idx":
        '((name_initials COLLATE "C"), id) WHERE deleted_at IS NULL AND name_initials IS NOT NULL',
}


def slot_columns(family: str) -> list[str]:
    _type, count = SLOT_FAMILIES[family]
    return [f"{family}{i}" for i in range(1, count + 1)]


ALL_SLOTS = [column for family in SLOT_FAMILIES for column in slot_columns(family)]

#: The PostgreSQL types of the system columns a write sets besides the slots.
_WRITTEN_COLUMN_TYPES = {"owner_id": "bigint", "category": "text", "name": "text", "name_pinyin": "text",
                         "name_initials": "text"}


def column_type(column: str) -> str:
    """The PostgreSQL type of a record column a write sets (a slot, the name and its keys, the
    owner, the category): what a value is cast to in a multi-row UPDATE."""
    known = _WRITTEN_COLUMN_TYPES.get(column)
    if known is not None:
        return known
    return SLOT_FAMILIES[column.rstrip("0123456789")][0]




def create_partition(cursor: CursorWrapper, object_id: int) -> None:
    """The partition of a new object, with its primary key. Indexes of the parent come along."""
    table = sql.Identifier(partition_name(object_id))
    cursor.execute(
        sql.SQL("CREATE TABLE {} PARTITION OF record FOR VALUES IN ({})").format(table, sql.Literal(int(object_id)))
    )
    cursor.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (id)").format(table))


def drop_partition(cursor: CursorWrapper, object_id: int) -> None:
    """Drop a deleted object's partition with every record in it (its indexes go with it)."""
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(partition_name(object_id))))


def field_index_name(object_id: int, field_id: int, unique: bool = False) -> str:
    return f"record_o{int(object_id)}_{'u' if unique else 'i'}{int(field_id)}"


def duplicate_index_name(object_id: int, field_id: int) -> str:
    """The index on a duplicate-rule field's normalised value (see indexing.ensure_duplicate_indexes)."""
    return f"record_o{int(object_id)}_n{int(field_id)}"


def owner_index_name(object_id: int, field_id: int) -> str:
    """The (owner_id, field) index of an indexed field (see indexing.needs_owner_index)."""
    return f"record_o{int(object_id)}_w{int(field_id)}"


def index_exists(cursor: CursorWrapper, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return bool(cursor.fetchone()[0])
