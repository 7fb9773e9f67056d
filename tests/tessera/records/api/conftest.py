"""Fixtures of the records API tests: a logged-in client on tenant A, a `gadget` object with a
field of every type, and a way to narrow what the permission service grants (hidden and read-only
fields). The helpers they use are in tests.helpers.records_api."""

from __future__ import annotations

import pytest

from tessera.records import service
from tests.helpers.records_api import GADGET_FIELDS, GADGET_LABELS, Restricted


@pytest.fixture
def api(client_a, admin_a):
    """A client logged in as tenant A's administrator."""
    client_a.force_login(admin_a)
    return client_a


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


@pytest.fixture
def restrict(monkeypatch):
    """`restrict(hidden=[...], read_only=[...])`: from now on the permission service hides / locks
    these fields for everyone."""

    def apply(hidden=(), read_only=()):
        original = service.access_for
        monkeypatch.setattr(service, "access_for", lambda actor: Restricted(original(actor), hidden, read_only))

    return apply
