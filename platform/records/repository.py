"""Reading and writing record rows. With query.py, the only code that writes SQL over records.

Functions take compiled metadata and plain values (stored JSON forms, slot values), never request
data, and return rows or Records. Writes are multi-row statements: a bulk create of 1,000 records is
one INSERT (or, from COPY_FROM rows on, one COPY).
"""

from __future__ import annotations

import datetime as dt
import io
import operator
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import compress
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from psycopg2 import sql
from psycopg2.extras import execute_values

from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from metadata.tables import partition_name

from .indexing import normalized_expression, value_expression
from .jsonio import conversion, dumps, loads
from .models import RecordChange
from .query import SYSTEM_SELECT, RecordQuery
from .record import Record
from .search_keys import INITIALS_COLUMN, PINYIN_COLUMN, name_key_columns, name_keys
from .storage import column_type

#: Columns of a system field → the field's api_name.
SYSTEM_FIELD_COLUMNS = {"owner_id": "owner", "created_by": "created_by", "created_at": "created_at",
                        "updated_by": "updated_by", "updated_at": "updated_at"}
#: RecordQuery.select() starts with these columns, then `data`.
SYSTEM_COUNT = len(SYSTEM_SELECT)
assert SYSTEM_SELECT == ("id", "version", "category", "deleted_at", "name", *SYSTEM_FIELD_COLUMNS)


def fetch_records(obj: ObjectMeta, statement: sql.Composable, params: dict | None = None, *,
                  computed: Sequence[FieldMeta] = (), expand: Sequence[FieldMeta] = ()) -> list[Record]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or None)
        rows = cursor.fetchall()
    decoders = stored_decoders(obj)
    return [row_to_record(obj, row, computed, expand, decoders) for row in rows]


def load_record(tenant: TenantMeta, obj: ObjectMeta, record_id: int, *, predicate: sql.Composable | None = None,
                visibility: Callable[[ObjectMeta, str], sql.Composable | None] | None = None,
                include_deleted: bool = False, expand: Sequence[FieldMeta] = (),
                for_update: bool = False) -> Record | None:
    """One record by id, computed fields included, or None when absent or outside `predicate` (the
    reader's row predicate; `visibility`: see RecordQuery.visibility)."""
    query = RecordQuery(tenant, obj)
    query.visibility = visibility
    where = [query.has_id(record_id), *([predicate] if predicate is not None else [])]
    fields = obj.fields
    statement = query.select(fields, where=where, expand=expand, include_deleted=include_deleted)
    if for_update:
        statement = sql.SQL("{} FOR UPDATE OF r").format(statement)
    records = fetch_records(obj, statement, query.params(), computed=fields, expand=expand)
    return records[0] if records else None


def lock_records(tenant: TenantMeta, obj: ObjectMeta, ids: Sequence[int], *, predicate: sql.Composable | None = None,
                 visibility: Callable[[ObjectMeta, str], sql.Composable | None] | None = None) -> list[Record]:
    """The live records among `ids` within `predicate`, computed fields included, locked (FOR
    UPDATE) in one query: what a batch of updates reads before it writes."""
    if not ids:
        return []
    query = RecordQuery(tenant, obj)
    query.visibility = visibility
    fields = obj.fields
    statement = query.select(fields, where=[query.id_in(ids), *([predicate] if predicate is not None else [])])
    statement = sql.SQL("{} FOR UPDATE OF r").format(statement)
    return fetch_records(obj, statement, query.params(), computed=fields)


def analyze(obj: ObjectMeta) -> int:
    """ANALYZE the object's partition (what autovacuum does after enough writes); returns the
    number of records the statistics now count."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(obj.table)))
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [obj.table])
        return max(int(cursor.fetchone()[0]), 0)


def count_records(statement: sql.Composable, params: dict | None = None) -> int:
    """The number a RecordQuery.count() statement counts."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params or None)
        return cursor.fetchone()[0]


