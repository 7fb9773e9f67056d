"""The records API as tests speak it: the `gadget` object's fields (one of every type), JSON
requests, readers of error responses, and a wrapper narrowing what the permission service grants."""

from __future__ import annotations

import json

from tessera.records import service

COLORS = [
    {"key": "red", "labels": {"en": "Red", "zh-hans": "红色"}, "color": "#ff0000"},
    {"key": "green", "labels": {"en": "Green", "zh-hans": "绿色"}},
    {"key": "blue", "labels": {"en": "Blue", "zh-hans": "蓝色"}},
    {"key": "old", "labels": {"en": "Old", "zh-hans": "旧"}, "active": False},
]
TAGS = [{"key": k, "labels": {"en": k.title()}} for k in ("new", "hot", "sale")]

GADGET_FIELDS = [
    {"api_name": "code", "type": "text", "unique": True, "options": {"max_length": 20}},
    {"api_name": "price", "type": "currency", "indexed": True, "history_tracked": True},
    {"api_name": "quantity", "type": "number", "options": {"min": 0, "max": 1000}},
    {"api_name": "discount", "type": "percent"},
    {"api_name": "released", "type": "date", "indexed": True},
    {"api_name": "checked_at", "type": "datetime"},
    {"api_name": "active", "type": "boolean"},
    {"api_name": "email", "type": "email"},
    {"api_name": "phone", "type": "phone"},
    {"api_name": "website", "type": "url"},
    {"api_name": "notes", "type": "long_text"},
    {"api_name": "color", "type": "picklist", "history_tracked": True, "options": {"values": COLORS}},
    {"api_name": "tags", "type": "multi_picklist", "options": {"values": TAGS}},
    {"api_name": "account", "type": "lookup", "options": {"target": "account", "on_delete": "set_null"}},
    {"api_name": "serial", "type": "auto_number", "options": {"format": "G-{0000}"}},
    {"api_name": "total", "type": "formula", "options": {"formula": "price * quantity", "result_type": "currency"}},
    {"api_name": "manual", "type": "file"},
    {"api_name": "photo", "type": "image"},
    {"api_name": "secret", "type": "text", "history_tracked": True},
]


GADGET_LABELS = {"en": {"singular": "Gadget", "plural": "Gadgets"}, "zh-hans": {"singular": "小工具"}}


def send(client, method: str, url: str, body=None, **extra):
    """A JSON request."""
    kwargs = {"content_type": "application/json"} if body is not None else {}
    data = json.dumps(body) if body is not None else None
    call = getattr(client, method.lower())
    return call(url, data, **kwargs, **extra) if data is not None else call(url, **extra)


def codes(response, field=None) -> list[str]:
    """The error codes of one field (or the non-field errors) of an error response."""
    body = response.json()
    details = body["non_field_errors"] if field is None else body["errors"].get(field, [])
    return [d["code"] for d in details]


def count_records(object_api_name: str, admin, **filters) -> int:
    page = service.list_records(object_api_name, admin, filters=list(filters.items()), count=True, limit=1)
    return page.total


class Restricted:
    """Wraps the permission service's answer for an actor, hiding some fields and making others
    read-only (what profiles and field permissions will do)."""

    def __init__(self, inner, hidden, read_only):
        self._inner, self._hidden, self._read_only = inner, set(hidden), set(read_only)

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def readable(self, obj, field):
        return field.api_name not in self._hidden and self._inner.readable(obj, field)

    def editable(self, obj, field):
        return (field.api_name not in self._hidden | self._read_only) and self._inner.editable(obj, field)
