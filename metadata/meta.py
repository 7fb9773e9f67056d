"""Immutable snapshots of a tenant's metadata: what the runtime reads (through `metadata.cache`).

Frozen dataclasses, not ORM objects: a snapshot is compiled once per (tenant, metadata version) and
shared by every request of the process, so nothing may mutate it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.conf import settings

from .labels import ui_languages

if TYPE_CHECKING:
    from .fieldtypes.base import FieldType

def freeze(value: Any) -> Any:
    """Deep-freeze JSON-like data: dicts become read-only mappings, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of freeze(), for JSON output."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def pick_label(labels: Mapping[str, str], language: str | None) -> str:
    """The label in `language` (one of the UI languages: any other zh-* reads zh-hans, any other
    language English), falling back to the default language's (as Django's gettext falls back to
    LANGUAGE_CODE's catalogue), then to any label, then to ''."""
    language = (language or settings.LANGUAGE_CODE).lower()
    if language not in ui_languages():
        language = "zh-hans" if language.startswith("zh") else "en"
    return labels.get(language) or labels.get(settings.LANGUAGE_CODE) or next((v for v in labels.values() if v), "")


@dataclass(frozen=True, eq=False)
class FieldMeta:
    id: int
    object_id: int
    object_api_name: str
    api_name: str
    key: str
    type: FieldType
    labels: Mapping[str, str]
    help_text: Mapping[str, str]
    options: Mapping[str, Any]
    required: bool = False
    unique: bool = False
    default: Any = None
    read_only: bool = False
    indexed: bool = False
    history_tracked: bool = False
    hidden: bool = False
    is_system: bool = False
    #: A real column of the record table holding this field (system fields, the name field).
    column: str | None = None
    #: A typed projection column holding a copy of the value, and whether it is complete.
    slot: str | None = None
    slot_ready: bool = False
    position: int = 0
    deleted: bool = False

    def label(self, language: str | None = None) -> str:
        return pick_label(self.labels, language) or self.api_name

    @property
    def writable(self) -> bool:
        """Whether a client may ever write this field (read-only and computed fields are not)."""
        return not (self.read_only or self.type.computed or self.column not in (None, "name"))


@dataclass(frozen=True, eq=False)
class CategoryMeta:
    id: int
    api_name: str
    labels: Mapping[str, str]
    required_fields: frozenset[str]
    #: field api_name → allowed picklist keys in this category (absent: all values allowed)
    picklist_values: Mapping[str, frozenset[str]]
    #: field api_names shown in this category (empty: all)
    fields: tuple[str, ...]
    edit_layout: str | None
    view_layout: str | None
    active: bool = True

    def label(self, language: str | None = None) -> str:
        return pick_label(self.labels, language) or self.api_name


@dataclass(frozen=True, eq=False)
class LayoutItem:
    field: str
    required: bool = False
    read_only: bool = False


@dataclass(frozen=True, eq=False)
class LayoutSection:
    labels: Mapping[str, str]
    columns: int
    items: tuple[LayoutItem, ...]


@dataclass(frozen=True, eq=False)
class RelatedList:
    object: str
    field: str
    columns: tuple[str, ...]
    sort: tuple[str, ...]
    labels: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class LayoutMeta:
    id: int
    api_name: str
    kind: str
    labels: Mapping[str, str]
    category: str | None
    is_default: bool
    sections: tuple[LayoutSection, ...]
    related_lists: tuple[RelatedList, ...]
    #: Fields shown in a record's header and on its kanban card (a view layout's choice).
    compact_fields: tuple[str, ...] = ()
    #: The picklist whose values a record page shows as a path bar (stage), advanced in one click.
    path_field: str | None = None


@dataclass(frozen=True, eq=False)
class ListViewMeta:
    id: int
    api_name: str
    labels: Mapping[str, str]
    owner_id: int | None
    columns: tuple[str, ...]
    filters: Mapping[str, Any]
    sort: tuple[str, ...]
    widths: Mapping[str, int] = field(default_factory=dict)  # column → width in CSS pixels


@dataclass(frozen=True, eq=False)
class DuplicateRule:
    api_name: str
    fields: tuple[str, ...]
    action: str  # "block" | "warn"
    labels: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class ObjectMeta:
    id: int
    api_name: str
    labels: Mapping[str, Mapping[str, str]]  # language → {"singular", "plural"}
    description: str
    icon: str
    is_standard: bool
    name_field: str
    #: The record table partition holding this object's records.
    table: str
    fields: tuple[FieldMeta, ...]
    deleted_fields: tuple[FieldMeta, ...]
    categories: Mapping[str, CategoryMeta]
    layouts: Mapping[str, LayoutMeta]
    list_views: tuple[ListViewMeta, ...]
    duplicate_rules: tuple[DuplicateRule, ...]
    spec: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @cached_property
    def fields_by_name(self) -> Mapping[str, FieldMeta]:
        return MappingProxyType({f.api_name: f for f in self.fields})

    @cached_property
    def fields_by_key(self) -> Mapping[str, FieldMeta]:
        return MappingProxyType({f.key: f for f in self.fields})

    def field(self, api_name: str) -> FieldMeta | None:
        return self.fields_by_name.get(api_name)

    def label(self, language: str | None = None, *, plural: bool = False) -> str:
        lang_labels = {lang: (v.get("plural" if plural else "singular") or "") for lang, v in self.labels.items()}
        return pick_label(lang_labels, language) or self.api_name

    def default_layout(self, kind: str, category: str | None = None) -> LayoutMeta | None:
        if category and category in self.categories:
            name = getattr(self.categories[category], f"{kind}_layout")
            if name and name in self.layouts:
                return self.layouts[name]
        candidates = [layout for layout in self.layouts.values() if layout.kind == kind]
        return next((layout for layout in candidates if layout.is_default), candidates[0] if candidates else None)


@dataclass(frozen=True, eq=False)
class TenantMeta:
    schema: str
    version: int
    token: str
    currency: str
    time_zone: str
    objects: Mapping[str, ObjectMeta]
    #: The organisation's settings (tenants.organization): the month its fiscal year starts in
    #: (relative periods, reports) and the UI languages it offers.
    fiscal_year_start_month: int = 1
    languages: tuple[str, ...] = ()

    @cached_property
    def objects_by_id(self) -> Mapping[int, ObjectMeta]:
        return MappingProxyType({o.id: o for o in self.objects.values()})

    def object(self, api_name: str) -> ObjectMeta | None:
        return self.objects.get(api_name)
