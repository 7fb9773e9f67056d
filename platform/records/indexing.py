"""Projection slots and field indexes: filling them and building them, inline or in the background.

A field that is indexed, unique or a lookup gets a slot (a typed column of the record table, see
storage.py) and a btree index on it, partial to its object's partition by construction. When the
object is small the work is done inline, in the metadata change's transaction; when it is large it
is a background job (with progress) that fills the slot in batches and builds the index
CONCURRENTLY, so nobody waits and nothing is locked for long. Until the slot is filled, queries read
the field from JSON (`slot_ready` false) and still give the right answers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from psycopg2 import sql
from psycopg2.extras import execute_values

from metadata.cache import get_meta
from metadata.models import FieldDef
from metadata.versioning import record_change
from tessera.core.jobs import queue_job

from .query import RecordQuery
from .search_keys import HAN, INITIALS_COLUMN, PINYIN_COLUMN, name_keys

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

    from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
    from tessera.core.jobs import Progress
    from tessera.core.models import Job

from tessera.core.models import Job

from .storage import (
    SORTED_BY_INDEX,
    duplicate_index_name,
    field_index_name,
    index_exists,
    owner_index_name,
    partition_name,
    slot_columns,
)

logger = logging.getLogger(__name__)

#: Up to this many records, slots and indexes are done inline; beyond, by a background job.
INLINE_LIMIT = settings.TESSERA_INDEX_INLINE_LIMIT
#: Rows the job fills per statement (each its own short transaction).
BACKFILL_BATCH = settings.TESSERA_INDEX_BATCH


#: Objects with more records than this are never sorted on a field without an index.
SORT_UNINDEXED_LIMIT = settings.TESSERA_SORT_UNINDEXED_LIMIT


def is_materialized(field: FieldMeta) -> bool:
    """A formula field whose value is stored in a slot on every write (see FormulaFieldType)."""
    return field.type.materialized(field)


def needs_slot(field: FieldMeta) -> bool:
    if field.column is not None or not field.type.slot_family_for(field):
        return False
    if is_materialized(field):
        return True
    return not field.type.computed and (field.indexed or field.unique or field.type.is_reference)


def needs_index(field: FieldMeta) -> bool:
    if is_materialized(field):
        return True
    return field.column is None and not field.type.computed and (
        field.indexed or field.type.is_reference
    ) and field.type.sortable


def needs_owner_index(field: FieldMeta) -> bool:
    """An indexed field also gets an (owner_id, value) index: a list that record-level security
    narrows to "owned by me" (tessera.security.access) and that is sorted by this field then reads
    that index in order instead of walking the field's index past everyone else's records (a
    salesperson's list page at 1M records: 25x the unrestricted query without it, 0.9x with it; see
    bench/security.py). Lookups and user fields are filtered, not sorted: none for them."""
    return field.indexed and needs_index(field) and not field.type.is_reference


def sort_is_indexed(field: FieldMeta) -> bool:
    """Whether a list sorted on the field reads an index in order: a system column with one, or a
    field whose indexed slot is built (a slot still being filled does not count yet)."""
    if field.column:
        return field.column in SORTED_BY_INDEX
    return bool(field.slot and field.slot_ready and needs_index(field))


def can_be_indexed(field: FieldMeta) -> bool:
    """Whether marking the field `indexed` gives it a sort index (computed-on-read values cannot
    have one: a formula is stored first)."""
    return field.column is None and not field.type.computed and field.type.sortable and \
        field.type.slot_family_for(field) is not None


def too_large_to_sort_unindexed(object_id: int) -> bool:
    """Whether the object holds more than SORT_UNINDEXED_LIMIT records (the planner's estimate of
    the partition's size: this decides a refusal, it is never shown as a count)."""
    return estimated_rows(object_id) > SORT_UNINDEXED_LIMIT


def latest_index_job(field_id: int) -> Job | None:
    """The field's most recent index build, if it ever had one in the background."""
    return Job.objects.filter(kind="records.build_field_index", params__field_id=field_id).order_by("-id").first()


def _owner_index_statement(field: FieldMeta, *, concurrently: bool) -> sql.Composable:
    return sql.SQL("CREATE INDEX {c} IF NOT EXISTS {name} ON {table} (owner_id, ({expr}), id) "
                   "WHERE deleted_at IS NULL").format(
        c=sql.SQL("CONCURRENTLY") if concurrently else sql.SQL(""),
        name=sql.Identifier(owner_index_name(field.object_id, field.id)),
        table=sql.Identifier(partition_name(field.object_id)), expr=value_expression(field))


def free_slot(family: str, used: set[str]) -> str | None:
    return next((c for c in slot_columns(family) if c not in used), None)


def estimated_rows(object_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [partition_name(object_id)])
        row = cursor.fetchone()
    if row is None:
        return 0
    if row[0] is None or row[0] < 0:  # never analysed: count (only happens on small, new tables)
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(partition_name(object_id))))
            return cursor.fetchone()[0]
    return row[0]


