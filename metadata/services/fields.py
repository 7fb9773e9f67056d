"""Add, change, delete and restore fields; change a field's type after a dry run.

A field's storage follows from its spec: a typed projection slot and a btree index when it is
indexed, unique or a lookup (see tessera.records.indexing), a unique index when unique, a sequence
for an auto-number. Adding a field rewrites no record, whatever the object's size.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from metadata import custom_links, schemas
from metadata.cache import get_meta
from metadata.compile import compile_field
from metadata.fieldtypes import FieldType, FieldValueError, OptionsContext, field_types
from metadata.fieldtypes.lookup import SOURCE_KEY
from metadata.formula_scope import MetaScope
from metadata.formulas import FormulaError, FormulaType, compile_formula
from metadata.labels import in_every_language
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from metadata.models import FieldDef, Layout, ListView, ObjectDef, RecordCategory
from metadata.versioning import lock_metadata, record_change
from tessera.core.jobs import queue_job
from tessera.errors import ErrorCollector, NotFound, ValidationFailed
from tessera.records import field_values, indexing, lookup_filters
from tessera.registry import Registry
from tessera.security.access import require_customise
from tessera.security.actor import Actor

from .common import RESERVED_FIELD_NAMES, get_object, merged
from .formula_fields import check_formula_field, check_validation_rules

#: Spec properties stored in FieldDef.spec (api_name, type live in columns).
SPEC_KEYS = ("labels", "help_text", "required", "unique", "default", "read_only", "indexed", "history_tracked",
             "hidden", "options")
#: What may change on a field kept in a system column (owner, audit fields, the name field):
#: relabel, hide, reorder. Standard objects' other fields may change too, but never be deleted.
SYSTEM_FIELD_CHANGES = frozenset({"labels", "help_text", "hidden", "position", "history_tracked"})
#: What the name field may change besides: its options, and being unique (a key to upsert on and
#: to give lookups by).
NAME_FIELD_CHANGES = frozenset({"options", "unique"})

#: The owner and audit fields every object gets: (api_name, type, column, label, position). The labels
#: are UI strings, stored as the new field's per-language labels (tenants may relabel them).
SYSTEM_FIELDS = (
    ("owner", "user", "owner_id", gettext_lazy("Owner"), 900),
    ("created_by", "user", "created_by", gettext_lazy("Created by"), 901),
    ("created_at", "datetime", "created_at", gettext_lazy("Created at"), 902),
    ("updated_by", "user", "updated_by", gettext_lazy("Last modified by"), 903),
    ("updated_at", "datetime", "updated_at", gettext_lazy("Last modified at"), 904),
)
#: The name field's label when the object's spec gives none.
NAME_LABEL = pgettext_lazy("field", "Name")


# --- creation of an object's own fields --------------------------------------------------------


def create_system_fields(obj: ObjectDef, name_spec: dict) -> None:
    """The name field (stored in the `name` column) and the owner and audit fields."""
    name_type = name_spec.get("type", "text")
    field_type = field_types.get(name_type)
    name_options = name_spec.get("options") or field_type.default_options()
    errors = ErrorCollector()
    schemas.collect(schemas.options_validator(field_type), name_options, errors, prefix="name_field.options")
    errors.raise_if_any()
    context = OptionsContext(tenant=get_meta(), object_api_name=obj.api_name, field_api_name=name_spec["api_name"],
                             sibling_fields={}, current=None)
    for code, message in field_type.check_options(name_options, context):
        errors.add("name_field.options", code, message)
    errors.raise_if_any()
    name = _new_field_row(obj, name_spec["api_name"], name_type, is_system=True, position=0, spec={
        "labels": name_spec.get("labels") or in_every_language(NAME_LABEL),
        "required": field_type.supports_required,
        "column": "name",
        "options": name_options,
    })
    field_type.after_field_created(compile_field(name, obj))
    for api_name, type_key, column, labels, position in SYSTEM_FIELDS:
        _new_field_row(obj, api_name, type_key, is_system=True, position=position,
                       spec={"labels": in_every_language(labels), "column": column,
                             "read_only": column != "owner_id"})


def _new_field_row(obj: ObjectDef, api_name: str, type_key: str, *, is_system: bool, position: int,
                   spec: dict) -> FieldDef:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('metadata_fielddef', 'id'))")
        field_id = cursor.fetchone()[0]
    return FieldDef.objects.create(
        id=field_id, object=obj, api_name=api_name, type=type_key, key=f"f{field_id}", is_system=is_system,
        position=position, spec=spec,
    )


def index_states(fields: Iterable[FieldMeta]) -> dict[int, str]:
    """field id → "building", "ready" or "failed" for those of `fields` that have an index (at most
    one query: see tessera.records.indexing.index_states)."""
    return indexing.index_states(fields)


# --- checking a field spec ---------------------------------------------------------------------


def _check_spec(obj: ObjectMeta, spec: dict, *, current: FieldMeta | None,
                tenant: TenantMeta) -> tuple[FieldMeta | None, ErrorCollector]:
    """Validate a whole field spec (as it will be stored) and return it compiled (None when it is not
    valid enough to compile), with the errors.

    Derived options (a roll-up's result type) are filled into `spec` in place.
    """
    errors = ErrorCollector()
    schemas.collect("field", spec, errors)
    if errors:
        return None, errors
    type_key = spec["type"]
    if type_key not in field_types:
        errors.add("type", "unknown_type", _("Unknown field type “%(type)s”.") % {"type": type_key})
        return None, errors
    field_type = field_types.get(type_key)
    if isinstance(spec.get("options"), dict):
        spec["options"] = field_type.derived_options(spec["options"], tenant)
    schemas.collect(schemas.options_validator(field_type), spec.get("options", {}), errors, prefix="options")
    if errors:
        return None, errors

    api_name = spec["api_name"]
    _check_name_and_flags(obj, spec, field_type, current=current, errors=errors)
    row = FieldDef(id=current.id if current else 0, object_id=obj.id, api_name=api_name, type=type_key,
                   key=current.key if current else "", is_system=current.is_system if current else False,
                   position=spec.get("position", current.position if current else 100),
                   slot=(current.slot or "") if current else "", slot_ready=current.slot_ready if current else False,
                   spec={k: spec[k] for k in SPEC_KEYS if k in spec} | (
                       {"column": current.column} if current and current.column else {}))
    compiled = compile_field(row, ObjectDef(id=obj.id, api_name=obj.api_name))
    siblings = {f.api_name: f for f in obj.fields if f.api_name != api_name} | {api_name: compiled}
    context = OptionsContext(tenant=tenant, object_api_name=obj.api_name, field_api_name=api_name,
                             sibling_fields=siblings, current=current)
    for code, message in field_type.check_options(compiled.options, context):
        errors.add("options", code, message)
    if not errors:
        lookup_filters.check_filter(tenant, compiled, siblings, errors)
    if "default" in spec and spec["default"] is not None:
        _check_default(field_type, spec["default"], compiled, errors)
    if not errors:
        check_formula_field(obj, compiled, siblings, errors, tenant)
    return compiled, errors


def _check_name_and_flags(obj: ObjectMeta, spec: dict, field_type: FieldType, *, current: FieldMeta | None,
                          errors: ErrorCollector) -> None:
    """A new field's api_name is free (deleted fields keep theirs); unique, required and indexed
    only where the type supports them."""
    api_name = spec["api_name"]
    if current is None:
        if api_name in RESERVED_FIELD_NAMES:
            errors.add("api_name", "reserved", _("“%(name)s” is reserved.") % {"name": api_name})
        elif obj.field(api_name) is not None or any(f.api_name == api_name for f in obj.deleted_fields):
            errors.add("api_name", "taken", _("This object has a field named “%(name)s” already (perhaps deleted).")
                       % {"name": api_name})
    _check_labels_free(obj, spec, current=current, errors=errors)
    if spec.get("unique") and not field_type.supports_unique:
        errors.add("unique", "unsupported", _("A field of this type cannot be unique."))
    if spec.get("required") and not field_type.supports_required:
        errors.add("required", "unsupported", _("A field of this type cannot be required."))
    if spec.get("indexed") and not (field_type.slot_family or field_type.sortable) :
        errors.add("indexed", "unsupported", _("A field of this type cannot be indexed."))


def _check_labels_free(obj: ObjectMeta, spec: dict, *, current: FieldMeta | None, errors: ErrorCollector) -> None:
    """Two fields of one object never share a label in one language (people tell fields apart by
    their labels: in forms, filters, reports). Only a label being set is checked, so an old clash
    does not block an unrelated change."""
    for language, label in (spec.get("labels") or {}).items():
        wanted = " ".join(str(label).split()).casefold()
        if not wanted or (current is not None and current.labels.get(language) == label):
            continue
        for other in obj.fields:
            if other.api_name != spec["api_name"] and " ".join(other.labels.get(language, "").split()).casefold() == wanted:
                errors.add(f"labels.{language}", "label_taken",
                           _("The field “%(name)s” of this object has this label already.") % {"name": other.api_name})
                break


def _check_default(field_type: FieldType, default: Any, compiled: FieldMeta, errors: ErrorCollector) -> None:
    """A default value is a valid value of the field."""
    if not field_type.supports_default:
        errors.add("default", "unsupported", _("A field of this type has no default value."))
        return
    try:
        value = field_type.coerce(default, compiled)
        if value is not None:
            field_type.validate(value, compiled)
    except FieldValueError as exc:
        errors.add("default", exc.code, exc.message)


def validate_rules(obj: ObjectMeta, spec: dict) -> ErrorCollector:
    """Duplicate rules name fields of the object; validation rules are formulas that type-check."""
    errors = ErrorCollector()
    for i, rule in enumerate(spec.get("duplicate_rules", ())):
        for name in rule["fields"]:
            field = obj.field(name)
            if field is None or field.type.slot_family != "t":
                errors.add(f"duplicate_rules.{i}.fields", "invalid_field",
                           _("“%(name)s” is not a text field of this object.") % {"name": name})
        for name in rule.get("match") or {}:
            if name not in rule["fields"]:
                errors.add(f"duplicate_rules.{i}.match.{name}", "invalid_field",
                           _("“%(name)s” is not one of the rule's fields.") % {"name": name})

    check_validation_rules(obj, spec.get("validation_rules", ()), errors)
    custom_links.check(spec.get("custom_links", ()), set(obj.fields_by_name), errors.add, {
        "duplicate": _("Two links have this name."),
        "unsafe_scheme": _("A link must start with http://, https://, mailto: or tel:."),
        "unknown_field": _("No field named “%(name)s”."),
    })
    return errors


# --- use cases ---------------------------------------------------------------------------------


def add_field(object_api_name: str, spec: dict, actor: Actor, *, add_to_layouts: bool = True,
              system: bool = False) -> FieldMeta:
    """Add a field. `system` marks a standard object's own field (it can never be deleted)."""
    require_customise(actor)
    with transaction.atomic():
        lock_metadata()
        tenant = get_meta()  # one snapshot for every check of this change
        obj = get_object(object_api_name, tenant)
        compiled, errors = _check_spec(obj, spec, current=None, tenant=tenant)
        errors.raise_if_any()
        row = _new_field_row(
            ObjectDef.objects.get(pk=obj.id), spec["api_name"], spec["type"], is_system=system,
            position=spec.get("position", _next_position(obj)),
            spec={k: copy.deepcopy(spec[k]) for k in SPEC_KEYS if k in spec},
        )
        field_types.get(spec["type"]).after_field_created(compile_field(row, row.object))
        if add_to_layouts:
            _append_to_layouts(obj.id, row.api_name)
        sync_storage(row, before=None)
        record_change(entity="field", action="create", entity_id=row.id, after=field_snapshot(row), user=actor)
    return get_meta().objects[object_api_name].fields_by_name[spec["api_name"]]


def check_field(object_api_name: str, spec: dict, actor: Actor, *,
                field_api_name: str | None = None) -> tuple[FieldMeta | None, ErrorCollector]:
    """Check a field spec as add_field (or update_field, for `field_api_name`) would, writing
    nothing: the designer's preview and its errors while the administrator types. Returns the field
    compiled as it would be (None when not valid enough to compile) and the errors."""
    require_customise(actor)
    tenant = get_meta()
    obj = get_object(object_api_name, tenant)
    current = active_field(obj, field_api_name) if field_api_name else None
    checked = copy.deepcopy(spec)
    if current is not None:
        checked.update({"api_name": current.api_name, "type": current.type.key})
    return _check_spec(obj, checked, current=current, tenant=tenant)


def update_field(object_api_name: str, field_api_name: str, changes: dict, actor: Actor, *,
                 options_patch: dict | None = None) -> FieldMeta:
    """Change labels, help, flags, options (picklist values, cascades…), default, position.

    The type and api_name never change here (see change_field_type); relabelling or reordering
    picklist values never touches records. `options_patch`: option keys to set (None removes one),
    applied to the options as they are under the metadata lock, so editors changing different
    options at once (a picklist's values, its dependency) never undo each other's change.
    """
    require_customise(actor)
    errors = ErrorCollector()
    for key in ("api_name", "type"):
        if key in changes:
            errors.add(key, "immutable", _("This property cannot be changed here."))
    with transaction.atomic():
        lock_metadata()
        tenant = get_meta()  # one snapshot for every check of this change
        obj = get_object(object_api_name, tenant)
        current = active_field(obj, field_api_name)
        changed_keys = set(changes) | ({"options"} if options_patch is not None else set())
        if current.column:
            for key in sorted(changed_keys - SYSTEM_FIELD_CHANGES):
                if not (key in NAME_FIELD_CHANGES and current.column == "name"):
                    errors.add(key, "system_field", _("A standard system field can only be relabelled, hidden or reordered."))
        errors.raise_if_any()
        row = FieldDef.objects.select_for_update().get(pk=current.id)
        before = field_snapshot(row)
        stored_changes = {k: v for k, v in changes.items() if k != "position"}
        if options_patch is not None:
            stored_changes["options"] = merged(row.spec.get("options") or {}, options_patch)
        new_spec = merged(row.spec, stored_changes)
        check_spec = {"api_name": row.api_name, "type": row.type,
                      **{k: v for k, v in new_spec.items() if k in SPEC_KEYS}}
        if "position" in changes:
            check_spec["position"] = changes["position"]
        compiled, errors = _check_spec(obj, check_spec, current=current, tenant=tenant)
        if "options" in check_spec:
            new_spec["options"] = check_spec["options"]  # with what the check derived (roll-up result type)
        if current.unique is False and compiled is not None and compiled.unique:
            _check_no_duplicates(current, errors)
        errors.raise_if_any()
        assert compiled is not None  # else raise_if_any() raised
        row.spec = new_spec
        if "position" in changes:
            row.position = changes["position"]
        if indexing.is_materialized(compiled) and row.slot and dict(current.options) != new_spec.get("options"):
            row.slot_ready = False  # the stored values follow the new formula once recomputed
        row.save(update_fields=["spec", "position", "slot_ready", "updated_at"])
        sync_storage(row, before=current)
        record_change(entity="field", action="update", entity_id=row.id, before=before, after=field_snapshot(row),
                      user=actor)
    return get_meta().objects[object_api_name].fields_by_name[field_api_name]


def delete_field(object_api_name: str, field_api_name: str, actor: Actor) -> None:
    """Soft delete: the values stay in every record, so restore_field brings them back."""
    require_customise(actor)
    with transaction.atomic():
        lock_metadata()
        obj = get_object(object_api_name)
        field = active_field(obj, field_api_name)
        errors = ErrorCollector()
        if field.is_system:
            errors.add(None, "system_field", _("A standard system field cannot be deleted; hide it instead."))
        for where in dependents(get_meta(), obj, field):
            errors.add(None, "in_use", _("Used by %(where)s.") % {"where": where})
        errors.raise_if_any()
        indexing.drop_field_indexes(field)
        _remove_from_definitions(obj, field.api_name)
        row = FieldDef.objects.get(pk=field.id)
        row.deleted_at = timezone.now()
        row.save(update_fields=["deleted_at", "updated_at"])
        record_change(entity="field", action="delete", entity_id=row.id, before=field_snapshot(row), user=actor)


def restore_field(object_api_name: str, field_api_name: str, actor: Actor) -> FieldMeta:
    require_customise(actor)
    with transaction.atomic():
        lock_metadata()
        obj = get_object(object_api_name)
        deleted = next((f for f in obj.deleted_fields if f.api_name == field_api_name), None)
        if deleted is None:
            raise NotFound(_("No deleted field named “%(name)s”.") % {"name": field_api_name}, code="unknown_field")
        if obj.field(field_api_name) is not None:
            raise ValidationFailed.single("api_name", "taken", _("A field with this name exists again."))
        row = FieldDef.objects.get(pk=deleted.id)
        row.deleted_at = None
        row.slot_ready = False  # writes while deleted did not maintain the slot
        row.save(update_fields=["deleted_at", "slot_ready", "updated_at"])
        _append_to_layouts(obj.id, row.api_name)  # the delete took it off the layouts
        sync_storage(row, before=None)
        record_change(entity="field", action="restore", entity_id=row.id, after=field_snapshot(row), user=actor)
    return get_meta().objects[object_api_name].fields_by_name[field_api_name]


# --- storage follows the spec -------------------------------------------------------------------


def sync_storage(row: FieldDef, *, before: FieldMeta | None) -> None:
    """Give the field the slot and indexes its spec asks for; drop what it no longer needs."""
    obj = ObjectDef.objects.get(pk=row.object_id)
    after = compile_field(row, obj)
    family_changed = bool(before is not None and before.slot
                          and before.slot.rstrip("0123456789") != after.type.slot_family_for(after))
    if before is not None and before.slot and (not indexing.needs_slot(after) or family_changed):
        indexing.drop_field_indexes(before)
        indexing.clear_slot(before.object_id, before.slot)
        row.slot, row.slot_ready = "", False
        row.save(update_fields=["slot", "slot_ready"])
        after = compile_field(row, obj)
    elif before is not None and ((before.unique and not after.unique) or (indexing.needs_index(before) and not indexing.needs_index(after))):
        indexing.drop_field_indexes(before)
    if indexing.needs_slot(after) and not row.slot:
        family = after.type.slot_family_for(after)
        assert family is not None  # needs_slot() says it has one
        slot = indexing.free_slot(family, indexing.used_slots(row.object_id))
        if slot:
            # A new stored field has no values yet, so its empty slot is complete; a materialised
            # formula has a value on every existing record, to compute.
            row.slot, row.slot_ready = slot, before is None and not indexing.is_materialized(after)
            row.save(update_fields=["slot", "slot_ready"])
            after = compile_field(row, obj)
    wants_work = after.slot and not after.slot_ready or not indexing.indexes_complete(after)
    if not wants_work:
        return
    if indexing.estimated_rows(row.object_id) <= indexing.INLINE_LIMIT:
        indexing.build_inline(after)
        if row.slot and not row.slot_ready:
            row.slot_ready = True
            row.save(update_fields=["slot_ready"])
    else:
        queue_job("records.build_field_index", {"field_id": row.id})


def _check_no_duplicates(field: FieldMeta, errors: ErrorCollector) -> None:
    rows = field_values.shared_values(field, limit=5)
    if rows:
        sample = ", ".join(f"{value} ({count}×)" for value, count in rows)
        errors.add("unique", "duplicates", _("Existing records share values: %(sample)s.") % {"sample": sample})


def field_snapshot(row: FieldDef) -> dict:
    """The field as the change history keeps it."""
    return {"object_id": row.object_id, "api_name": row.api_name, "type": row.type, "position": row.position,
            **copy.deepcopy(row.spec)}


def active_field(obj: ObjectMeta, api_name: str) -> FieldMeta:
    """The object's field of that name, not deleted; NotFound (unknown_field) otherwise."""
    field = obj.field(api_name)
    if field is None:
        raise NotFound(_("No field named “%(name)s”.") % {"name": api_name}, code="unknown_field")
    return field


def _next_position(obj: ObjectMeta) -> int:
    custom = [f.position for f in obj.fields if f.position < 900]
    return (max(custom) + 10) if custom else 10


def _append_to_layouts(object_id: int, api_name: str) -> None:
    for layout in Layout.objects.filter(object_id=object_id):
        sections = layout.spec.get("sections") or []
        if not sections:
            continue
        sections[0].setdefault("items", []).append({"field": api_name})
        layout.save(update_fields=["spec"])


def _remove_from_definitions(obj: ObjectMeta, api_name: str) -> None:
    """Take a field being deleted off the layouts, list views and categories that name it, so no
    definition refers to a field nobody can see (and each stays valid for its next change)."""
    _remove_from_layouts(obj, api_name)
    _remove_from_list_views(obj, api_name)
    _remove_from_categories(obj, api_name)


def _remove_from_layouts(obj: ObjectMeta, api_name: str) -> None:
    """Off the object's layouts, and off the related lists of any layout that show the object."""
    for layout in Layout.objects.all():
        spec = layout.spec
        before = copy.deepcopy(spec)
        if layout.object_id == obj.id:
            for section in spec.get("sections", ()):
                section["items"] = [i for i in section.get("items", ()) if i.get("field") != api_name]
        related_lists = []
        for related in spec.get("related_lists", ()):
            if related.get("object") == obj.api_name:
                if related.get("field") == api_name:
                    continue  # the relation itself is going
                related["columns"] = [c for c in related.get("columns", ()) if c != api_name]
                related["sort"] = [t for t in related.get("sort", ()) if t.lstrip("-") != api_name]
            related_lists.append(related)
        if "related_lists" in spec:
            spec["related_lists"] = related_lists
        if spec != before:
            layout.save(update_fields=["spec"])


def _remove_from_list_views(obj: ObjectMeta, api_name: str) -> None:
    """Off the columns, sort and filters of the object's list views (personal ones too)."""
    for view in ListView.objects.filter(object_id=obj.id):
        spec = view.spec
        before = copy.deepcopy(spec)
        spec["columns"] = [c for c in spec.get("columns", ()) if c != api_name] or [obj.name_field]
        if "sort" in spec:
            spec["sort"] = [t for t in spec["sort"] if t.lstrip("-") != api_name]
        if "filters" in spec:
            spec["filters"] = {k: v for k, v in spec["filters"].items()
                               if k.partition("__")[0].split(".")[0] != api_name}
        if spec != before:
            view.save(update_fields=["spec"])


def _remove_from_categories(obj: ObjectMeta, api_name: str) -> None:
    """Off the required fields, fields and picklist restrictions of the object's categories."""
    for category in RecordCategory.objects.filter(object_id=obj.id):
        spec = category.spec
        before = copy.deepcopy(spec)
        for key in ("required_fields", "fields"):
            if key in spec:
                spec[key] = [name for name in spec[key] if name != api_name]
        spec.get("picklist_values", {}).pop(api_name, None)
        if spec != before:
            category.save(update_fields=["spec"])


#: Definitions of other apps that name a field without depending on it (a report over a deleted
#: field shows that column as missing): key → (object, field) → descriptions, for `where_used`.
field_users: Registry[Callable[[ObjectMeta, FieldMeta], list[str]]] = Registry("field users")


def where_used(meta: TenantMeta, obj: ObjectMeta, field: FieldMeta) -> list[str]:
    """Everything that names the field: what depends on it (and keeps it from being deleted), then
    what merely uses it (reports…)."""
    found = dependents(meta, obj, field)
    for users in field_users.all().values():
        found += users(obj, field)
    return found


def dependents(meta: TenantMeta, obj: ObjectMeta, field: FieldMeta) -> list[str]:
    """What refers to this field and would break without it."""
    found = []
    for other in obj.fields:
        if other.options.get("controlling_field") == field.api_name:
            found.append(_("the cascade of “%(name)s”") % {"name": other.api_name})
    for rule in obj.spec.get("duplicate_rules", ()):  # inactive ones too: they may be switched back on
        if field.api_name in rule.get("fields", ()):
            found.append(_("the duplicate rule “%(name)s”") % {"name": rule["api_name"]})
    for other_obj in meta.objects.values():
        prefix = "" if other_obj is obj else f"{other_obj.api_name}."
        for other in other_obj.fields:
            if (obj.api_name, field.api_name) in other.type.depends_on(other):
                found.append(_("the roll-up “%(object)s.%(name)s”") % {"object": other_obj.api_name, "name": other.api_name})
            if _filter_names(meta, other, obj, field):
                found.append(_("the filter of the lookup “%(object)s.%(name)s”")
                             % {"object": other_obj.api_name, "name": other.api_name})
            # formulas of any object, through lookups too (contact: account.rating)
            formula = other.type.formula(other)
            if formula is not None and other.id != field.id and field.id in _formula_field_ids(
                    meta, other_obj, formula.source, formula.result_type):
                found.append(_("the formula “%(name)s”") % {"name": prefix + other.api_name})
        for rule in other_obj.spec.get("validation_rules", ()):
            if field.id in _formula_field_ids(meta, other_obj, rule["formula"], "boolean"):
                found.append(_("the validation rule “%(name)s”") % {"name": prefix + rule["api_name"]})
    return found


def _filter_names(meta: TenantMeta, lookup: FieldMeta, obj: ObjectMeta, field: FieldMeta) -> bool:
    """Whether the lookup's filter names `field` of `obj`: a field of its target (the first step of
    a path, or a field a path goes through), or a field of its own record it compares with."""
    filters = lookup.type.record_filter(lookup)
    if not filters:
        return False
    target = meta.object(lookup.type.target(lookup) or "")
    for key, value in filters.items():
        if lookup.object_api_name == obj.api_name and isinstance(value, Mapping) and value.get(SOURCE_KEY) == field.api_name:
            return True
        walked, step = target, None
        for part in (key.rpartition("__")[0] or key).split("."):
            step = walked.field(part) if walked is not None else None
            if step is None:
                break
            if step.id == field.id:
                return True
            walked = meta.object(step.type.target(step) or "")
    return False


def _formula_field_ids(meta: TenantMeta, obj: ObjectMeta, source: str, result_type: str) -> set[int]:
    """Ids of the fields a formula of `obj` refers to, the lookups along its paths included."""
    scope = MetaScope(meta, obj)
    try:
        checked = compile_formula(source, scope, result_type=FormulaType(result_type))
    except FormulaError:
        return set()
    ids: set[int] = set()
    for path in checked.references:
        try:
            ids.update(f.id for f in scope.walk(tuple(path)))
        except FormulaError:
            continue
    return ids


# --- type changes ---------------------------------------------------------------------------
