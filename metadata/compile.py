"""Compile the metadata rows of the current schema into an immutable TenantMeta.

A compile reuses what the previous compile of the same schema made of the rows that have not
changed since (see compile_tenant_meta): a save recompiles the rows it wrote, not the tenant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, SimpleNamespace
from typing import Any, TypeVar

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from psycopg2 import sql

from .fieldtypes import field_types
from .labels import ui_languages
from .meta import (
    CategoryMeta,
    DuplicateRule,
    FieldMeta,
    LayoutItem,
    LayoutMeta,
    LayoutSection,
    ListViewMeta,
    ObjectMeta,
    RelatedList,
    TenantMeta,
    freeze,
)
from .models import FieldDef, Layout, ListView, ObjectDef, RecordCategory
from .tables import partition_name

T = TypeVar("T")

#: A row version's stamp. Any write of a row makes a new version (PostgreSQL's MVCC): a new xmin
#: (the writing transaction) and a new ctid (where it lies; a transaction's own earlier version
#: of the row is not reclaimed before it ends, so writing a row twice in one transaction gives
#: two ctids). A stamp seen again is the same row version, with the same content.
STAMP = "xmin::text || ':' || ctid::text"

#: id → (stamp, what was compiled from that row version).
Compiled = Mapping[int, tuple[str, T]]


@dataclass(frozen=True)
class CompiledRows:
    """What one compile made of each row version, for the next compile of the same schema."""

    objects: Compiled[SimpleNamespace] = field(default_factory=dict)  # the ObjectDef rows themselves
    fields: Compiled[FieldMeta] = field(default_factory=dict)
    categories: Compiled[CategoryMeta] = field(default_factory=dict)
    layouts: Compiled[LayoutMeta] = field(default_factory=dict)
    list_views: Compiled[ListViewMeta] = field(default_factory=dict)
    #: object id → (the stamps of every row it was compiled from, in order; the ObjectMeta).
    object_metas: Mapping[int, tuple[tuple, ObjectMeta]] = field(default_factory=dict)


def compile_tenant_meta(schema: str, version: int, token: str,
                        previous: CompiledRows | None = None) -> tuple[TenantMeta, CompiledRows]:
    """The schema's snapshot, and what it was made of for the next compile to reuse.

    One statement lists every metadata row with its stamp; only rows whose stamp `previous` does
    not hold are read and compiled, and an object none of whose rows changed is reused whole. So a
    save recompiles what it wrote, whatever the tenant's size, and a compile under the metadata
    lock, before the change writes anything, reads nothing but the stamps. Whatever a change
    writes (its own rows, another object's related lists) has new stamps: nothing written is
    missed, whoever forgets to say what changed. An object's compiled metadata holds nothing of
    other objects (formula checks, roll-ups, lookups are derived per snapshot, keyed by the
    TenantMeta itself: formula_scope.checked_formula), so reusing it never carries another
    object's old state. `previous` must come from the same schema (metadata.cache keys it so).
    """
    previous = previous or CompiledRows()
    stamps = _stamps()
    objects = _compile_rows(ObjectDef.objects.all(), stamps["object"], previous.objects, lambda row: row,
                            "id", "api_name", "is_standard", "spec")
    names = {object_id: row.api_name for object_id, (_stamp, row) in objects.items()}

    def fits(meta: FieldMeta) -> bool:  # a renamed object's fields carry its new name
        return names.get(meta.object_id) == meta.object_api_name

    def field_of(row: SimpleNamespace) -> FieldMeta | None:  # None: its object went meanwhile
        obj = objects.get(row.object_id)
        return compile_field(row, obj[1]) if obj is not None else None

    fields = _compile_rows(FieldDef.objects.all(), stamps["field"], previous.fields, field_of,
                           "id", "object_id", "api_name", "type", "key", "is_system", "position", "slot",
                           "slot_ready", "spec", "deleted_at", still_fits=fits)
    categories = _compile_rows(RecordCategory.objects.all(), stamps["category"], previous.categories,
                               compile_category, "id", "object_id", "api_name", "spec")
    layouts = _compile_rows(Layout.objects.all(), stamps["layout"], previous.layouts, compile_layout,
                            "id", "object_id", "api_name", "kind", "spec")
    # Shared views only: a personal view is one user's preference, read with that user's requests
    # (metadata.services.list_views.visible_list_views), so saving one changes no tenant snapshot.
    list_views = _compile_rows(ListView.objects.filter(owner__isnull=True), stamps["list_view"], previous.list_views,
                               compile_list_view, "id", "object_id", "api_name", "owner_id", "spec")

    fields_of, categories_of = _by_object(stamps["field"], fields), _by_object(stamps["category"], categories)
    layouts_of, list_views_of = _by_object(stamps["layout"], layouts), _by_object(stamps["list_view"], list_views)
    object_metas: dict[int, tuple[tuple, ObjectMeta]] = {}
    for object_id, (stamp, row) in objects.items():
        parts = (fields_of.get(object_id, []), categories_of.get(object_id, []), layouts_of.get(object_id, []),
                 list_views_of.get(object_id, []))
        signature = (stamp, *(tuple(s for s, _meta in rows) for rows in parts))
        reused = previous.object_metas.get(object_id)
        object_metas[object_id] = reused if reused is not None and reused[0] == signature else (
            signature, compile_object(row, _metas(parts[0]), _metas(parts[1]), _metas(parts[2]), _metas(parts[3])))
    tenant = getattr(connection, "tenant", None)
    meta = TenantMeta(
        schema=schema,
        version=version,
        token=token,
        currency=getattr(tenant, "currency", None) or "CNY",
        time_zone=getattr(tenant, "time_zone", None) or "Asia/Shanghai",
        objects=MappingProxyType({m.api_name: m for _signature, m in object_metas.values()}),
        fiscal_year_start_month=getattr(tenant, "fiscal_year_start_month", None) or 1,
        languages=tuple(getattr(tenant, "languages", None) or ui_languages()),
    )
    return meta, CompiledRows(objects=objects, fields=fields, categories=categories, layouts=layouts,
                              list_views=list_views, object_metas=object_metas)


def compile_object(row: SimpleNamespace, fields: Iterable[FieldMeta], categories: Iterable[CategoryMeta],
                   layouts: Iterable[LayoutMeta], list_views: Iterable[ListViewMeta]) -> ObjectMeta:
    """An object's metadata from its row and its compiled parts (in the snapshot's order)."""
    spec = row.spec or {}
    fields = tuple(fields)
    return ObjectMeta(
        id=row.id,
        api_name=row.api_name,
        labels=freeze(spec.get("labels", {})),
        description=spec.get("description", ""),
        icon=spec.get("icon", ""),
        is_standard=row.is_standard,
        name_field=spec.get("name_field", "name"),
        table=partition_name(row.id),
        fields=tuple(f for f in fields if not f.deleted),
        deleted_fields=tuple(f for f in fields if f.deleted),
        categories=MappingProxyType({c.api_name: c for c in categories}),
        layouts=MappingProxyType({lay.api_name: lay for lay in layouts}),
        list_views=tuple(list_views),
        duplicate_rules=tuple(
            DuplicateRule(
                api_name=r["api_name"], fields=tuple(r["fields"]), action=r.get("action", "warn"),
                labels=freeze(r.get("labels", {})),
            )
            for r in spec.get("duplicate_rules", ())
            if r.get("active", True)
        ),
        spec=freeze(spec),
    )


def _stamps() -> dict[str, list[tuple[int, int, str]]]:
    """kind → (id, object id, stamp) of every metadata row of the snapshot, in the snapshot's order
    (objects by id, fields and categories by position, layouts and shared list views by id). One
    statement, so one consistent view of every table. A deleted object (kept for its restore) and
    its rows are not part of the snapshot: the objects are those `ObjectDef.objects` shows."""
    wheres = {"object": sql.SQL(" WHERE deleted_at IS NULL"), "list_view": sql.SQL(" WHERE owner_id IS NULL")}
    parts = [
        sql.SQL("SELECT {kind}, id, {owner}, {position}, " + STAMP + " FROM {table}{where}").format(
            kind=sql.Literal(kind), owner=sql.Identifier(owner), table=sql.Identifier(model._meta.db_table),
            position=sql.Identifier("position") if ordered else sql.SQL("0"), where=wheres.get(kind, sql.SQL("")))
        for kind, model, owner, ordered in (
            ("object", ObjectDef, "id", False), ("field", FieldDef, "object_id", True),
            ("category", RecordCategory, "object_id", True), ("layout", Layout, "object_id", False),
            ("list_view", ListView, "object_id", False))
    ]
    stamps: dict[str, list[tuple[int, int, str]]] = {k: [] for k in ("object", "field", "category", "layout",
                                                                      "list_view")}
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(" UNION ALL ").join(parts) + sql.SQL(" ORDER BY 1, 4, 2"))
        for kind, row_id, object_id, _position, stamp in cursor.fetchall():
            stamps[kind].append((row_id, object_id, stamp))
    live = {row_id for row_id, _object_id, _stamp in stamps["object"]}
    return {kind: rows if kind == "object" else [row for row in rows if row[1] in live]
            for kind, rows in stamps.items()}


def _compile_rows(queryset: QuerySet, stamped: list[tuple[int, int, str]], previous: Compiled[Any],
                  compile_row: Callable[[Any], T | None], *names: str,
                  still_fits: Callable[[Any], bool] | None = None) -> dict[int, tuple[str, T]]:
    """id → (stamp, compiled) for every listed row, in order: reused from `previous` when it holds
    that row version (and what it made of it still fits), else read (with the stamp of the content
    read, whatever committed since the listing) and compiled. A row gone since the listing (or
    whose compile_row gives None) is left out."""
    stale = [row_id for row_id, _object_id, stamp in stamped
             if (held := previous.get(row_id)) is None or held[0] != stamp
             or (still_fits is not None and not still_fits(held[1]))]
    fresh: dict[int, SimpleNamespace] = {}
    if stale:
        if len(stale) < len(stamped):
            queryset = queryset.filter(pk__in=stale)
        fresh = {row.id: row for row in _rows(queryset.annotate(stamp=RawSQL(STAMP, ())), *names, "stamp")}
    stale_ids = set(stale)
    compiled: dict[int, tuple[str, T]] = {}
    for row_id, _object_id, _stamp in stamped:
        if row_id not in stale_ids:
            compiled[row_id] = previous[row_id]
        elif (row := fresh.get(row_id)) is not None and (made := compile_row(row)) is not None:
            compiled[row_id] = (row.stamp, made)
    return compiled


def _by_object(stamped: list[tuple[int, int, str]], compiled: Compiled[T]) -> dict[int, list[tuple[str, T]]]:
    grouped: dict[int, list[tuple[str, T]]] = {}
    for row_id, object_id, _stamp in stamped:
        if row_id in compiled:
            grouped.setdefault(object_id, []).append(compiled[row_id])
    return grouped


def _metas(rows: list[tuple[str, T]]) -> list[T]:
    return [meta for _stamp, meta in rows]


def _rows(queryset: QuerySet, *names: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(**row) for row in queryset.values(*names)]


def compile_field(row: FieldDef | SimpleNamespace, obj: ObjectDef | SimpleNamespace) -> FieldMeta:
    spec = row.spec or {}
    return FieldMeta(
        id=row.id,
        object_id=obj.id,
        object_api_name=obj.api_name,
        api_name=row.api_name,
        key=row.key,
        type=field_types.get(row.type),
        labels=freeze(spec.get("labels", {})),
        help_text=freeze(spec.get("help_text", {})),
        options=freeze(spec.get("options", {})),
        required=bool(spec.get("required", False)),
        unique=bool(spec.get("unique", False)),
        default=freeze(spec.get("default")),
        read_only=bool(spec.get("read_only", False)),
        indexed=bool(spec.get("indexed", False)),
        history_tracked=bool(spec.get("history_tracked", False)),
        hidden=bool(spec.get("hidden", False)),
        is_system=row.is_system,
        column=spec.get("column"),
        slot=row.slot or None,
        slot_ready=row.slot_ready,
        position=row.position,
        deleted=row.deleted_at is not None,
    )


def compile_category(row: RecordCategory) -> CategoryMeta:
    spec = row.spec or {}
    return CategoryMeta(
        id=row.id,
        api_name=row.api_name,
        labels=freeze(spec.get("labels", {})),
        required_fields=frozenset(spec.get("required_fields", ())),
        picklist_values=MappingProxyType({k: frozenset(v) for k, v in spec.get("picklist_values", {}).items()}),
        fields=tuple(spec.get("fields", ())),
        edit_layout=spec.get("edit_layout"),
        view_layout=spec.get("view_layout"),
        active=spec.get("active", True),
    )


def compile_layout(row: Layout) -> LayoutMeta:
    spec = row.spec or {}
    return LayoutMeta(
        id=row.id,
        api_name=row.api_name,
        kind=row.kind,
        labels=freeze(spec.get("labels", {})),
        category=spec.get("category"),
        is_default=bool(spec.get("is_default", False)),
        sections=tuple(
            LayoutSection(
                labels=freeze(section.get("labels", {})),
                columns=int(section.get("columns", 2)),
                items=tuple(
                    LayoutItem(field=i["field"], required=i.get("required", False), read_only=i.get("read_only", False))
                    for i in section.get("items", ())
                ),
            )
            for section in spec.get("sections", ())
        ),
        related_lists=tuple(
            RelatedList(
                object=r["object"], field=r["field"], columns=tuple(r.get("columns", ())),
                sort=tuple(r.get("sort", ())), labels=freeze(r.get("labels", {})),
            )
            for r in spec.get("related_lists", ())
        ),
        compact_fields=tuple(spec.get("compact_fields", ())),
        path_field=spec.get("path_field"),
    )


def compile_list_view(row: ListView) -> ListViewMeta:
    spec = row.spec or {}
    return ListViewMeta(
        id=row.id,
        api_name=row.api_name,
        labels=freeze(spec.get("labels", {})),
        owner_id=row.owner_id,
        columns=tuple(spec.get("columns", ())),
        filters=freeze(spec.get("filters", {})),
        sort=tuple(spec.get("sort", ())),
        widths=freeze(spec.get("widths", {})),
    )