def value_expression(field: FieldMeta, *, from_json: bool = False, alias: str | None = None) -> sql.Composable:
    """The field's typed value in a row of its partition (columns qualified by `alias` if given;
    index definitions take none): its slot, or (`from_json`, to fill the slot) its source: the JSON
    value, or for a materialised formula the compiled formula (which needs the alias)."""

    def column(name: str) -> sql.Composable:
        return sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(name)) if alias else sql.Identifier(name)

    if field.column:
        return column(field.column)
    if field.slot and not from_json:
        return column(field.slot)
    if is_materialized(field):
        tenant = get_meta()
        query = RecordQuery(tenant, tenant.objects_by_id[field.object_id], alias=alias or "r")
        return query.formula_sql(field, query.alias, query.obj)
    return field.type.json_sql(column("data"), field.key)


def _index_statement(field: FieldMeta, *, unique: bool, concurrently: bool) -> sql.Composable:
    table = sql.Identifier(partition_name(field.object_id))
    name = sql.Identifier(field_index_name(field.object_id, field.id, unique))
    expr = value_expression(field)
    if unique:
        return sql.SQL("CREATE UNIQUE INDEX {c} IF NOT EXISTS {name} ON {table} (({expr})) WHERE deleted_at IS NULL").format(
            c=sql.SQL("CONCURRENTLY") if concurrently else sql.SQL(""), name=name, table=table,
            expr=field.type.unique_sql(expr),
        )
    # Partial on live records and ending with the id: every query the runtime builds says
    # `deleted_at IS NULL` and every sort ends with the id, so counts and range filters are answered
    # by index-only scans and keyset pages continue inside the index (bench/records.py: a range
    # count 16.6x → ~1x the typed table).
    return sql.SQL("CREATE INDEX {c} IF NOT EXISTS {name} ON {table} (({expr}), id) WHERE deleted_at IS NULL").format(
        c=sql.SQL("CONCURRENTLY") if concurrently else sql.SQL(""), name=name, table=table, expr=expr
    )


def _statistics_statement(field: FieldMeta) -> sql.Composable | None:
    """Expression statistics for a field read from JSON, so the planner can estimate its predicates."""
    if field.slot or field.column:
        return None  # a real column has statistics of its own
    return sql.SQL("CREATE STATISTICS IF NOT EXISTS {name} ON ({expr}) FROM {table}").format(
        name=sql.Identifier(f"record_o{field.object_id}_s{field.id}"),
        expr=value_expression(field),
        table=sql.Identifier(partition_name(field.object_id)),
    )


def backfill_slot(field: FieldMeta, *, after_id: int = 0, batch: int | None = None) -> tuple[int, int | None]:
    """Fill the field's slot from its source (JSON value, or a materialised formula computed in SQL,
    which never uses NOW()/TODAY()) for ids in (after_id, …]; returns (rows updated, last id) or
    (0, None) when done. Each batch is its own short statement."""
    assert field.slot is not None  # only fields with a slot are filled
    table = sql.Identifier(partition_name(field.object_id))
    with connection.cursor() as cursor:
        if batch is None:
            cursor.execute(sql.SQL("UPDATE {t} AS r SET {slot} = {expr} WHERE r.{slot} IS DISTINCT FROM {expr}").format(
                t=table, slot=sql.Identifier(field.slot), expr=value_expression(field, from_json=True, alias="r")))
            return cursor.rowcount, None
        cursor.execute(
            sql.SQL("SELECT max(id) FROM (SELECT id FROM {t} WHERE id > %s ORDER BY id LIMIT %s) s").format(t=table),
            [after_id, batch],
        )
        last = cursor.fetchone()[0]
        if last is None:
            return 0, None
        cursor.execute(
            sql.SQL("UPDATE {t} AS r SET {slot} = {expr} WHERE r.id > {low} AND r.id <= {high}").format(
                t=table, slot=sql.Identifier(field.slot), expr=value_expression(field, from_json=True, alias="r"),
                low=sql.Literal(after_id), high=sql.Literal(last)))
        return cursor.rowcount, last


