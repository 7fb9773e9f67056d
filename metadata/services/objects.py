"""Create and change objects."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from metadata import schemas
from metadata.cache import get_meta
from metadata.compile import compile_field
from metadata.labels import in_every_language
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from metadata.models import FieldDef, Layout, ListView, ObjectDef
from metadata.versioning import lock_metadata, record_change
from tessera.errors import ErrorCollector, NotFound, ValidationFailed
from tessera.records import indexing, repository, storage
from tessera.security.access import require_customise
from tessera.security.actor import Actor
from tessera.security.services.forget import forget_object, forget_object_records, remember_object

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
    """Delete a custom object: refused for standard objects, while another object's lookup or
    roll-up refers to it (metadata.services.usage.object_usage lists them), and unless
    `confirm_name` repeats its api_name or one of its labels.

    The deletion is soft, like a field's: the object leaves the metadata (and so every page, the
    API, search and reports) but its row, fields, layouts, categories, list views and records stay
    until `purge_deleted_objects` removes them after `retention_days()`, so reverting the change in
    the history (`restore_object`) brings it all back. What names it elsewhere is taken off and
    kept on its row for the restore: related lists on other objects' layouts, sharing rules, and
    profiles' and permission sets' rights."""
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
        for other in _referring(tenant, obj):
            errors.add(None, "in_use", _("%(object)s refers to this object; remove that field first.")
                       % {"object": other.label()})
        errors.raise_if_any()
        row = ObjectDef.objects.select_for_update().get(pk=obj.id)
        before = {"api_name": api_name, **copy.deepcopy(row.spec)}
        # The live records are counted once, here, for the history to say what a restore brings back
        # (they cannot change while the object is deleted).
        row.kept = {"related_lists": _take_related_lists(obj), **forget_object(obj.id, obj.api_name),
                    "records": repository.live_count(obj.id)}
        row.deleted_at = timezone.now()
        row.save(update_fields=["kept", "deleted_at", "updated_at"])
        record_change(entity="object", action="delete", entity_id=obj.id, before=before, user=actor)


def restore_object(object_id: int, actor: Actor) -> ObjectMeta:
    """Bring a deleted object back as it was deleted (fields, layouts, categories, list views,
    records with their history and shares) and put back what its deletion took off other
    definitions. Refused once it has been purged, when an object of its name exists again, or
    when an object it refers to (a lookup's or roll-up's target) is gone. What cannot be put back
    (a related list whose layout, a right whose profile, a sharing rule whose department or role
    was deleted meanwhile) is counted in the change, as `not_restored`, for the history to show."""
    require_customise(actor)
    with transaction.atomic():
        lock_metadata()
        row = ObjectDef.with_deleted.select_for_update().filter(pk=object_id, deleted_at__isnull=False).first()
        if row is None:
            raise NotFound(_("This object is not among the deleted objects (restored already, or removed for good)."),
                           code="unknown_object")
        tenant = get_meta()
        if tenant.object(row.api_name) is not None:
            raise ValidationFailed.single("api_name", "taken", _("An object named “%(name)s” exists again.")
                                          % {"name": row.api_name})
        missing = sorted({target for field in FieldDef.objects.filter(object_id=row.id, deleted_at__isnull=True)
                          for target in _targets(compile_field(field, row))} - set(tenant.objects) - {row.api_name})
        if missing:
            raise ValidationFailed.single(None, "target_gone", _("It refers to objects that no longer exist: "
                                                                  "%(names)s.") % {"names": ", ".join(missing)})
        kept = row.kept or {}
        row.deleted_at, row.kept = None, {}
        row.save(update_fields=["deleted_at", "kept", "updated_at"])
        lost = _put_back_related_lists(kept.get("related_lists") or {}) + remember_object(row.id, row.api_name, kept)
        after = {"api_name": row.api_name, **copy.deepcopy(row.spec), **({"not_restored": lost} if lost else {})}
        record_change(entity="object", action="restore", entity_id=row.id, after=after, user=actor)
    return get_meta().objects[row.api_name]


@dataclass(frozen=True)
class KeptObject:
    """A deleted object while it is kept: what restoring it brings back, and until when it can."""

    api_name: str
    fields: int
    layouts: int
    categories: int
    list_views: int
    records: int
    kept_until: dt.datetime


def kept_object(object_id: int) -> KeptObject | None:
    """The deleted object of this id, while it is kept (None: live, or removed for good)."""
    row = ObjectDef.with_deleted.filter(pk=object_id, deleted_at__isnull=False).first()
    if row is None or row.deleted_at is None:
        return None
    return KeptObject(
        api_name=row.api_name, fields=row.fields.filter(deleted_at__isnull=True, is_system=False).count(),
        layouts=row.layouts.count(), categories=row.categories.count(),
        list_views=row.list_views.filter(owner__isnull=True).count(), records=int((row.kept or {}).get("records", 0)),
        kept_until=row.deleted_at + dt.timedelta(days=retention_days()))


def retention_days() -> int:
    """How long a deleted object can be restored (TESSERA_DELETED_OBJECT_DAYS; by default as long
    as the recycle bin keeps records)."""
    return int(getattr(settings, "TESSERA_DELETED_OBJECT_DAYS", getattr(settings, "TESSERA_RECYCLE_BIN_DAYS", 30)))


def purge_deleted_objects(now: dt.datetime | None = None) -> list[str]:
    """Remove for good the objects deleted more than `retention_days()` ago, with their records
    (the partition), the records' history and shares, and their definitions; returns their
    api_names. Run by housekeeping in every tenant's schema (tessera.records.tasks)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    purged = []
    with transaction.atomic():
        for row in ObjectDef.with_deleted.select_for_update().filter(deleted_at__lt=cutoff).order_by("id"):
            with connection.cursor() as cursor:
                storage.drop_partition(cursor, row.id)
            forget_object_records(row.id)
            row.delete()
            purged.append(row.api_name)
    return purged


def _referring(tenant: TenantMeta, obj: ObjectMeta) -> list[ObjectMeta]:
    """The other objects with a field that refers to `obj` (a lookup to it, a roll-up over it)."""
    return [other for other in tenant.objects.values()
            if other is not obj and any(obj.api_name in _targets(f) for f in other.fields)]


def _targets(field: FieldMeta) -> set[str]:
    """The objects a field refers to: its lookup's target, the objects its roll-up reads."""
    return {name for name in (field.type.target(field), *(o for o, _f in field.type.depends_on(field))) if name}


def _take_related_lists(obj: ObjectMeta) -> dict[str, list]:
    """Take the related lists showing `obj` off other objects' layouts; layout id → those taken."""
    taken = {}
    for layout in Layout.objects.exclude(object_id=obj.id):
        related = layout.spec.get("related_lists") or []
        kept = [r for r in related if r.get("object") != obj.api_name]
        if kept != related:
            taken[str(layout.pk)] = [r for r in related if r.get("object") == obj.api_name]
            layout.spec["related_lists"] = kept
            layout.save(update_fields=["spec"])
    return taken


def _put_back_related_lists(taken: dict[str, list]) -> int:
    """The related lists a deletion took, back at the end of the layouts that still exist; returns
    how many could not come back (their layout was deleted meanwhile)."""
    layouts = list(Layout.objects.filter(pk__in=[int(pk) for pk in taken]))
    for layout in layouts:
        related = layout.spec.setdefault("related_lists", [])
        related += [r for r in taken[str(layout.pk)] if r not in related]
        layout.save(update_fields=["spec"])
    return sum(len(lists) for pk, lists in taken.items() if int(pk) not in {layout.pk for layout in layouts})


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
