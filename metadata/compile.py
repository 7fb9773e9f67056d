"""Compile the metadata rows of the current schema into an immutable TenantMeta."""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType, SimpleNamespace

from django.db import connection
from django.db.models import QuerySet

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


def compile_tenant_meta(schema: str, version: int, token: str) -> TenantMeta:
    # Plain rows (`values()`), not model instances: compiling runs after every metadata change.
    objects = _rows(ObjectDef.objects.order_by("id"), "id", "api_name", "is_standard", "spec")
    fields_by_object = _group(_rows(FieldDef.objects.order_by("position", "id"), "id", "object_id", "api_name",
                                    "type", "key", "is_system", "position", "slot", "slot_ready", "spec",
                                    "deleted_at"))
    categories = _group(_rows(RecordCategory.objects.order_by("position", "id"), "id", "object_id", "api_name",
                              "spec"))
    layouts = _group(_rows(Layout.objects.order_by("id"), "id", "object_id", "api_name", "kind", "spec"))
    # Shared views only: a personal view is one user's preference, read with that user's requests
    # (metadata.services.list_views.visible_list_views), so saving one changes no tenant snapshot.
    list_views = _group(_rows(ListView.objects.filter(owner__isnull=True).order_by("id"), "id", "object_id",
                              "api_name", "owner_id", "spec"))

    compiled = {}
    for obj in objects:
        spec = obj.spec or {}
        rows = fields_by_object.get(obj.id, [])
        active = tuple(compile_field(row, obj) for row in rows if row.deleted_at is None)
        deleted = tuple(compile_field(row, obj) for row in rows if row.deleted_at is not None)
        compiled[obj.api_name] = ObjectMeta(
            id=obj.id,
            api_name=obj.api_name,
            labels=freeze(spec.get("labels", {})),
            description=spec.get("description", ""),
            icon=spec.get("icon", ""),
            is_standard=obj.is_standard,
            name_field=spec.get("name_field", "name"),
            table=partition_name(obj.id),
            fields=active,
            deleted_fields=deleted,
            categories=MappingProxyType({c.api_name: compile_category(c) for c in categories.get(obj.id, [])}),
            layouts=MappingProxyType({lay.api_name: compile_layout(lay) for lay in layouts.get(obj.id, [])}),
            list_views=tuple(compile_list_view(v) for v in list_views.get(obj.id, [])),
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
    tenant = getattr(connection, "tenant", None)
    return TenantMeta(
        schema=schema,
        version=version,
        token=token,
        currency=getattr(tenant, "currency", None) or "CNY",
        time_zone=getattr(tenant, "time_zone", None) or "Asia/Shanghai",
        objects=MappingProxyType(compiled),
        fiscal_year_start_month=getattr(tenant, "fiscal_year_start_month", None) or 1,
        languages=tuple(getattr(tenant, "languages", None) or ui_languages()),
    )


def _rows(queryset: QuerySet, *names: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(**row) for row in queryset.values(*names)]


def _group(queryset: Iterable[SimpleNamespace]) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in queryset:
        grouped.setdefault(row.object_id, []).append(row)
    return grouped


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