def fetch_rows(statement: sql.Composable, params: dict | None = None) -> list[tuple]:
    """The rows of a statement of plain values (RecordQuery.group_totals)."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params or None)
        return cursor.fetchall()


def stored_decoders(obj: ObjectMeta) -> dict[str, tuple[str, FieldMeta, Any]]:
    """key in `data` → (api_name, field, from_storage or None where the stored form is the value)."""
    return {f.key: (f.api_name, f, conversion(f, "from_storage")) for f in obj.fields}


def row_to_record(obj: ObjectMeta, row: Sequence[Any], computed: Sequence[FieldMeta] = (),
                  expand: Sequence[FieldMeta] = (), decoders: dict | None = None) -> Record:
    """A row of RecordQuery.select() → Record (`decoders`: stored_decoders(obj), made once per rows)."""
    (record_id, version, category, deleted_at, name, owner_id, created_by, created_at, updated_by,
     updated_at) = row[:SYSTEM_COUNT]
    record = Record(object=obj, id=record_id, version=version, category=category, deleted_at=deleted_at)
    values = record.values
    values[obj.name_field] = name
    values["owner"] = owner_id
    values["created_by"] = created_by
    values["created_at"] = created_at
    values["updated_by"] = updated_by
    values["updated_at"] = updated_at
    data = loads(row[SYSTEM_COUNT]) or {}
    if decoders is None:
        decoders = stored_decoders(obj)
    for key, stored in data.items():
        decoder = decoders.get(key)
        if decoder is not None and stored is not None:
            api_name, field, from_storage = decoder
            values[api_name] = stored if from_storage is None else from_storage(stored, field)
    position = SYSTEM_COUNT + 1
    for field in computed:
        if field.type.computed_on_read:
            values[field.api_name] = row[position]
            position += 1
    for lookup in expand:
        value = values.get(lookup.api_name)
        record.expanded[lookup.api_name] = None if value is None else {"id": value, "name": row[position]}
        position += 1
    return record


@dataclass
class NewRows:
    """New records as the record table takes them, column by column (inserting):
    a batch is encoded field by field, each in one pass, not record by record."""

    owner_ids: list[int | None]
    created_by: int | None
    categories: list[str | None]
    names: list[str | None]
    #: slot column → the value of each row
    slots: dict[str, list[Any]]
    #: the JSON text of each row's `data`
    data: list[str]
    #: api_names of the fields kept in `data`, and for each row whether it holds each (a row
    #: leaves out its blank values)
    stored: list[str]
    held: list[tuple[str | None, ...]]

    def __len__(self) -> int:
        return len(self.data)

    def written(self, n: int) -> list[str]:
        """The api_names of the fields row `n` keeps in `data`."""
        return list(compress(self.stored, self.held[n]))


#: From this many rows on, insert_rows writes with COPY: about half the server's time of a
#: multi-row INSERT for the same rows (bench/records.py); below it, one INSERT ... RETURNING.
COPY_FROM = 50


@contextmanager
def inserting(obj: ObjectMeta, rows: NewRows) -> Iterator[list[tuple[int, int, Any, Any]]]:
    """Insert records (pipeline.storage_rows's NewRows): gives [(id, version, created_at,
    updated_at)] in input order, and runs the body while PostgreSQL writes the rows. One
    statement; the name's search keys are written with it (search_keys.name_keys).

    Many rows go by COPY, sent from a worker thread: PostgreSQL's share of a bulk insert (the rows
    and their indexes, most of it at a million records) and the writer's own work that needs no
    database (the history entries, the records to return) then take their time side by side, not
    one after the other. The body must not use the database; the COPY's errors (a unique index
    refusing a row) are raised as the body ends, as Django's exceptions."""
    count = len(rows)
    slot_columns = sorted(rows.slots)
    keys = [name_keys(name) for name in rows.names]
    columns = ["object_id", "owner_id", "created_by", "updated_by", "category", "name", PINYIN_COLUMN,
               INITIALS_COLUMN, *slot_columns, "data"]
    values: list[Sequence[Any]] = [[obj.id] * count, rows.owner_ids, [rows.created_by] * count, [rows.created_by] * count,
              rows.categories, rows.names, [k[0] for k in keys], [k[1] for k in keys],
              *[rows.slots[c] for c in slot_columns], rows.data]
    if count < COPY_FROM:
        template = "(" + ", ".join(["%s"] * (len(columns) - 1) + ["%s::jsonb"]) + ")"
        head = sql.SQL("INSERT INTO {t} ({cols}) VALUES").format(
            t=sql.Identifier(obj.table), cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns))
        yield insert_values(head, template, list(zip(*values, strict=True)),
                            returning="id, version, created_at, updated_at")
        return
    with connection.cursor() as cursor:  # ids first: COPY returns nothing
        cursor.execute("SELECT nextval('record_id_seq'), now() FROM generate_series(1, %s)", [count])
        drawn = cursor.fetchall()
    buffer = _copy_text([[record_id for record_id, _now in drawn], *values])
    copying = _BackgroundCopy(obj.table, ["id", *columns], buffer)
    try:
        # The other returned columns are what their defaults give: version 1, created_at and
        # updated_at now() (the transaction's time).
        yield [(record_id, 1, now, now) for record_id, now in drawn]
    finally:
        copying.wait()


