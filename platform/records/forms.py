"""The render-ready form descriptor of an object: what the UI needs to draw a create or edit form.

``form_descriptor(object, actor, layout=…, category=…, record_id=…, language=…)`` picks the layout
(the one asked for, else the category's edit layout, else the object's default edit layout), and
describes its sections and fields in the request language: label, help text, type, the type's
widget descriptor (choices with labels, colours and probabilities; for dependent picklists the
controlling field and the dependency map), whether the field is required (the field, the category
or the layout item says so) and read-only (the field, a computed or system field, the layout item,
or the permission service says so), and the current value when a record is given. Fields the
actor may not read are absent.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from metadata.meta import CategoryMeta, FieldMeta, LayoutItem, LayoutMeta, ObjectMeta, TenantMeta, pick_label
from tessera.errors import ValidationFailed
from tessera.records import service
from tessera.records.record import Record
from tessera.security.access import RecordAccess
from tessera.security.actor import Actor

from .serialize import api_value, field_value


def form_descriptor(object_api_name: str, actor: Actor, *, layout: str | None = None, category: str | None = None,
                    record_id: int | None = None, language: str | None = None) -> dict[str, Any]:
    tenant, obj = service.get_object_meta(object_api_name)
    access = service.access_for(actor)
    record = None
    if record_id is not None:
        lookups = [f.api_name for f in obj.fields if f.type.target(f) is not None and access.readable(obj, f)]
        record = service.get_record(object_api_name, record_id, actor, expand=lookups)
    else:
        access.require(obj, "create")
    chosen_category = _category(obj, category if category else (record.category if record else None),
                                explicit=bool(category), is_new=record is None)
    chosen_layout = _layout(obj, layout, chosen_category)
    shown = set(chosen_category.fields) if chosen_category and chosen_category.fields else None

    sections = []
    for section in chosen_layout.sections if chosen_layout else ():
        items = []
        for item in section.items:
            field = obj.field(item.field)
            if field is None or field.hidden or not access.readable(obj, field):
                continue
            if shown is not None and field.api_name not in shown and field.api_name != obj.name_field:
                continue
            items.append(_field(tenant, obj, field, item, chosen_category, record, access, language))
        if items:
            sections.append({"label": pick_label(section.labels, language), "columns": section.columns,
                             "fields": items})
    return {
        "object": {"api_name": obj.api_name, "label": obj.label(language),
                   "label_plural": obj.label(language, plural=True)},
        "layout": None if chosen_layout is None else {
            "api_name": chosen_layout.api_name, "label": pick_label(chosen_layout.labels, language),
            "kind": chosen_layout.kind},
        "language": language,
        "category": chosen_category.api_name if chosen_category else None,
        "categories": [{"value": c.api_name, "label": c.label(language)}
                       for c in obj.categories.values() if c.active],
        "record": None if record is None else {"id": record.id, "version": record.version,
                                               "category": record.category},
        "sections": sections,
    }


def _category(obj: ObjectMeta, name: str | None, *, explicit: bool, is_new: bool) -> CategoryMeta | None:
    if not name:
        return None
    category = obj.categories.get(name)
    if category is None or (explicit and is_new and not category.active):
        raise ValidationFailed.single("category", "invalid_choice", _("“%(value)s” is not a category of this object.")
                                      % {"value": name})
    return category


def _layout(obj: ObjectMeta, name: str | None, category: CategoryMeta | None) -> LayoutMeta | None:
    if name:
        layout = obj.layouts.get(name)
        if layout is None:
            raise ValidationFailed.single("layout", "unknown_layout", _("No layout named “%(name)s”.")
                                          % {"name": name})
        return layout
    return obj.default_layout("edit", category.api_name if category else None)


def _field(tenant: TenantMeta, obj: ObjectMeta, field: FieldMeta, item: LayoutItem, category: CategoryMeta | None,
           record: Record | None, access: RecordAccess, language: str | None) -> dict[str, Any]:
    writable = field.writable or field.api_name == "owner"
    read_only = not writable or item.read_only or not access.editable(obj, field)
    required = (not read_only and field.type.supports_required and not field.type.computed
                and (field.required or item.required
                     or (category is not None and field.api_name in category.required_fields)))
    widget = dict(field.type.widget_descriptor(field, language))
    if "choices" in widget:  # picklists
        widget["choices"] = _choices(field, widget["choices"], category, record)
    target_name = field.type.target(field)
    if target_name is not None:  # lookups
        target = tenant.objects.get(target_name)
        if target is not None:
            widget["target_label"] = target.label(language)
    descriptor = {
        "api_name": field.api_name,
        "label": field.label(language),
        "help_text": pick_label(field.help_text, language),
        "type": field.type.key,
        "widget": widget,
        "required": required,
        "read_only": read_only,
    }
    descriptor["value"] = field_value(record, field) if record is not None else _initial_value(field, access)
    return descriptor


def _initial_value(field: FieldMeta, access: RecordAccess) -> Any:
    """What a new record starts with: the field's default; the owner is the one creating it."""
    if field.api_name == "owner":
        return access.user_id
    if field.type.computed or field.column is not None or not field.type.supports_default:
        return api_value(field, None)
    try:
        return api_value(field, field.type.default_value(field))
    except ValueError:
        return api_value(field, None)


def _choices(field: FieldMeta, choices: list[dict], category: CategoryMeta | None, record: Record | None) -> list:
    """Inactive values and values the category does not allow are not offered, except the value the
    record holds (so the form can still show it)."""
    held = record.values.get(field.api_name) if record is not None else None
    held = set(held) if isinstance(held, tuple) else {held}
    allowed = category.picklist_values.get(field.api_name) if category is not None else None
    return [c for c in choices
            if c["value"] in held or (c.get("active", True) and (allowed is None or c["value"] in allowed))]