def clear_slot(object_id: int, slot: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("UPDATE {t} SET {slot} = NULL WHERE {slot} IS NOT NULL").format(
            t=sql.Identifier(partition_name(object_id)), slot=sql.Identifier(slot)))


def drop_field_indexes(field: FieldMeta, *, concurrently: bool = False) -> None:
    with connection.cursor() as cursor:
        for unique in (False, True):
            cursor.execute(sql.SQL("DROP INDEX {c} IF EXISTS {name}").format(
                c=sql.SQL("CONCURRENTLY") if concurrently else sql.SQL(""),
                name=sql.Identifier(field_index_name(field.object_id, field.id, unique))))
        cursor.execute(sql.SQL("DROP INDEX {c} IF EXISTS {name}").format(
            c=sql.SQL("CONCURRENTLY") if concurrently else sql.SQL(""),
            name=sql.Identifier(owner_index_name(field.object_id, field.id))))


def build_inline(field: FieldMeta) -> None:
    """Fill the slot and build the indexes now, inside the caller's transaction (small objects)."""
    with connection.cursor() as cursor:
        if needs_normalized_index(field):
            cursor.execute(_duplicate_index_statement(field, concurrently=False))
        if field.slot:
            backfill_slot(field)
        if needs_index(field):
            cursor.execute(_index_statement(field, unique=False, concurrently=False))
        if needs_owner_index(field):
            cursor.execute(_owner_index_statement(field, concurrently=False))
        if field.unique:
            cursor.execute(_index_statement(field, unique=True, concurrently=False))
        statistics = _statistics_statement(field) if (field.indexed or field.unique) else None
        if statistics is not None:
            cursor.execute(statistics)


def indexes_complete(field: FieldMeta) -> bool:
    with connection.cursor() as cursor:
        if needs_index(field) and not index_exists(cursor, field_index_name(field.object_id, field.id)):
            return False
        if field.unique and not index_exists(cursor, field_index_name(field.object_id, field.id, True)):
            return False
        if needs_owner_index(field) and not index_exists(cursor, owner_index_name(field.object_id, field.id)):
            return False
        if needs_normalized_index(field) and not index_exists(cursor, duplicate_index_name(field.object_id, field.id)):
            return False
    return True


def build_field_index_job(job: Job, progress: Progress) -> dict:
    """Background job: fill the slot in batches, build the indexes CONCURRENTLY, mark the slot ready.

    Runs with autocommit (a Celery task is not in a transaction), as CONCURRENTLY requires. Safe to
    run again after a crash at any point: filling writes the same values again, an index an
    interrupted build left INVALID is dropped and rebuilt, finished indexes are kept (IF NOT
    EXISTS), and the slot is marked ready once.
    """

    field_id = job.params["field_id"]
    field = _field_meta(get_meta(), field_id)
    if field is None:
        return {"skipped": "field deleted"}
    progress.set_total(max(estimated_rows(field.object_id), 1))
    filled = 0
    if field.slot and not field.slot_ready:
        last = 0
        while True:
            count, found = backfill_slot(field, after_id=last, batch=BACKFILL_BATCH)
            if found is None:
                break
            last = found
            filled += count
            progress.advance(count, message="filling")
    with connection.cursor() as cursor:
        for unique in (False, True):
            if (unique and field.unique) or (not unique and needs_index(field)):
                name = field_index_name(field.object_id, field.id, unique)
                # An index left INVALID by an interrupted CONCURRENTLY build is dropped and rebuilt.
                cursor.execute(
                    "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
                row = cursor.fetchone()
                if row and row[0]:
                    cursor.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(sql.Identifier(name)))
                progress.advance(0, message="indexing")
                cursor.execute(_index_statement(field, unique=unique, concurrently=True))
        if needs_owner_index(field):
            name = owner_index_name(field.object_id, field.id)
            cursor.execute("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(sql.Identifier(name)))
            cursor.execute(_owner_index_statement(field, concurrently=True))
        if needs_normalized_index(field):
            _drop_if_invalid(cursor, duplicate_index_name(field.object_id, field.id))
            cursor.execute(_duplicate_index_statement(field, concurrently=True))
        statistics = _statistics_statement(field) if (field.indexed or field.unique) else None
        if statistics is not None:
            cursor.execute(statistics)
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(partition_name(field.object_id))))
    with transaction.atomic():  # a rerun after a crash finds it ready and records nothing twice
        updated = FieldDef.objects.filter(pk=field_id, slot=field.slot or "", slot_ready=False).update(slot_ready=True)
        if updated:
            record_change(entity="field", action="index_built", entity_id=field_id, after={"slot": field.slot})
    return {"filled": filled, "slot": field.slot}