class _BackgroundCopy:
    """A COPY FROM STDIN on this thread's connection, run by a worker thread (psycopg2 lets other
    threads run while it sends the rows and while it waits for the server). Nothing else may use
    the connection until wait() returns."""

    def __init__(self, table: str, columns: Sequence[str], buffer: io.StringIO) -> None:
        self.error: BaseException | None = None
        self.cursor = connection.cursor()
        raw = self.cursor.cursor
        self.statement = _copy_statement(table, columns).as_string(raw.connection)
        self.thread = threading.Thread(target=self._run, args=(raw, buffer), name="tessera-copy", daemon=True)
        self.thread.start()

    def _run(self, raw: Any, buffer: io.StringIO) -> None:
        try:
            raw.copy_expert(self.statement, buffer, size=1 << 20)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, which raises it
            self.error = exc

    def wait(self) -> None:
        self.thread.join()
        self.cursor.close()
        if self.error is not None:
            with connection.wrap_database_errors:
                raise self.error


def copy_columns(table: str, columns: Sequence[str], values: Sequence[Sequence[Any]]) -> None:
    """Write rows given column by column (`values[i]`: column i's value in each row; Python values,
    JSON columns as JSON text) into `table` with COPY. Database errors (a unique index refusing a
    row) come out as Django's exceptions, as from any query."""
    _copy(table, columns, _copy_text(values))


def _copy_text(values: Sequence[Sequence[Any]]) -> io.StringIO:
    """COPY's text of rows given column by column: each column turned into text in one pass
    (copy_column), then the lines joined."""
    texts = [copy_column(column) for column in values]
    buffer = io.StringIO()
    buffer.write("\n".join(map("\t".join, zip(*texts, strict=True))))
    buffer.write("\n")
    buffer.seek(0)
    return buffer


def _copy_statement(table: str, columns: Sequence[str]) -> sql.Composable:
    return sql.SQL("COPY {t} ({cols}) FROM STDIN").format(
        t=sql.Identifier(table), cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns))


def _copy(table: str, columns: Sequence[str], buffer: io.StringIO) -> None:
    buffer.seek(0)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with connection.wrap_database_errors:
            raw.copy_expert(_copy_statement(table, columns).as_string(raw.connection), buffer, size=1 << 20)


def copy_column(values: Sequence[Any]) -> list[str]:
    """copy_text of each value of a column. A column of one type (None aside) is converted with
    that type's encoder in one comprehension; text that needs no escaping is taken as it is."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if not kinds:
        return ["\\N"] * len(values)
    if len(kinds) != 1:
        return [copy_text(value) for value in values]
    kind = kinds.pop()
    if kind is str:
        joined = "".join(filter(None, values))
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            return [_copy_str(value) if value is not None else "\\N" for value in values]
        return [value if value is not None else "\\N" for value in values]
    encode = _COPY_BY_TYPE.get(kind)
    if encode is None:
        return [copy_text(value) for value in values]
    return [encode(value) if value is not None else "\\N" for value in values]


def copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    encode = _COPY_BY_TYPE.get(type(value))  # one look-up for the usual types
    if encode is not None:
        return encode(value)
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return _copy_str(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):  # dates and aware datetimes
        return value.isoformat()
    raise TypeError(f"no COPY text form for {type(value).__name__}")


def _copy_str(value: str) -> str:
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


_COPY_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: _copy_str,
    type(None): lambda value: "\\N",
    int: str,
    Decimal: operator.methodcaller("__format__", "f"),
    bool: lambda value: "t" if value else "f",
    dt.date: dt.date.isoformat,
    dt.datetime: dt.datetime.isoformat,
}


def insert_values(head: sql.Composable | str, template: str, rows: list[tuple], *,
                  returning: str | None = None) -> list[tuple]:
    """`head` (INSERT INTO t (columns) VALUES) followed by one `template` tuple per row, as one
    statement (psycopg2's execute_values on Django's cursor, so it counts and logs like any query);
    the RETURNING rows. A head with `{values}` has the rows there instead (UPDATE … FROM (VALUES
    {values}) …): psycopg2 writes a batch's values at once, not a composed literal each."""
    with connection.cursor() as cursor:
        text = head if isinstance(head, str) else head.as_string(cursor.cursor.connection)
        text = text.replace("%", "%%")  # the rows' placeholder is the only one
        statement = (text.replace("{values}", "%s", 1) if "{values}" in text else f"{text} %s") \
            + (f" RETURNING {returning}" if returning else "")
        # Django's cursor wrapper hands mogrify and the connection through to psycopg2's cursor.
        rows = execute_values(cursor, statement, rows, template=template,
                              page_size=max(len(rows), 1), fetch=returning is not None)
        return [tuple(r) for r in rows] if returning else []


