"""Field history: who changed which tracked field, from what, to what, when."""

from __future__ import annotations

from metadata.meta import ObjectMeta

from .models import RecordChange
from .pipeline import Draft


def api_form(field, value):
    """History keeps values as the API shows them (exact decimals as text, ISO dates)."""
    return None if value is None else field.type.to_api(value, field)


def changes_of(obj: ObjectMeta, draft: Draft) -> dict:
    """key → [old, new] (API forms) for the tracked fields this write changes; the owner is
    always tracked (人走资料留: who owned a customer, and when it moved, must never be lost)."""
    changes = {}
    for name in sorted(draft.changed):
        field = obj.fields_by_name[name]
        if not (field.history_tracked or field.api_name == "owner"):
            continue
        old = draft.current.values.get(name) if draft.current else None
        changes[field.key] = [api_form(field, old), api_form(field, draft.values.get(name))]
    return changes


def write(obj: ObjectMeta, entries: list[tuple[int, str, dict]], user_id: int | None) -> None:
    if entries:
        RecordChange.objects.bulk_create(
            RecordChange(object_id=obj.id, record_id=record_id, action=action, changes=changes, user_id=user_id)
            for record_id, action, changes in entries
        )


def history_of(obj: ObjectMeta, record_id: int, readable) -> list[dict]:
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
        entries.append({"id": change.pk, "action": change.action, "at": change.at, "user": change.user_id,
                        "changes": fields})
    return entries
