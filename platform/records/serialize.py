"""Records as JSON, with the field types: the one place that shapes a record for the API.

A record is flat: ``{"id", "version", "category", <field api_name>: value, …}`` (plus
``"deleted_at"`` in the recycle bin). Every value goes through its field type's ``to_api`` (formula
and roll-up types hand over to their result type); a lookup is the referenced id, or
``{"id", "name"}`` when expanded; a file is ``{"name", "size", "content_type", "url"}`` (the url
downloads it, checking on each use that the reader may read that field of that record; sent back
unchanged, the record keeps its file). Upload tokens never appear. Only the fields the reader may
read (asked of the permission service by the records service) ever appear.

No DRF serializer is built per request: the metadata snapshot already says everything a
serializer would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse

from metadata.fieldtypes.files import make_download_reference
from metadata.meta import FieldMeta, ObjectMeta
from tessera.records import service
from tessera.records.jsonio import conversion
from tessera.records.record import Record
from tessera.security.actor import Actor


def readable_fields(obj: ObjectMeta, actor: Actor) -> list[FieldMeta]:
    """The fields of `obj` that `actor` may read, as the permission service answers."""
    return service.readable_fields(obj, service.access_for(actor))


def record_json(record: Record, fields: Sequence[FieldMeta], *, deleted_at: bool = False) -> dict[str, Any]:
    return records_json([record], fields, deleted_at=deleted_at)[0]


def records_json(records: Iterable[Record], fields: Sequence[FieldMeta], *, deleted_at: bool = False) -> list[dict]:
    # How each field's value becomes JSON, worked out once for all the records.
    plan = [(f.api_name, f, f.type.holds_files, conversion(f, "to_api")) for f in fields]
    out = []
    for record in records:
        values, expanded = record.values, record.expanded
        data: dict[str, Any] = {"id": record.id, "version": record.version, "category": record.category}
        for name, field, is_file, to_api in plan:
            if expanded and name in expanded:
                data[name] = expanded[name]
            elif is_file:
                data[name] = file_json(values.get(name), record, field)
            elif to_api is None:
                data[name] = values.get(name)
            else:
                data[name] = to_api(values.get(name), field)
        if deleted_at:
            data["deleted_at"] = _iso(record.deleted_at)
        out.append(data)
    return out


def field_value(record: Record, field: FieldMeta) -> Any:
    """One field of a record as the API shows it."""
    return record_json(record, [field])[field.api_name]


def api_value(field: FieldMeta, value: Any) -> Any:
    """A bare value of `field` (not read from a record: defaults, previews) as the API shows it."""
    if field.type.holds_files:
        return file_json(value, None, field)
    return field.type.to_api(value, field)  # a blank multi-select is [], other blanks None


def file_json(value: Any, record: Record | None, field: FieldMeta) -> dict | None:
    if not value:
        return None
    holder = (record.object.api_name, record.id, field.api_name) if record is not None else None
    reference = make_download_reference(value, holder)
    return {
        "name": value.get("name"),
        "size": value.get("size"),
        "content_type": value.get("content_type"),
        "url": reverse("records-file-download", kwargs={"token": reference}),
    }


def history_json(entries: Iterable[dict]) -> list[dict]:
    return [{**entry, "at": _iso(entry.get("at"))} for entry in entries]


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text.replace("+00:00", "Z")