@dataclass(frozen=True)
class RowChange:
    """A change to one live record (update_rows): `data` keys to set (stored forms) and to remove,
    columns to set, and the version the writer read (None: any)."""

    record_id: int
    set_data: dict[str, Any]
    unset_keys: list[str]
    columns: dict[str, Any]
    expected_version: int | None


def update_rows(obj: ObjectMeta, changes: Sequence[RowChange], *, user_id: int | None,
                predicate: sql.Composable | None = None) -> dict[int, int]:
    """Apply changes to live records, one UPDATE … FROM (VALUES …) per set of columns changed (an
    import's rows all change the same ones: one statement for the batch). Returns record id → new
    version for the records changed; a record missing from it is gone, not visible through
    `predicate`, or not at its expected version. A new name brings its search keys."""
    groups: dict[tuple[str, ...], list[tuple[RowChange, dict[str, Any]]]] = {}
    for change in changes:
        columns = change.columns
        if "name" in columns:
            columns = {**columns, **name_key_columns(columns["name"])}
        groups.setdefault(tuple(sorted(columns)), []).append((change, columns))
    versions: dict[int, int] = {}
    for names, group in groups.items():
        rows = [(change.record_id, change.expected_version, dumps(change.set_data), list(change.unset_keys),
                 *[columns[name] for name in names]) for change, columns in group]
        versions.update(insert_values(_update_head(obj, names, user_id, predicate), _values_template(len(names) + 4),
                                      rows, returning="r.id, r.version"))
    return versions


def _values_template(width: int) -> str:
    return "(" + ", ".join(["%s"] * width) + ")"


def _update_head(obj: ObjectMeta, names: tuple[str, ...], user_id: int | None,
                 predicate: sql.Composable | None) -> sql.Composable:
    """UPDATE … FROM (VALUES (id, version, set, unset, columns…) …) up to its VALUES, which
    insert_values fills (psycopg2 writes a batch's values at once); values cast to their column's
    type (a VALUES column of NULLs alone would be text)."""
    aliases = [sql.Identifier(f"c{i}") for i in range(len(names))]
    assignments = [
        sql.SQL("data = (r.data || v.set_data::jsonb) - v.unset_keys::text[]"),
        sql.SQL("version = r.version + 1"),
        sql.SQL("updated_at = now()"),
        sql.SQL("updated_by = {}").format(sql.Literal(user_id)),
        *[sql.SQL("{} = v.{}::{}").format(sql.Identifier(name), alias, sql.SQL(column_type(name)))
          for name, alias in zip(names, aliases, strict=True)],
    ]
    conditions = [sql.SQL("r.id = v.id::bigint"), sql.SQL("r.deleted_at IS NULL"),
                  sql.SQL("(v.expected::integer IS NULL OR r.version = v.expected::integer)"),
                  *([predicate] if predicate is not None else [])]
    return sql.SQL("UPDATE {t} AS r SET {a} FROM (VALUES {{values}}) AS v (id, expected, set_data, unset_keys{cols}) "
                   "WHERE {w}").format(
        t=sql.Identifier(obj.table), a=sql.SQL(", ").join(assignments),
        cols=sql.SQL("").join(sql.SQL(", {}").format(a) for a in aliases), w=sql.SQL(" AND ").join(conditions))


