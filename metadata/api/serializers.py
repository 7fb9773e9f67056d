"""Metadata snapshots → JSON: the one place that shapes metadata for the API.

Plain functions over the immutable snapshots `get_meta()` returns (never over ORM rows), so a
response always shows what the runtime enforces. Labels are returned in every language; the UI
picks one. Nested labels that are empty are left out, so a client can send a section or a related
list it read back unchanged (the schemas want at least one language when labels are given).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from metadata.fieldtypes import FieldType
from metadata.labels import in_every_language
from metadata.meta import CategoryMeta, FieldMeta, LayoutMeta, ListViewMeta, ObjectMeta, thaw
from metadata.services.fields import index_states
from metadata.services.list_views import visible_list_views

if TYPE_CHECKING:
    from metadata.models import MetadataChange


def _labels(labels: Mapping[str, Any] | None) -> dict:
    return thaw(labels) if labels else {}


def _with_labels(labels: Mapping[str, Any] | None, body: dict) -> dict:
    """`body` with its `labels` when there are any."""
    return {"labels": thaw(labels), **body} if labels else body


def object_summary(obj: ObjectMeta) -> dict:
    return {
        "api_name": obj.api_name,
        "labels": _labels(obj.labels),
        "description": obj.description,
        "icon": obj.icon,
        "is_standard": obj.is_standard,
        "name_field": obj.name_field,
        "sharing_model": obj.spec.get("sharing_model", "public_read_write"),
        "field_count": len(obj.fields),
    }


def object_detail(obj: ObjectMeta, *, viewer_id: int | None, version: int,
                  fields: Iterable[FieldMeta] | None = None,
                  definition: Callable[[FieldMeta], bool] | None = None,
                  rule_visible: Callable[[Mapping[str, Any]], bool] | None = None) -> dict:
    """The object with everything defined on it; list views are those `viewer_id` may see; `fields`
    those the viewer may know about (default: all); `definition(field)` whether the viewer may see
    how a computed field is made, `rule_visible(rule)` a validation rule's formula (default: yes)."""
    spec = thaw(obj.spec)
    return {
        **object_summary(obj),
        "metadata_version": version,
        "duplicate_rules": spec.get("duplicate_rules", []),
        "validation_rules": [r for r in spec.get("validation_rules", []) if rule_visible is None or rule_visible(r)],
        "fields": fields_json(obj.fields if fields is None else fields, definition=definition),
        "categories": [category_json(c) for c in obj.categories.values()],
        "layouts": [layout_json(layout) for layout in obj.layouts.values()],
        "list_views": [list_view_json(v) for v in visible_list_views(obj, viewer_id)],
    }


def fields_json(fields: Iterable[FieldMeta], *, definition: Callable[[FieldMeta], bool] | None = None) -> list[dict]:
    """The fields; `definition(field)`: whether the reader may see how a computed one is made
    (default: yes; see field_json)."""
    fields = list(fields)
    states = index_states(fields)  # one query for all
    return [field_json(f, index_state=states.get(f.id), definition=definition is None or definition(f))
            for f in fields]


def field_json(field: FieldMeta, *, index_state: str | None | object = ..., definition: bool = True) -> dict:
    """The field; `index_state` (building, ready, failed; null without an index) is looked up when
    not given. `indexed` stays what was asked for, `index_state` says what there is. Without
    `definition`, the options saying how a computed value is made (a formula's text, a roll-up's
    source: the field type's definition_options) are left out."""
    if index_state is ...:
        index_state = index_states([field]).get(field.id)
    options = thaw(field.options)
    if not definition:
        options = {k: v for k, v in options.items() if k not in field.type.definition_options}
    return {
        "api_name": field.api_name,
        "type": field.type.key,
        "labels": _labels(field.labels),
        "help_text": _labels(field.help_text),
        "options": options,
        "required": field.required,
        "unique": field.unique,
        "default": thaw(field.default),
        "read_only": field.read_only,
        "indexed": field.indexed,
        "index_state": index_state,
        "history_tracked": field.history_tracked,
        "hidden": field.hidden,
        "is_system": field.is_system,
        "computed": field.type.computed,
        "writable": field.writable,
        "position": field.position,
        "deleted": field.deleted,
    }


def picklist_values_json(field: FieldMeta) -> dict:
    return {"field": field.api_name, "values": thaw(field.options.get("values", ()))}


def dependency_json(field: FieldMeta) -> dict:
    return {
        "field": field.api_name,
        "controlling_field": field.options.get("controlling_field"),
        "dependency": thaw(field.options.get("dependency")),
    }


def category_json(category: CategoryMeta) -> dict:
    return {
        "api_name": category.api_name,
        "labels": _labels(category.labels),
        "active": category.active,
        "required_fields": sorted(category.required_fields),
        "fields": list(category.fields),
        "picklist_values": {name: sorted(keys) for name, keys in category.picklist_values.items()},
        "edit_layout": category.edit_layout,
        "view_layout": category.view_layout,
    }


def layout_json(layout: LayoutMeta) -> dict:
    return {
        "api_name": layout.api_name,
        "kind": layout.kind,
        "labels": _labels(layout.labels),
        "category": layout.category,
        "is_default": layout.is_default,
        "sections": [
            _with_labels(section.labels, {
                "columns": section.columns,
                "items": [{"field": i.field, "required": i.required, "read_only": i.read_only}
                          for i in section.items],
            })
            for section in layout.sections
        ],
        "related_lists": [
            _with_labels(related.labels, {"object": related.object, "field": related.field,
                                          "columns": list(related.columns), "sort": list(related.sort)})
            for related in layout.related_lists
        ],
    }


def list_view_json(view: ListViewMeta) -> dict:
    return {
        "api_name": view.api_name,
        "labels": _labels(view.labels),
        "shared": view.owner_id is None,
        "owner": view.owner_id,
        "columns": list(view.columns),
        "filters": thaw(view.filters),
        "sort": list(view.sort),
    }


def field_type_json(field_type: FieldType) -> dict:
    return {
        "key": field_type.key,
        "labels": in_every_language(field_type.label),
        "widget": field_type.widget,
        "capabilities": {
            "supports_unique": field_type.supports_unique,
            "supports_required": field_type.supports_required,
            "supports_default": field_type.supports_default,
            "sortable": field_type.sortable,
            "filter_ops": sorted(field_type.filter_ops),
            "computed": field_type.computed,
        },
        "options_schema": field_type.options_schema,
        "converts_to": sorted(field_type.converts_to),
    }


def change_json(change: MetadataChange) -> dict:
    """A MetadataChange row (the change history is not part of the snapshot)."""
    user = change.changed_by
    return {
        "id": change.pk,
        "version": change.version,
        "changed_at": change.changed_at.isoformat().replace("+00:00", "Z"),
        "changed_by": None if user is None else {"id": user.pk, "email": user.email, "name": str(user)},
        "entity": change.entity,
        "entity_id": change.entity_id,
        "action": change.action,
        "before": change.before,
        "after": change.after,
    }


def report_json(report: Any) -> dict:
    return report.as_dict()
