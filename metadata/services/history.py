"""The metadata change history as people read it (what changed, from what to what), and "revert
this change" where the engine can undo it.

A revert is not a second way to change metadata: it calls the same service the change went
through (`update_field`, `restore_field`, `update_layout`…) with the values the change replaced, so
it gets the same validation and is itself a change in the history, whose `reverts` names the change
it undid. What can be undone:

- a field: deleted → restored with its values (they never left the records); created or restored
  → deleted again (softly); changed (labels, help, picklist values, flags, position) → those
  properties as they were;
- a layout, category or shared list view: created → deleted; deleted → created again as it was;
  changed → the properties the change touched, as they were;
- an object: changed (labels, icon, rules, links…) → those properties as they were; deleted →
  restored (`objects.restore_object`: with its fields, layouts, categories, list views, records,
  and what its deletion took off other definitions), while it is kept (`objects.retention_days`);
  restored → deleted again.

A type change and the creation of an object are not undone here (the first has its own dry-run,
the second would delete every record of the object).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metadata.cache import get_meta
from metadata.meta import ObjectMeta, TenantMeta
from metadata.models import Layout, ListView, MetadataChange, RecordCategory
from metadata.versioning import reverting
from tessera.errors import NotFound, ValidationFailed
from tessera.security.access import require_customise
from tessera.security.actor import Actor

from . import categories, fields, layouts, list_views, objects

MAX_LIMIT = 200

#: Words for the properties a change shows (the rest are shown by their key).
PROPERTY_NAMES: Mapping[str, Any] = {
    "labels": gettext_lazy("Label"), "help_text": gettext_lazy("Help text"), "required": gettext_lazy("Required"),
    "unique": gettext_lazy("Unique"), "default": gettext_lazy("Default value"), "read_only": gettext_lazy("Read-only"),
    "indexed": gettext_lazy("Used in filters and sorts"), "history_tracked": gettext_lazy("History tracked"),
    "hidden": gettext_lazy("Hidden"), "options": gettext_lazy("Options"), "position": gettext_lazy("Position"),
    "sections": gettext_lazy("Section"), "related_lists": gettext_lazy("Related list"),
    "compact_fields": gettext_lazy("Compact fields"), "path_field": gettext_lazy("Path bar field"),
    "columns": gettext_lazy("Columns"), "filters": gettext_lazy("Filters"), "sort": gettext_lazy("Sort"),
    "fields": gettext_lazy("Fields"), "required_fields": gettext_lazy("Required fields"),
    "picklist_values": gettext_lazy("Picklist values"), "edit_layout": gettext_lazy("Edit layout"),
    "view_layout": gettext_lazy("View layout"), "active": gettext_lazy("Active"), "type": gettext_lazy("Type"),
    "description": gettext_lazy("Description"), "custom_links": gettext_lazy("Custom links"),
    "validation_rules": gettext_lazy("Validation rules"), "duplicate_rules": gettext_lazy("Duplicate rules"),
    "sharing_model": gettext_lazy("Organisation-wide default"), "icon": gettext_lazy("Icon"),
    "color": gettext_lazy("Colour"), "category": gettext_lazy("Category"), "is_default": gettext_lazy("Default"),
    "kind": gettext_lazy("Kind"), "items": gettext_lazy("Fields"), "values": gettext_lazy("Values"),
    "shared": gettext_lazy("Shared"), "name_field": gettext_lazy("Name field"),
    "not_restored": gettext_lazy("Not put back (their layout, profile, department or role is gone)"),
}
#: Keys of a change's snapshot that say where it belongs, not what it is.
IDENTITY = frozenset({"api_name", "object_id"})


@dataclass(frozen=True)
class Difference:
    """One property a change touched: where (in words) and its value before and after, as text."""

    path: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangeEntry:
    change: MetadataChange
    #: The object the change belongs to (None: gone, or not an object's).
    object: ObjectMeta | None
    #: The api_name of what changed (a field's, a layout's…).
    name: str
    differences: list[Difference]
    revertible: bool
    #: Ids of the changes that reverted this one.
    reverted_by: tuple[int, ...] = ()
    #: The labels of what changed, as the change left them (or as they were, for a deletion).
    labels: Mapping[str, Any] | None = None
    #: A deleted object, while it is kept: what reverting the deletion brings back, until when.
    kept: objects.KeptObject | None = None


# --- reading --------------------------------------------------------------------------------------


def change_history(actor: Actor, *, object_api_name: str | None = None, entity: str | None = None,
                   before: int | None = None, limit: int = 50) -> tuple[list[ChangeEntry], int | None]:
    """A page of changes, newest first, and the id to pass as `before` for the next page (or None)."""
    require_customise(actor)
    meta = get_meta()
    rows = MetadataChange.objects.select_related("changed_by").order_by("-id")
    if object_api_name:
        obj = meta.object(object_api_name)
        rows = rows.filter(object_id=obj.id if obj else -1)
    if entity:
        rows = rows.filter(entity=entity)
    if before is not None:
        rows = rows.filter(id__lt=before)
    limit = max(1, min(limit, MAX_LIMIT))
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    undone: dict[int, list[int]] = {}
    for revert in MetadataChange.objects.filter(reverts__in=[c.pk for c in page]).only("id", "reverts"):
        if revert.reverts is not None:
            undone.setdefault(revert.reverts, []).append(revert.pk)
    entries = [_entry(meta, change, tuple(sorted(undone.get(change.pk, ())))) for change in page]
    return entries, page[-1].pk if more and page else None


def get_change(change_id: Any, actor: Actor) -> ChangeEntry:
    require_customise(actor)
    change = _change(change_id)
    undone = tuple(MetadataChange.objects.filter(reverts=change.pk).order_by("id").values_list("id", flat=True))
    return _entry(get_meta(), change, undone)


def _change(change_id: Any) -> MetadataChange:
    try:
        return MetadataChange.objects.select_related("changed_by").get(pk=int(change_id))
    except (MetadataChange.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No such change."), code="unknown_change") from None


def _entry(meta: TenantMeta, change: MetadataChange, reverted_by: tuple[int, ...]) -> ChangeEntry:
    snapshot = change.after if isinstance(change.after, dict) else change.before or {}
    key = (change.entity, change.action)
    kept = objects.kept_object(int(change.entity_id)) if key in RESTORES and change.entity_id is not None else None
    return ChangeEntry(
        change=change, object=_object_of(meta, change), name=str(snapshot.get("api_name", "")),
        differences=differences(change.before, change.after),
        revertible=kept is not None if key in RESTORES else key in REVERTS, reverted_by=reverted_by, kept=kept,
        labels=snapshot.get("labels") if isinstance(snapshot.get("labels"), dict) else None)


def _object_of(meta: TenantMeta, change: MetadataChange) -> ObjectMeta | None:
    object_id = change.object_id
    if object_id is None:  # recorded before changes kept their object
        snapshot = change.after if isinstance(change.after, dict) else change.before or {}
        object_id = snapshot.get("object_id")
        model = {"layout": Layout, "category": RecordCategory, "list_view": ListView}.get(change.entity)
        if object_id is None and model is not None and change.entity_id is not None:
            object_id = model._default_manager.filter(pk=change.entity_id).values_list("object_id", flat=True).first()
    return meta.objects_by_id.get(object_id) if object_id is not None else None


def differences(before: Any, after: Any) -> list[Difference]:
    """What a change touched, property by property (nested ones as "Label › en"), as text."""
    old, new = _flatten(before or {}), _flatten(after or {})
    found = []
    for path in dict.fromkeys([*old, *new]):
        before_text, after_text = _text(old.get(path)), _text(new.get(path))
        if not path or path.split(".")[0] in IDENTITY or before_text == after_text:
            continue
        found.append(Difference(_path_text(path), before_text, after_text))
    return found


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists of dicts by path (sections.2.items); lists of layout items are kept
    whole, as the fields they name, which is how a person reads a section."""
    if isinstance(value, dict) and value and not (prefix and _is_item(value)):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and value and all(isinstance(i, dict) for i in value) \
            and not all(_is_item(i) for i in value):
        flat = {}
        for i, item in enumerate(value, start=1):
            flat.update(_flatten(item, f"{prefix}.{i}"))
        return flat
    return {prefix: value}