def existing_ids(obj: ObjectMeta, ids: Iterable[int], *, predicate: sql.Composable | None = None) -> set[int]:
    """Which of `ids` are live records of `obj` (within `predicate`, a row predicate on alias r).

    One primary-key probe per id, whatever the partition's statistics say: `id = ANY(<1,000 ids>)`
    on a partition just filled by COPY and not analysed yet (autovacuum had no turn) was planned as
    a scan of every record with each one compared to the list, 1.8 s for 1,000 ids against 100,000
    accounts (bench/records.py --statements); the lateral LIMIT 1 keeps it a probe (~2 ms)."""
    ids = sorted(set(ids))
    if not ids:
        return set()
    conditions = [sql.SQL("r.id = k.id"), sql.SQL("r.deleted_at IS NULL"), *([predicate] if predicate is not None else [])]
    statement = sql.SQL("SELECT k.id FROM unnest({ids}::bigint[]) AS k (id) CROSS JOIN LATERAL "
                        "(SELECT 1 FROM {t} r WHERE {c} LIMIT 1) AS found").format(
        t=sql.Identifier(obj.table), ids=sql.Literal(ids), c=sql.SQL(" AND ").join(conditions))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return {row[0] for row in cursor.fetchall()}


def unique_values_taken(tenant: TenantMeta, obj: ObjectMeta, field: FieldMeta, values: list) -> list[tuple[int, Any]]:
    """(id, value) of the live records of `obj` whose unique `field` holds any of `values`, values
    compared (and returned) as the field's unique index compares them."""
    query = RecordQuery(tenant, obj)
    key = field.type.unique_sql(sql.SQL("k.v"))
    statement = sql.SQL("SELECT m.id, {key} FROM unnest({values}) AS k (v) CROSS JOIN LATERAL {probe} AS m").format(
        key=key, values=_key_array(field, values),
        probe=_probe(obj, sql.SQL("{} = {}").format(field.type.unique_sql(query.field_sql(field)), key)))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def _key_array(field: FieldMeta, values: Sequence[Any]) -> sql.Composable:
    """A batch's values of `field` as one array of the field's SQL type: one literal, adapted by
    psycopg2 at once (a literal per value cost more than the look-up it feeds)."""
    return sql.SQL("{}::{}[]").format(sql.Literal([field.type.to_projection(v, None) for v in values]),  # type: ignore[arg-type]
                                      sql.SQL(field.type.sql_type))


def _probe(obj: ObjectMeta, condition: sql.Composable, predicate: sql.Composable | None = None) -> sql.Composable:
    """`(SELECT r.id FROM <obj> r WHERE <condition> …)` for a LATERAL join: the live records a
    key of a batch names, found by an index probe per key whatever the statistics say. (A join
    of a batch's keys with the partition was planned, on a partition filled since it was last
    analysed, as a hash join over every record: 195 ms at 36,000 records and growing with them,
    against 1,000 probes; OFFSET 0 keeps the subquery a probe, not a join to plan.)"""
    conditions = [condition, sql.SQL("r.deleted_at IS NULL"), *([predicate] if predicate is not None else [])]
    return sql.SQL("(SELECT r.id FROM {t} r WHERE {c} OFFSET 0)").format(
        t=sql.Identifier(obj.table), c=sql.SQL(" AND ").join(conditions))


def ids_by_keys(tenant: TenantMeta, obj: ObjectMeta, groups: Sequence[tuple[Sequence[FieldMeta], Sequence[tuple]]],
                *, predicate: sql.Composable | None = None) -> list[tuple[int, int, int]]:
    """(group, id, n) for each live record of `obj` whose fields `groups[group][0]` hold the key
    `groups[group][1][n]` (a tuple of values, one per field), values compared as the fields'
    unique indexes compare them; only records within `predicate` (a reader's row predicate) when
    given. One statement for every group: lookups given by a field of their target, and upserts'
    keys, are found in one query per object and batch."""
    query = RecordQuery(tenant, obj)
    parts = []
    for number, (fields, keys) in enumerate(groups):
        if not keys:
            continue
        names = [sql.Identifier(f"k{i}") for i in range(len(fields))]
        arrays = [_key_array(f, [key[i] for key in keys]) for i, f in enumerate(fields)]
        matches = sql.SQL(" AND ").join(
            sql.SQL("{} = {}").format(f.type.unique_sql(query.field_sql(f)), f.type.unique_sql(sql.SQL("k.{}").format(name)))
            for f, name in zip(fields, names, strict=True))
        parts.append(sql.SQL("SELECT {g}, m.id, k.n - 1 FROM unnest({arrays}) WITH ORDINALITY AS k ({names}, n) "
                             "CROSS JOIN LATERAL {probe} AS m").format(
            g=sql.Literal(number), arrays=sql.SQL(", ").join(arrays), names=sql.SQL(", ").join(names),
            probe=_probe(obj, matches, predicate)))
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(" UNION ALL ").join(sql.SQL("({})").format(p) for p in parts), query.params())
        return cursor.fetchall()


