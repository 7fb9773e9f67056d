"""Field history: who changed which tracked field, from what, to what, when."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from django.utils import timezone

from metadata.meta import FieldMeta, ObjectMeta

from .draft import Draft
from .jsonio import dumps_value, key_prefix
from .models import RecordChange
from .repository import COPY_FROM, copy_columns, insert_values

COLUMNS = ("object_id", "record_id", "action", "changes", "user_id", "at")
INSERT = f"INSERT INTO {RecordChange._meta.db_table} ({', '.join(COLUMNS)}) VALUES"
ROW = "(%s, %s, %s, %s::jsonb, %s, %s)"
#: A merge's entry on the surviving record keeps the merged record's id under this key
#: (tessera.records.merge): {"_merged": [id, null]}.
MERGED_KEY = "_merged"


def api_form(field: FieldMeta, value: Any) -> Any:
    """History keeps values as the API shows them (exact decimals as text, ISO dates)."""
    return None if value is None else field.type.to_api(value, field)


def tracked_fields(obj: ObjectMeta) -> dict[str, FieldMeta]:
    """api_name → field, for the fields whose changes are kept: those with history tracking, and the
    owner always (人走资料留: who owned a customer, and when it moved, must never be lost); in the
    order of their api_names, the order of an entry's changes."""
    return {f.api_name: f for f in sorted(obj.fields, key=lambda f: f.api_name)
            if f.history_tracked or f.api_name == "owner"}


def changes_of(obj: ObjectMeta, draft: Draft, tracked: Mapping[str, FieldMeta] | None = None) -> dict:
    """key → [old, new] (API forms) for the tracked fields this write changes (`tracked`: the
    object's tracked_fields, when the caller has them already)."""
    if tracked is None:
        tracked = tracked_fields(obj)
    changes = {}
    current = draft.current.values if draft.current else None
    changed = draft.changed
    for name, field in tracked.items():  # the few tracked fields, not every changed one
        if name not in changed:
            continue
        old = current.get(name) if current is not None else None
        changes[field.key] = [api_form(field, old), api_form(field, draft.values.get(name))]
    return changes


def creations(drafts: list[Draft], tracked: Mapping[str, FieldMeta]) -> list[str]:
    """changes_of for new records ([null, new] for each tracked field they set), as the JSON text
    of each, encoded field by field for the batch (a bulk insert writes thousands)."""
    members = []
    for name, field in tracked.items():
        prefix = key_prefix(field.key) + "[null,"
        members.append([prefix + (dumps_value(api_form(field, d.values.get(name))) or "null") + "]"
                        if name in d.changed else None for d in drafts])
    return ["{" + ",".join(filter(None, row)) + "}" for row in zip(*members, strict=True)] if members \
        else ["{}"] * len(drafts)


def write(obj: ObjectMeta, entries: list[tuple[int, str, dict | str]], user_id: int | None) -> None:
    """One history row per (record id, action, changes: a dict, or its JSON text), in one
    statement (COPY for many)."""
    if not entries:
        return
    at = timezone.now()
    count = len(entries)
    ids, actions, changes = zip(*entries, strict=True)
    texts = [given if isinstance(given, str) else json.dumps(given) for given in changes]
    if count >= COPY_FROM:  # column by column, as the records' own COPY
        copy_columns(RecordChange._meta.db_table, COLUMNS, [[obj.id] * count, ids, actions, texts, [user_id] * count,
                                                             [at] * count])
    else:
        insert_values(INSERT, ROW, [(obj.id, record_id, action, text, user_id, at)
                                    for record_id, action, text in zip(ids, actions, texts, strict=True)])


def history_of(obj: ObjectMeta, record_id: int, readable: Callable[[FieldMeta], bool]) -> list[dict]:
    """The record's history, newest first, with hidden fields left out."""
    by_key = {f.key: f for f in (*obj.fields, *obj.deleted_fields)}
    entries = []
    for change in RecordChange.objects.filter(object_id=obj.id, record_id=record_id).order_by("-id"):
        fields = []
        for key, (old, new) in (change.changes or {}).items():
            field = by_key.get(key)
            if field is None or not readable(field):
                continue
            fields.append({"field": field.api_name, "old": old, "new": new})
        if change.action == "update" and not fields:
            continue
        entry = {"id": change.pk, "action": change.action, "at": change.at, "user": change.user_id,
                 "changes": fields}
        if MERGED_KEY in (change.changes or {}):
            entry["merged"] = change.changes[MERGED_KEY][0]
        entries.append(entry)
    return entries
