"""Create and change objects."""

from __future__ import annotations

import copy

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from metadata import schemas
from metadata.cache import get_meta
from metadata.labels import in_every_language
from metadata.meta import ObjectMeta
from metadata.models import Layout, ListView, ObjectDef
from metadata.versioning import lock_metadata, record_change
from tessera.errors import ErrorCollector
from tessera.records import indexing, storage
from tessera.security.access import require_customise
from tessera.security.actor import Actor
from tessera.security.services.forget import forget_object

from .common import RESERVED_OBJECT_NAMES, get_object, merged
from .fields import create_system_fields, validate_rules

#: Spec keys an update may change (api_name and the name field are fixed at creation).
UPDATABLE = ("labels", "description", "icon", "duplicate_rules", "validation_rules", "sharing_model", "color",
             "nav_order", "in_navigation", "in_search", "custom_links")


def create_object(spec: dict, actor: Actor, *, is_standard: bool = False) -> ObjectMeta:
    require_customise(actor)
    errors = ErrorCollector()
    schemas.collect("object", spec, errors)
    errors.raise_if_any()
    api_name = spec["api_name"]
    if api_name in RESERVED_OBJECT_NAMES:
        errors.add("api_name", "reserved", _("“%(name)s” is reserved.") % {"name": api_name})
    errors.raise_if_any()

    with transaction.atomic():
        lock_metadata()
        if ObjectDef.objects.filter(api_name=api_name).exists():
            errors.add("api_name", "taken", _("An object named “%(name)s” exists already.") % {"name": api_name})
            errors.raise_if_any()
        stored = {k: copy.deepcopy(v) for k, v in spec.items() if k not in ("api_name", "name_field")}
        name_spec = dict(spec.get("name_field") or {})
        name_spec.setdefault("api_name", "name")
        stored["name_field"] = name_spec["api_name"]
        # The org-wide default for records (tessera.security.access): standard objects private.
        stored.setdefault("sharing_model", "private" if is_standard else "public_read_write")
        obj = ObjectDef.objects.create(api_name=api_name, is_standard=is_standard, spec=stored)
        with connection.cursor() as cursor:
            storage.create_partition(cursor, obj.id)
        create_system_fields(obj, name_spec)
        _create_default_layouts(obj, name_spec["api_name"])
        rule_errors = validate_rules(get_meta().objects[api_name], stored)
        rule_errors.raise_if_any()
        record_change(entity="object", action="create", entity_id=obj.id, after=spec, user=actor)
    return get_meta().objects[api_name]


def update_object(api_name: str, changes: dict, actor: Actor) -> ObjectMeta:
    require_customise(actor)
    errors = ErrorCollector()
    unknown = sorted(set(changes) - set(UPDATABLE))
    for key in unknown:
        errors.add(key, "immutable", _("This property cannot be changed."))
    errors.raise_if_any()
    with transaction.atomic():
        lock_metadata()
        obj_meta = get_object(api_name)
        row = ObjectDef.objects.select_for_update().get(pk=obj_meta.id)
        before = copy.deepcopy(row.spec)
        spec = merged(row.spec, changes)
        stored_form = {k: v for k, v in spec.items() if k != "name_field"}
        schemas.collect("object", {**stored_form, "api_name": api_name}, errors)
        errors.raise_if_any()
        rule_errors = validate_rules(obj_meta, spec)
        rule_errors.raise_if_any()
        row.spec = spec
        row.save(update_fields=["spec", "updated_at"])
        if "duplicate_rules" in changes:
            indexing.ensure_duplicate_indexes(get_meta().objects[api_name])
        record_change(entity="object", action="update", entity_id=row.id, before=before, after=spec, user=actor)
    return get_meta().objects[api_name]


def delete_object(api_name: str, actor: Actor, *, confirm_name: str) -> None:
    """Delete a custom object with its records, for good: refused for standard objects, while
    another object's lookup or roll-up refers to it (metadata.services.usage.object_usage lists
    them), and unless `confirm_name` repeats its api_name or one of its labels. Related lists
    showing it are taken off other objects' layouts; profiles and permission sets forget it."""
    require_customise(actor)
    errors = ErrorCollector()
    with transaction.atomic():
        lock_metadata()
        tenant = get_meta()
        obj = get_object(api_name, tenant)
        if obj.is_standard:
            errors.add(None, "standard_object", _("A standard object cannot be deleted; hide it from navigation instead."))
        if confirm_name.strip() not in {api_name, *(v.get("singular", "") for v in obj.labels.values())} - {""}:
            errors.add("confirm_name", "mismatch", _("Type the object's name to confirm."))
        for other in tenant.objects.values():
            if other is not obj and any(f.type.target(f) == api_name or any(o == api_name for o, _f in f.type.depends_on(f))
                                        for f in other.fields):
                errors.add(None, "in_use", _("%(object)s refers to this object; remove that field first.")
                           % {"object": other.label()})
        errors.raise_if_any()
        row = ObjectDef.objects.get(pk=obj.id)
        before = {"api_name": api_name, **copy.deepcopy(row.spec)}
        _forget_object(obj)
        with connection.cursor() as cursor:
            storage.drop_partition(cursor, obj.id)
        row.delete()
        record_change(entity="object", action="delete", entity_id=obj.id, before=before, user=actor)


def _forget_object(obj: ObjectMeta) -> None:
    """Take a deleted object off what names it outside its own rows."""
    for layout in Layout.objects.exclude(object_id=obj.id):
        related = layout.spec.get("related_lists") or []
        kept = [r for r in related if r.get("object") != obj.api_name]
        if kept != related:
            layout.spec["related_lists"] = kept
            layout.save(update_fields=["spec"])
    forget_object(obj.id, obj.api_name)


def system_section() -> dict:
    """The view layout's section of the audit fields (every object's, the standard ones' too)."""
    return {
        "labels": in_every_language(gettext_lazy("System information")),
        "columns": 2,
        "items": [{"field": f} for f in ("created_by", "created_at", "updated_by", "updated_at")],
    }


def _create_default_layouts(obj: ObjectDef, name_field: str) -> None:
    """The layouts and the list view a new object starts with; their labels are UI strings, stored
    per language as tenant metadata (tenants relabel them like their own)."""
    section = {
        "labels": in_every_language(gettext_lazy("Details")),
        "columns": 2,
        "items": [{"field": name_field}, {"field": "owner"}],
    }
    Layout.objects.create(object=obj, api_name="default_edit", kind="edit",
                          spec={"labels": in_every_language(gettext_lazy("Default edit")), "is_default": True,
                                "sections": [section]})
    Layout.objects.create(object=obj, api_name="default_view", kind="view",
                          spec={"labels": in_every_language(gettext_lazy("Default view")), "is_default": True,
                                "sections": [section, system_section()]})
    ListView.objects.create(object=obj, api_name="all", owner=None,
                            spec={"labels": in_every_language(pgettext_lazy("list view", "All")), "shared": True,
                                  "columns": [name_field, "owner", "created_at"], "sort": ["-created_at"]})