def duplicate_candidates(obj: ObjectMeta, values: Sequence[tuple[FieldMeta, str]], *, exclude_id: int | None,
                         limit: int) -> list[tuple[int, str | None]]:
    """(id, name) of live records of `obj` whose fields equal `values` with case, white space and
    punctuation ignored (public.tessera_normalize, as the duplicate-rule indexes store them)."""
    conditions = [
        sql.SQL("{} = public.tessera_normalize({})").format(normalized_expression(f, alias="r"), sql.Literal(str(v)))
        for f, v in values
    ]
    if exclude_id is not None:
        conditions.append(sql.SQL("r.id <> {}").format(sql.Literal(exclude_id)))
    statement = sql.SQL("SELECT r.id, r.name FROM {t} r WHERE r.deleted_at IS NULL AND {c} LIMIT {n}").format(
        t=sql.Identifier(obj.table), c=sql.SQL(" AND ").join(conditions), n=sql.Literal(int(limit)))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def duplicate_matches(obj: ObjectMeta, groups: Sequence[tuple[Sequence[FieldMeta], Sequence[tuple[int | None, tuple]]]],
                      *, limit: int, exact: Sequence[Collection[str]] = ()) -> list[tuple[int, int, int | None, str | None, str]]:
    """For duplicate rules over a batch, in one statement: `groups` are (the rule's fields, a
    (record id to leave out or None, values) per draft). Returns (group, n, id, name, key) for
    up to `limit` live records whose fields equal draft n's values with case, white space and
    punctuation ignored (public.tessera_normalize, as the duplicate-rule indexes store them), and
    one row with id None per draft, `key` being its values so normalised (joined by U+001F), for
    the rows of the batch that look the same as each other. `exact[group]` names the fields of a
    group compared as typed instead: the normalised index still finds the candidates, then the
    values must be equal too."""
    parts = []
    for number, (fields, drafts) in enumerate(groups):
        if not drafts:
            continue
        as_typed = exact[number] if number < len(exact) else ()
        names = [sql.Identifier(f"v{i}") for i in range(len(fields))]
        rows = sql.SQL(", ").join(
            sql.SQL("({}, {}::bigint, {})").format(sql.Literal(n), sql.Literal(exclude), sql.SQL(", ").join(
                sql.SQL("{}::text").format(sql.Literal(str(v))) if f.api_name in as_typed
                else sql.SQL("public.tessera_normalize({})").format(sql.Literal(str(v)))
                for f, v in zip(fields, values, strict=True)))
            for n, (exclude, values) in enumerate(drafts))
        matches = sql.SQL(" AND ").join(
            sql.SQL("{} = public.tessera_normalize(k.{}) AND {} = k.{}").format(
                normalized_expression(f, alias="r"), name, value_expression(f, from_json=True, alias="r"), name)
            if f.api_name in as_typed else sql.SQL("{} = k.{}").format(normalized_expression(f, alias="r"), name)
            for f, name in zip(fields, names, strict=True))
        parts.append(sql.SQL(
            "SELECT {g}, k.n, NULL::bigint, NULL::text, concat_ws(chr(31), {keys}) FROM (VALUES {rows}) AS k (n, x, {names}) "
            "UNION ALL "
            "SELECT {g}, k.n, m.id, m.name, NULL FROM (VALUES {rows}) AS k (n, x, {names}) CROSS JOIN LATERAL "
            "(SELECT r.id, r.name FROM {t} r WHERE r.deleted_at IS NULL AND {matches} AND r.id IS DISTINCT FROM k.x "
            "ORDER BY r.id LIMIT {limit}) AS m").format(
            g=sql.Literal(number), rows=rows, names=sql.SQL(", ").join(names),
            keys=sql.SQL(", ").join(sql.SQL("k.{}").format(n) for n in names), t=sql.Identifier(obj.table),
            matches=matches, limit=sql.Literal(int(limit))))
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(" UNION ALL ").join(sql.SQL("({})").format(p) for p in parts))
        return cursor.fetchall()