def _is_item(value: dict) -> bool:
    return "field" in value and set(value) <= {"field", "required", "read_only"}


def _text(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        if _is_item(value):
            return str(value["field"]) + (" *" if value.get("required") else "")
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _path_text(path: str) -> str:
    """`sections.2.items` → "Section › 2 › Fields" (known property names in words)."""
    return " › ".join(str(PROPERTY_NAMES.get(part, part)) for part in path.split("."))


# --- reverting ------------------------------------------------------------------------------------


def revert_change(change_id: Any, actor: Actor) -> list[MetadataChange]:
    """Undo one change through the service it went through; returns the changes the revert wrote
    (each with `reverts` = this change). All or nothing."""
    require_customise(actor)
    change = _change(change_id)
    key = (change.entity, change.action)
    undo, restore = REVERTS.get(key), RESTORES.get(key)
    last = MetadataChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if restore is not None:
        with transaction.atomic(), reverting(change.pk):
            restore(change, actor)
        return list(MetadataChange.objects.filter(id__gt=last, reverts=change.pk).order_by("id"))
    if undo is None:
        raise ValidationFailed.single(None, "not_revertible", _("This change cannot be reverted here."))
    obj = _object_of(get_meta(), change)
    if obj is None:
        raise NotFound(_("The object of this change no longer exists."), code="unknown_object")
    with transaction.atomic(), reverting(change.pk):
        undo(obj, change, actor)
    return list(MetadataChange.objects.filter(id__gt=last, reverts=change.pk).order_by("id"))


def _touched(before: dict, after: dict, *, keys: tuple[str, ...] | None = None,
             fixed: tuple[str, ...] = ()) -> dict:
    """The properties a change touched, with their values before it (None: it had none)."""
    names = keys if keys is not None else tuple(dict.fromkeys([*before, *after]))
    changes = {k: before.get(k) for k in names if k not in fixed and before.get(k) != after.get(k)}
    if not changes:
        raise ValidationFailed.single(None, "nothing_to_revert", _("This change changed nothing to revert."))
    return changes


def _field_name(change: MetadataChange) -> str:
    snapshot = change.before or change.after or {}
    return str(snapshot["api_name"])


def _revert_field_update(obj: ObjectMeta, change: MetadataChange, actor: Actor) -> None:
    before, after = change.before or {}, change.after or {}
    changes = _touched(before, after, keys=(*fields.SPEC_KEYS, "position"))
    if changes.get("position") is None:
        changes.pop("position", None)
    fields.update_field(obj.api_name, _field_name(change), changes, actor)


def _restore_field(obj: ObjectMeta, change: MetadataChange, actor: Actor) -> None:
    fields.restore_field(obj.api_name, _field_name(change), actor)


def _delete_field(obj: ObjectMeta, change: MetadataChange, actor: Actor) -> None:
    fields.delete_field(obj.api_name, _field_name(change), actor)


def _revert_object_update(obj: ObjectMeta, change: MetadataChange, actor: Actor) -> None:
    objects.update_object(obj.api_name, _touched(change.before or {}, change.after or {}, keys=objects.UPDATABLE),
                          actor)


def _restore_object(change: MetadataChange, actor: Actor) -> None:
    objects.restore_object(int(change.entity_id or 0), actor)


def _delete_object_again(obj: ObjectMeta, change: MetadataChange, actor: Actor) -> None:
    objects.delete_object(obj.api_name, actor, confirm_name=obj.api_name)


@dataclass(frozen=True)
class _SpecServices:
    """The services of one kind of definition kept as a spec (layout, category, shared list view)."""

    create: Callable[[str, dict, Actor], Any]
    update: Callable[[str, str, dict, Actor], Any]
    delete: Callable[[str, str, Actor], Any]
    fixed: tuple[str, ...]

    def revert_create(self, obj: ObjectMeta, change: MetadataChange, actor: Actor) -> None:
        self.delete(obj.api_name, str((change.after or {})["api_name"]), actor)

    def revert_delete(self, obj: ObjectMeta, change: MetadataChange, actor: Actor) -> None:
        self.create(obj.api_name, dict(change.before or {}), actor)

    def revert_update(self, obj: ObjectMeta, change: MetadataChange, actor: Actor) -> None:
        before, after = change.before or {}, change.after or {}
        self.update(obj.api_name, str(before["api_name"]), _touched(before, after, fixed=self.fixed), actor)


def _create_shared_view(object_api_name: str, spec: dict, actor: Actor) -> Any:
    return list_views.create_list_view(object_api_name, {**spec, "shared": True}, actor)


SPEC_SERVICES = {
    "layout": _SpecServices(layouts.create_layout, layouts.update_layout, layouts.delete_layout,
                            fixed=layouts.LAYOUT.immutable),
    "category": _SpecServices(categories.create_category, categories.update_category, categories.delete_category,
                              fixed=categories.CATEGORY.immutable),
    # Only shared views are in the history (personal ones are preferences).
    "list_view": _SpecServices(_create_shared_view, list_views.update_list_view, list_views.delete_list_view,
                               fixed=list_views.LIST_VIEW.immutable),
}

#: (entity, action) → how to undo it.
REVERTS: dict[tuple[str, str], Callable[[ObjectMeta, MetadataChange, Actor], None]] = {
    ("field", "update"): _revert_field_update,
    ("field", "delete"): _restore_field,
    ("field", "create"): _delete_field,
    ("field", "restore"): _delete_field,
    ("object", "update"): _revert_object_update,
    ("object", "restore"): _delete_object_again,
    **{(entity, "create"): services.revert_create for entity, services in SPEC_SERVICES.items()},
    **{(entity, "delete"): services.revert_delete for entity, services in SPEC_SERVICES.items()},
    **{(entity, "update"): services.revert_update for entity, services in SPEC_SERVICES.items()},
}

#: (entity, action) → how to undo a change whose object is not live (so not in the metadata).
RESTORES: dict[tuple[str, str], Callable[[MetadataChange, Actor], None]] = {
    ("object", "delete"): _restore_object,
}
