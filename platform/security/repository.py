"""SQL over records for the security services: ownership changes and visibility checks.
(With tessera.records.query / repository, the only code that writes SQL over records.)"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import connection
from psycopg2 import sql

from tessera.records.query import RecordQuery

if TYPE_CHECKING:
    from metadata.meta import FieldMeta, ObjectMeta, TenantMeta


def visible_ids(obj: ObjectMeta, ids: Iterable[int], predicate: sql.Composable | None, *, include_deleted: bool = False) -> set[int]:
    ids = sorted({int(i) for i in ids})
    if not ids:
        return set()
    conditions: list[sql.Composable] = [sql.SQL("r.id = ANY({})").format(sql.Literal(ids))]
    if not include_deleted:
        conditions.append(sql.SQL("r.deleted_at IS NULL"))
    if predicate is not None:
        conditions.append(predicate)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT r.id FROM {t} r WHERE {c}").format(
            t=sql.Identifier(obj.table), c=sql.SQL(" AND ").join(conditions)))
        return {row[0] for row in cursor.fetchall()}


def select_ids(statement: sql.Composable) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return [row[0] for row in cursor.fetchall()]


def set_owner(obj: ObjectMeta, to_user: int, user_id: int | None, *, ids: Sequence[int] | None = None,
              from_owner: int | None = None, include_deleted: bool = False) -> list[tuple[int, int | None]]:
    """Give records to `to_user` (by ids, or every record of `from_owner`); returns (id, previous
    owner) of the records that changed hands."""
    conditions = [sql.SQL("old.id = r.id"), sql.SQL("r.owner_id IS DISTINCT FROM {}").format(sql.Literal(to_user))]
    if ids is not None:
        if not ids:
            return []
        conditions.append(sql.SQL("r.id = ANY({})").format(sql.Literal(sorted(set(ids)))))
    if from_owner is not None:
        conditions.append(sql.SQL("r.owner_id = {}").format(sql.Literal(from_owner)))
    if not include_deleted:
        conditions.append(sql.SQL("r.deleted_at IS NULL"))
    statement = sql.SQL(
        "UPDATE {t} AS r SET owner_id = {to}, version = r.version + 1, updated_at = now(), updated_by = {u} "
        "FROM {t} old WHERE {c} RETURNING r.id, old.owner_id"
    ).format(t=sql.Identifier(obj.table), to=sql.Literal(to_user), u=sql.Literal(user_id),
             c=sql.SQL(" AND ").join(conditions))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return [tuple(row) for row in cursor.fetchall()]


def owned_counts(owner_id: int) -> dict[int, int]:
    """How many records `owner_id` owns, per object id, the recycle bin included (what a
    deactivation hands over): one statement over the record table, by its owner index."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT object_id, count(*) FROM record WHERE owner_id = {} GROUP BY object_id")
                       .format(sql.Literal(int(owner_id))))
        return {object_id: count for object_id, count in cursor.fetchall()}


def children_owned_alike(tenant: TenantMeta, child: ObjectMeta, lookup: FieldMeta,
                         parents: Sequence[tuple[int, int | None]], *, predicate: sql.Composable | None = None,
                         open_only: tuple[FieldMeta, Sequence[str]] | None = None) -> list[int]:
    """Live records of `child` whose `lookup` points at a parent and that are owned by that parent's
    previous owner. `parents`: (parent id, previous owner); `predicate`: over the alias "c";
    `open_only`: (status field, closed values): only children whose status is not closed."""
    pairs = [(pid, owner) for pid, owner in parents if owner is not None]
    if not pairs:
        return []
    query = RecordQuery(tenant, child, alias="c")
    values = sql.SQL(", ").join(sql.SQL("({}::bigint, {}::bigint)").format(sql.Literal(p), sql.Literal(o))
                                for p, o in pairs)
    conditions = [sql.SQL("c.deleted_at IS NULL"), *([predicate] if predicate is not None else [])]
    if open_only is not None:
        status, closed = open_only
        conditions.append(sql.SQL("({e} IS NULL OR {e} <> ALL({closed}))").format(
            e=query.field_sql(status), closed=sql.Literal(list(closed))))
    statement = sql.SQL(
        "SELECT c.id FROM {t} c JOIN (VALUES {v}) AS p(id, owner) ON {ref} = p.id AND c.owner_id = p.owner "
        "WHERE {c}"
    ).format(t=sql.Identifier(child.table), v=values, ref=query.field_sql(lookup), c=sql.SQL(" AND ").join(conditions))
    return select_ids(statement)