def active_user_ids(ids: Iterable[int]) -> set[int]:
    """Which of `ids` are active users of this tenant (user fields point at them)."""
    user = get_user_model()._meta
    statement = sql.SQL("SELECT {pk} FROM {t} WHERE {pk} = ANY({ids}::bigint[]) AND {active}").format(
        pk=sql.Identifier(user.pk.column), t=sql.Identifier(user.db_table),  # type: ignore[arg-type]
        ids=sql.Literal(sorted(set(ids))),
        active=sql.Identifier(user.get_field("is_active").column))  # type: ignore[arg-type]
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return {row[0] for row in cursor.fetchall()}


def users_named(lowered: set[str], *, emails: bool = True, names: bool = True) -> list[tuple[int, str, str]]:
    """(id, e-mail, full name), both lower-cased, of the active users (support logins left out)
    whose e-mail (`emails`) or full name (`names`) is one of `lowered` (lower-cased texts)."""
    if not lowered or not (emails or names):
        return []
    matches = Q()
    if emails:
        matches |= Q(email_lower__in=lowered)
    if names:
        matches |= Q(name_lower__in=lowered)
    users = (get_user_model().objects.filter(is_active=True, is_support=False)
             .annotate(email_lower=Lower("email"), name_lower=Lower("full_name"))
             .filter(matches).values_list("pk", "email_lower", "name_lower"))
    return list(users)


def lock_live(obj: ObjectMeta, ids: Iterable[int], *, predicate: sql.Composable | None = None) -> list[tuple]:
    """Lock live records (FOR UPDATE) and return (id, version, name, owner_id) of those visible."""
    statement = sql.SQL("SELECT r.id, r.version, r.name, r.owner_id FROM {t} r WHERE r.id = ANY({ids}) "
                        "AND r.deleted_at IS NULL").format(t=sql.Identifier(obj.table), ids=sql.Literal(sorted(set(ids))))
    if predicate is not None:
        statement = sql.SQL("{} AND {}").format(statement, predicate)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("{} ORDER BY r.id FOR UPDATE OF r").format(statement))
        return cursor.fetchall()


def referencing(tenant: TenantMeta, child: ObjectMeta, lookup: FieldMeta, ids: Iterable[int], *,
                include_deleted: bool = False) -> list[int]:
    """Live records of `child` (and those in the recycle bin, with include_deleted) whose `lookup`
    points at any of `ids`."""
    statement = sql.SQL("SELECT r.id FROM {t} r WHERE {live} {ref} = ANY({ids})").format(
        t=sql.Identifier(child.table), ref=RecordQuery(tenant, child).field_sql(lookup),
        live=sql.SQL("" if include_deleted else "r.deleted_at IS NULL AND"), ids=sql.Literal(sorted(set(ids))))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return [row[0] for row in cursor.fetchall()]


def soft_delete(obj: ObjectMeta, ids: Iterable[int], user_id: int | None) -> list[int]:
    statement = sql.SQL("UPDATE {t} SET deleted_at = now(), deleted_by = {u}, version = version + 1 "
                        "WHERE id = ANY({ids}) AND deleted_at IS NULL RETURNING id").format(
        t=sql.Identifier(obj.table), u=sql.Literal(user_id), ids=sql.Literal(sorted(set(ids))))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return [row[0] for row in cursor.fetchall()]


def restore(obj: ObjectMeta, ids: Iterable[int]) -> list[tuple[int, Any]]:
    """Bring records back from the recycle bin; returns (id, the deleted_at they had)."""
    statement = sql.SQL(
        "UPDATE {t} r SET deleted_at = NULL, deleted_by = NULL, version = r.version + 1 FROM {t} old "
        "WHERE old.id = r.id AND r.id = ANY({ids}) AND r.deleted_at IS NOT NULL RETURNING r.id, old.deleted_at"
    ).format(t=sql.Identifier(obj.table), ids=sql.Literal(sorted(set(ids))))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def deleted_with(tenant: TenantMeta, child: ObjectMeta, lookup: FieldMeta, parent_ids: Iterable[int],
                 deleted_at: dt.datetime) -> list[int]:
    """Records of `child` pointing at `parent_ids` that were cascade-deleted in the same delete."""
    query = RecordQuery(tenant, child)
    statement = sql.SQL("SELECT r.id FROM {t} r WHERE r.deleted_at = {at} AND {ref} = ANY({ids})").format(
        t=sql.Identifier(child.table), at=sql.Literal(deleted_at), ref=query.field_sql(lookup),
        ids=sql.Literal(sorted(set(parent_ids))))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return [row[0] for row in cursor.fetchall()]