class IndexState:
    """What the API says of a field's index (`index_state`): the field asked for one (indexed or
    unique, or is a stored formula) and it is being built, is built, or its build failed."""

    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


def has_index_state(field: FieldMeta) -> bool:
    return bool(field.indexed or field.unique or is_materialized(field))


def index_states(fields: Iterable[FieldMeta]) -> dict[int, str]:
    """field id → IndexState for those of `fields` that have one.

    A field whose slot is ready is ready: the build job marks the slot ready last, after its
    indexes (and an inline build does all of it in one transaction). Only the others (a slot being
    filled, or an index on the JSON value when the object has no free slot) ask their latest index
    job: queued or running is building, failed is failed. So a metadata read whose indexes are all
    built runs no query for this (responses come from the cached snapshot)."""
    fields = [f for f in fields if has_index_state(f)]
    pending = [f.id for f in fields if not (f.slot and f.slot_ready)]
    latest: dict[int, str] = {}
    if pending:
        jobs = (Job.objects.filter(kind="records.build_field_index", params__field_id__in=pending)
                .order_by("-id").values_list("params__field_id", "status"))
        for field_id, job_status in jobs:
            latest.setdefault(field_id, job_status)
    states: dict[int, str] = {}
    for field in fields:
        status = latest.get(field.id)
        if status in (Job.Status.QUEUED, Job.Status.RUNNING) or (field.slot and not field.slot_ready and not status):
            states[field.id] = IndexState.BUILDING
        elif status == Job.Status.FAILED:
            states[field.id] = IndexState.FAILED
        else:
            states[field.id] = IndexState.READY
    return states


def _field_meta(meta: TenantMeta, field_id: int) -> FieldMeta | None:
    for obj in meta.objects.values():
        for field in obj.fields:
            if field.id == field_id:
                return field
    return None


def used_slots(object_id: int) -> set[str]:
    return set(FieldDef.objects.filter(object_id=object_id).exclude(slot="").values_list("slot", flat=True))



# --- duplicate rules ---------------------------------------------------------------------------


def normalized_expression(field: FieldMeta, *, alias: str | None = None) -> sql.Composable:
    """What duplicate rules compare: the field's stored text with case, white space and punctuation
    ignored. Always read from the field's source (never its slot), so the index below serves the
    duplicate check whatever becomes of the slot."""
    return sql.SQL("public.tessera_normalize({})").format(value_expression(field, from_json=True, alias=alias))


def _duplicate_index_statement(field: FieldMeta, *, concurrently: bool) -> sql.Composable:
    return sql.SQL("CREATE INDEX {c} IF NOT EXISTS {name} ON {table} (({expr}))").format(
        c=sql.SQL("CONCURRENTLY") if concurrently else sql.SQL(""),
        name=sql.Identifier(duplicate_index_name(field.object_id, field.id)),
        table=sql.Identifier(partition_name(field.object_id)), expr=normalized_expression(field))


def needs_normalized_index(field: FieldMeta) -> bool:
    """Fields found by their normalised value (phone numbers in any format, see
    FieldType.searched_normalized) get that index whatever the duplicate rules say: global search
    compares them at every keystroke."""
    return field.column is None and field.type.searched_normalized and not field.type.computed


