"""Merge two duplicate records of one object (合并重复客户): the user chooses, field by field, which
record's value survives; everything that pointed at the other record (contacts, deals,
activities… of any object) now points at the survivor, and so does its field history; the other
record goes to the recycle bin.

One transaction: the chosen values are written to the survivor through the normal update path
(validation, unique fields, rules, history), so a merge that fails any check writes nothing. The
merging user must be able to read both records, edit the survivor and delete the loser. Hidden
fields are never chosen from the loser (the survivor keeps its own value); records the user may
not read still follow the loser (a merge must not leave references to a record in the recycle
bin), but only those they may read are counted in the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import ErrorCollector, NotFound, PermissionDenied, ValidationFailed
from tessera.security import audit
from tessera.security.access import RecordAccess, access_for
from tessera.security.actor import Actor
from tessera.security.repository import visible_ids

from . import duplicates, history, repository, service, uploads
from .draft import Draft
from .errors import StaleVersion
from .models import RecordChange
from .record import Record
from .signals import records_changed

SURVIVOR = "survivor"
LOSER = "loser"
#: History action of the survivor's entry (the loser's id is kept under history.MERGED_KEY).
MERGE_ACTION = "merge"


@dataclass
class Merged:
    record: Record
    #: object api_name → records now pointing at the survivor (those the user may read).
    moved: dict[str, int] = field(default_factory=dict)
    #: fields whose value came from the loser.
    taken: list[str] = field(default_factory=list)


def mergeable(obj: ObjectMeta, f: FieldMeta, access: RecordAccess) -> bool:
    """Whether the user may take `f`'s value from the other record: a field they may read and edit
    that the update path writes (not computed, not an auto-number, not a system column but the owner)."""
    return access.readable(obj, f) and access.editable(obj, f) and (f.writable or f.api_name == "owner")


def merge_records(object_api_name: str, survivor_id: int, loser_id: int, choices: Mapping[str, str], actor: Actor,
                  *, versions: Mapping[int, int] | None = None) -> Merged:
    """Merge record `loser_id` into `survivor_id`. `choices`: field → "survivor" or "loser" (a field
    not named keeps the survivor's value); `versions`: record id → the version the user compared
    (a record changed since is a 409)."""
    tenant, obj = service.get_object_meta(object_api_name)
    access = access_for(actor)
    for action in ("read", "edit", "delete"):
        access.require(obj, action)
    taken = _check_choices(obj, choices, access)
    if survivor_id == loser_id:
        raise ValidationFailed.single("loser", "same_record", _("Choose another record to merge with."))
    with transaction.atomic():
        survivor = _lock(tenant, obj, survivor_id, access, "edit")
        loser = _lock(tenant, obj, loser_id, access, "delete")
        for record in (survivor, loser):
            expected = (versions or {}).get(record.id or 0)
            if expected is not None and int(expected) != record.version:
                raise StaleVersion(_("“%(name)s” was changed by someone else since you compared; compare again.")
                                   % {"name": record.name or f"#{record.id}"})
        cleared = _self_references(obj, survivor, loser, taken, access)
        moved = _repoint(tenant, obj, loser_id, survivor_id, access, keep_survivor=cleared)
        _move_history(obj, loser_id, survivor_id)
        service.delete_record(object_api_name, loser_id, actor)  # to the recycle bin; nothing points at it now
        payload = {name: _as_input(obj.fields_by_name[name], loser.values.get(name), actor) for name in taken
                   if not obj.fields_by_name[name].type.equal(loser.values.get(name), survivor.values.get(name))}
        payload.update(dict.fromkeys(cleared))
        if payload:
            # No expected version: both records are locked and were compared above; the repointing
            # may have counted the survivor's own version up (a lookup of another field to itself).
            record = service.update_record(object_api_name, survivor_id, payload, actor, confirm_duplicates=True)
        else:
            record = service.get_record(object_api_name, survivor_id, actor)
        history.write(obj, [(survivor_id, MERGE_ACTION, {history.MERGED_KEY: [loser_id, None]})], access.user_id)
        audit.record_change(actor, "record.merge", obj, survivor_id,
                            {"loser": loser_id, "loser_name": loser.name, "taken": sorted(payload),
                             "moved": moved})
    return Merged(record=record, moved=_readable_counts(tenant, moved, access), taken=sorted(payload))


def possible_duplicates(object_api_name: str, record_id: int, actor: Actor) -> list[dict]:
    """Records the object's duplicate rules match with this one, among those `actor` may read
    ({"id", "name"}): what a merge starts from (others are not named, as anywhere)."""
    tenant, obj = service.get_object_meta(object_api_name)
    access = access_for(actor)
    record = service.get_record(object_api_name, record_id, actor)
    if not obj.duplicate_rules:
        return []
    draft = Draft(index=0, current=record, values=dict(record.values), changed=set(record.values))
    matches = duplicates.find_duplicates(obj, [draft]).get(0, [])
    ids = [m["id"] for m in matches if m.get("id") is not None]
    seen = visible_ids(obj, ids, access.row_predicate(obj, "read", "r", tenant)) if ids else set()
    return [{"id": m["id"], "name": m["name"]} for m in matches if m.get("id") in seen]


def _check_choices(obj: ObjectMeta, choices: Mapping[str, str], access: RecordAccess) -> list[str]:
    """The fields to take from the loser; a field the user may not read is an unknown field, one
    they may not change (or that no one writes) is refused."""
    if not isinstance(choices, Mapping):
        raise ValidationFailed.single("choices", "invalid", _("Give an object of field → “survivor” or “loser”."))
    errors = ErrorCollector()
    taken = []
    for name, side in choices.items():
        f = obj.field(name) if isinstance(name, str) else None
        if f is None or not access.readable(obj, f):
            errors.add(str(name), "unknown_field", _("This object has no field “%(name)s”.") % {"name": name})
        elif side not in (SURVIVOR, LOSER):
            errors.add(name, "invalid_choice", _("Choose “survivor” or “loser”."))
        elif side == LOSER and not mergeable(obj, f, access):
            errors.add(name, "read_only", _("This field cannot be changed."))
        elif side == LOSER:
            taken.append(name)
    errors.raise_if_any()
    return taken


def _lock(tenant: TenantMeta, obj: ObjectMeta, record_id: int, access: RecordAccess, action: str) -> Record:
    """The record, locked, when the user may read it and do `action` to it."""
    if service.load_record(tenant, obj, record_id, access=access) is None:
        raise NotFound(_("No such record."), code="unknown_record")
    record = service.load_record(tenant, obj, record_id, access=access, action=action, for_update=True)
    if record is None:
        message = _("You may not edit this record.") if action == "edit" else _("You may not delete this record.")
        raise PermissionDenied(message, code=f"no_{action}_access")
    return record


def _as_input(f: FieldMeta, value: Any, actor: Actor) -> Any:
    """A value read from the loser, in the form the update path reads (the API's; a file as a new
    upload of its copy: the loser keeps its own)."""
    if value is None:
        return None
    if f.type.holds_files:
        return {"token": uploads.copy_as_upload(value, actor)}
    return f.type.to_api(value, f)


def _self_references(obj: ObjectMeta, survivor: Record, loser: Record, taken: list[str],
                     access: RecordAccess) -> list[str]:
    """The object's lookups to itself (a parent account) that would leave the survivor pointing at
    itself — its own value pointing at the loser, or the loser's chosen value pointing at either
    record: the merge clears them instead (a customer is not its own parent)."""
    pair = {survivor.id, loser.id}
    cleared = []
    for f in obj.fields:
        if f.type.target(f) != obj.api_name or not mergeable(obj, f, access):
            continue
        value = (loser if f.api_name in taken else survivor).values.get(f.api_name)
        if value in pair:
            cleared.append(f.api_name)
    return cleared


def _repoint(tenant: TenantMeta, obj: ObjectMeta, loser_id: int, survivor_id: int,
             access: RecordAccess, *, keep_survivor: list[str]) -> dict[str, list[int]]:
    """Every record (any object, the recycle bin too) whose lookup points at the loser now points at
    the survivor; the change is in their history where the lookup is tracked. The survivor's own
    lookups named in `keep_survivor` are left to the update that clears them."""
    moved: dict[str, list[int]] = {}
    for child, lookup in service.lookups_to(tenant, obj):
        skip = survivor_id if child.api_name == obj.api_name and lookup.api_name in keep_survivor else None
        ids = repository.repoint_lookup(tenant, child, lookup, loser_id, survivor_id, access.user_id, skip=skip)
        if not ids:
            continue
        moved.setdefault(child.api_name, []).extend(ids)
        if lookup.api_name in history.tracked_fields(child):
            change = {lookup.key: [history.api_form(lookup, loser_id), history.api_form(lookup, survivor_id)]}
            history.write(child, [(i, "update", change) for i in ids], access.user_id)
        _changed_after_commit(child, ids)
    return moved


def _changed_after_commit(obj: ObjectMeta, ids: list[int]) -> None:
    schema = connection.schema_name  # type: ignore[attr-defined]
    transaction.on_commit(lambda: records_changed.send(sender=None, schema=schema, object=obj.api_name,
                                                       action="update", ids=list(ids)))


def _move_history(obj: ObjectMeta, loser_id: int, survivor_id: int) -> None:
    """The loser's field history becomes the survivor's (it is the same customer)."""
    RecordChange.objects.filter(object_id=obj.id, record_id=loser_id).update(record_id=survivor_id)


def _readable_counts(tenant: TenantMeta, moved: dict[str, list[int]], access: RecordAccess) -> dict[str, int]:
    counts = {}
    for name, ids in moved.items():
        child = tenant.objects[name]
        if not access.can(child, "read"):
            continue
        seen = visible_ids(child, ids, access.row_predicate(child, "read", "r", tenant))
        if seen:
            counts[name] = len(seen)
    return counts