def clear_lookup(child: ObjectMeta, lookup: FieldMeta, ids: Iterable[int], user_id: int | None) -> list[int]:
    """Set `lookup` to blank on the given records of `child` (the set_null rule)."""
    assignments = [sql.SQL("data = data - {}").format(sql.Literal(lookup.key)), sql.SQL("version = version + 1"),
                   sql.SQL("updated_at = now()"), sql.SQL("updated_by = {}").format(sql.Literal(user_id))]
    if lookup.slot:
        assignments.append(sql.SQL("{} = NULL").format(sql.Identifier(lookup.slot)))
    statement = sql.SQL("UPDATE {t} SET {a} WHERE id = ANY({ids}) RETURNING id").format(
        t=sql.Identifier(child.table), a=sql.SQL(", ").join(assignments), ids=sql.Literal(sorted(set(ids))))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return [row[0] for row in cursor.fetchall()]


def repoint_lookup(tenant: TenantMeta, child: ObjectMeta, lookup: FieldMeta, from_id: int, to_id: int,
                   user_id: int | None, *, skip: int | None = None) -> list[int]:
    """Records of `child` (live and in the recycle bin) whose `lookup` points at `from_id` point at
    `to_id` instead (a merge), except record `skip`; returns their ids."""
    stored = lookup.type.to_storage(to_id, lookup)
    assignments = [sql.SQL("data = data || {}::jsonb").format(sql.Literal(dumps({lookup.key: stored}))),
                   sql.SQL("version = r.version + 1"), sql.SQL("updated_at = now()"),
                   sql.SQL("updated_by = {}").format(sql.Literal(user_id))]
    if lookup.slot:
        assignments.append(sql.SQL("{} = {}").format(sql.Identifier(lookup.slot),
                                                     sql.Literal(lookup.type.to_projection(to_id, lookup))))
    moved = []
    # Live records first, by the lookup's partial index; then those in the recycle bin (no index
    # covers them: a scan of the partition, bounded by the size of the object).
    for live in (sql.SQL("r.deleted_at IS NULL"), sql.SQL("r.deleted_at IS NOT NULL")):
        statement = sql.SQL("UPDATE {t} AS r SET {a} WHERE {ref} = {old} AND {live} AND r.id <> {skip} RETURNING r.id").format(
            t=sql.Identifier(child.table), a=sql.SQL(", ").join(assignments),
            ref=RecordQuery(tenant, child).field_sql(lookup), old=sql.Literal(from_id), live=live,
            skip=sql.Literal(skip if skip is not None else 0))
        with connection.cursor() as cursor:
            cursor.execute(statement)
            moved += [row[0] for row in cursor.fetchall()]
    return sorted(moved)


#: One statement: the records deleted before the cut-off, then their history rows.
PURGE = f"""
WITH gone AS (
    DELETE FROM record WHERE deleted_at < %s RETURNING object_id, id
), history AS (
    DELETE FROM {RecordChange._meta.db_table} c USING gone
    WHERE c.object_id = gone.object_id AND c.record_id = gone.id
)
SELECT object_id, array_agg(id) FROM gone GROUP BY object_id
"""

#: Every file path a record of this tenant holds, in any field (deleted fields too), live or deleted.
HELD_PATHS = """
SELECT DISTINCT p #>> '{}' FROM record, jsonb_path_query(data, 'lax $.*.path') AS p
WHERE jsonb_typeof(p) = 'string'
"""


def purge_deleted_before(cutoff: dt.datetime) -> dict[int, list[int]]:
    """Remove for good the records deleted before `cutoff`, with their history rows; object id →
    the ids removed."""
    with connection.cursor() as cursor:
        cursor.execute(PURGE, [cutoff])
        return dict(cursor.fetchall())


def held_file_paths() -> set[str]:
    """Every file path a record of this tenant holds, in any field (deleted fields too), live or deleted."""
    with connection.cursor() as cursor:
        cursor.execute(HELD_PATHS)
        return {row[0] for row in cursor.fetchall()}


def live_count(object_id: int) -> int:
    """How many live records an object's partition holds (a deleted object's too: it is kept)."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT count(*) FROM {} WHERE deleted_at IS NULL")
                       .format(sql.Identifier(partition_name(object_id))))
        return int(cursor.fetchone()[0])
