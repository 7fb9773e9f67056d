"""Fixtures of the records API tests: a logged-in client on tenant A, a `gadget` object with a
field of every type, helpers to read error responses, and a way to narrow what the permission
service grants (hidden and read-only fields)."""

from __future__ import annotations

import json

import pytest

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


@pytest.fixture
def api(client_a, admin_a):
    """A client logged in as tenant A's administrator."""
    client_a.force_login(admin_a)
    return client_a


GADGET_LABELS = {"en": {"singular": "Gadget", "plural": "Gadgets"}, "zh-hans": {"singular": "小工具"}}


@pytest.fixture(scope="module")
def _gadget_in_module(django_db_setup, django_db_blocker):
    """The `gadget` object, built once per test module (building 19 fields takes seconds) inside
    an outer transaction rolled back after the module; each test runs in a savepoint of it."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from metadata.services import add_field, create_object
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            connection.set_tenant(Tenant.objects.get(slug="alpha"))
            admin = get_user_model().objects.get(email="admin@alpha.test")
            create_object({"api_name": "gadget", "labels": GADGET_LABELS}, admin)
            for field in GADGET_FIELDS:
                add_field("gadget", {"labels": {"en": field["api_name"].replace("_", " ").capitalize()}, **field},
                          admin)
            connection.set_schema_to_public()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.set_schema_to_public()


@pytest.fixture
def gadget(_gadget_in_module, in_tenant_a):
    from metadata.cache import get_meta

    return get_meta().objects["gadget"]


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


@pytest.fixture
def restrict(monkeypatch):
    """`restrict(hidden=[...], read_only=[...])`: from now on the permission service hides / locks
    these fields for everyone."""

    def apply(hidden=(), read_only=()):
        original = service.access_for
        monkeypatch.setattr(service, "access_for", lambda actor: Restricted(original(actor), hidden, read_only))

    return apply