def ensure_duplicate_indexes(obj: ObjectMeta) -> None:
    """Every field of an active duplicate rule, and every field global search finds by its
    normalised value, gets an index on that value, so the duplicate check on each create and a
    search for a phone number are index lookups at any record count: inline for small objects,
    else a job."""
    fields = {f for rule in obj.duplicate_rules for name in rule.fields if (f := obj.field(name)) is not None}
    fields |= {f for f in obj.fields if needs_normalized_index(f)}
    if not fields:
        return
    small = estimated_rows(obj.id) <= INLINE_LIMIT
    with connection.cursor() as cursor:
        for field in sorted(fields, key=lambda f: f.id):
            if index_exists(cursor, duplicate_index_name(field.object_id, field.id)):
                continue
            if small:
                cursor.execute(_duplicate_index_statement(field, concurrently=False))
            else:
                queue_job("records.build_duplicate_index", {"field_id": field.id})


def build_duplicate_index_job(job: Job, progress: Progress) -> dict:
    """Background job: the normalised-value index of a duplicate-rule field, built CONCURRENTLY."""
    field = _field_meta(get_meta(), job.params["field_id"])
    if field is None:
        return {"skipped": "field deleted"}
    progress.set_total(1)
    name = duplicate_index_name(field.object_id, field.id)
    with connection.cursor() as cursor:
        _drop_if_invalid(cursor, name)
        cursor.execute(_duplicate_index_statement(field, concurrently=True))
    progress.advance(1)
    return {"index": name}


def _drop_if_invalid(cursor: CursorWrapper, name: str) -> None:
    """An index left INVALID by an interrupted CONCURRENTLY build is dropped, to be built again."""
    cursor.execute("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
    row = cursor.fetchone()
    if row and row[0]:
        cursor.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(sql.Identifier(name)))


# --- global search's name keys -----------------------------------------------------------------


def fill_search_keys(object_id: int, *, after_id: int = 0, batch: int | None = None) -> tuple[int, int | None]:
    """Compute the pinyin keys (search_keys.name_keys) of the records of an object whose name has
    Chinese characters and no keys yet, for ids in (after_id, …]; returns (rows updated, last id
    read) or (0, None) when done. The write path keeps them from then on."""
    table = sql.Identifier(partition_name(object_id))
    statement = sql.SQL("SELECT id, name FROM {t} WHERE id > %s AND name ~ %s AND {p} IS NULL ORDER BY id").format(
        t=table, p=sql.Identifier(PINYIN_COLUMN))
    if batch is not None:
        statement = sql.SQL("{} LIMIT {}").format(statement, sql.Literal(int(batch)))
    with connection.cursor() as cursor:
        cursor.execute(statement, [after_id, HAN.pattern])
        rows = cursor.fetchall()
        if not rows:
            return 0, None
        update = sql.SQL("UPDATE {t} AS r SET {p} = v.p, {i} = v.i FROM (VALUES %s) AS v (id, p, i) "
                         "WHERE r.id = v.id").format(t=table, p=sql.Identifier(PINYIN_COLUMN),
                                                     i=sql.Identifier(INITIALS_COLUMN))
        values = [(record_id, *name_keys(name)) for record_id, name in rows]
        execute_values(cursor, update.as_string(cursor.cursor.connection), values,
                       template="(%s::bigint, %s::text, %s::text)", page_size=max(len(values), 1))
    return len(rows), rows[-1][0]


def ensure_search_keys(object_id: int) -> None:
    """Fill the object's missing search keys: inline when it is small, else a background job."""
    if estimated_rows(object_id) <= INLINE_LIMIT:
        fill_search_keys(object_id)
    else:
        queue_job("records.fill_search_keys", {"object_id": object_id})


def fill_search_keys_job(job: Job, progress: Progress) -> dict:
    """Background job: the search keys of an object's existing records, in batches (each its own
    short statement; run again after a crash, it goes on where the keys are missing)."""
    object_id = job.params["object_id"]
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT count(*) FROM {t} WHERE name ~ %s AND {p} IS NULL").format(
            t=sql.Identifier(partition_name(object_id)), p=sql.Identifier(PINYIN_COLUMN)), [HAN.pattern])
        progress.set_total(max(cursor.fetchone()[0], 1))
    filled, last = 0, 0
    while True:
        count, found = fill_search_keys(object_id, after_id=last, batch=BACKFILL_BATCH)
        if found is None:
            break
        filled += count
        last = found
        progress.advance(count, message="filling")
    return {"filled": filled}
