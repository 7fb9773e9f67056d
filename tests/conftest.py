"""Fixtures shared by every test area.

Tenant schemas are made once per test session (cloned from the base schema, committed) and every
test runs in a transaction that is rolled back, in the public schema unless it asks for a tenant.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django_tenants.clone import CloneSchema

from tests.helpers.tenants import ADMIN_PASSWORD, SESSION_TENANTS, host_of


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb):
    """The test database, always created (pytest-django creates it only when some collected test is
    marked django_db; tests that commit, such as the Celery and browser tests, need it too), with
    the base schema and the session tenants."""
    from django.test.utils import setup_databases, teardown_databases

    from tenants.bootstrap import ensure_base_schema
    from tenants.provisioning import create_tenant

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        db_config = setup_databases(verbosity=verbosity, interactive=False, aliases={"default"},
                                    keepdb=django_db_keepdb)
        CloneSchema()._create_clone_schema_function()
        ensure_base_schema(verbosity=0)
        for slug, name in SESSION_TENANTS.items():
            create_tenant(slug, name, admin_email=f"admin@{slug}.test", admin_password=ADMIN_PASSWORD)
        connection.set_schema_to_public()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            _end_other_sessions()
            teardown_databases(db_config, verbosity=verbosity)


def _end_other_sessions() -> None:
    """Threads that served requests or wrote concurrently (the live server's, the concurrency
    tests') can end without closing their connection, which lingers until garbage collection and
    keeps DROP DATABASE from running; end those sessions first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    connection.close()


@pytest.fixture(autouse=True)
def _public_schema_after_test():
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch):
    """Tests read messages in English (the `tessera` command and services alike); HTTP requests
    still pick their language per request (Accept-Language), zh-hans by default."""
    from django.utils import translation

    monkeypatch.setenv("TESSERA_LANGUAGE", "en")
    with translation.override("en"):
        yield


def _tenant(slug):
    from tenants.models import Tenant

    return Tenant.objects.get(slug=slug)


@pytest.fixture
def tenant_a(db):
    return _tenant("alpha")


@pytest.fixture
def tenant_b(db):
    return _tenant("beta")


@pytest.fixture
def in_tenant_a(tenant_a):
    """Run the test body in tenant A's schema."""
    connection.set_tenant(tenant_a)
    yield tenant_a
    connection.set_schema_to_public()


@pytest.fixture
def client_a(tenant_a) -> Client:
    return Client(HTTP_HOST=host_of(tenant_a))


@pytest.fixture
def client_b(tenant_b) -> Client:
    return Client(HTTP_HOST=host_of(tenant_b))


@pytest.fixture
def public_client(db) -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """For tests whose work must be visible to another connection (a Celery worker): no test
    transaction; the test cleans up what it commits."""
    with django_db_blocker.unblock():
        yield
    connection.set_schema_to_public()


@pytest.fixture
def admin_a(in_tenant_a):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email="admin@alpha.test")


@pytest.fixture
def make_object(in_tenant_a, admin_a):
    """Builder: `make_object("gadget", fields=[{"api_name": …, "type": …}, …])` in tenant A."""
    from metadata.services import add_field, create_object

    def build(api_name="gadget", *, fields=(), labels=None, **spec):
        create_object({"api_name": api_name, "labels": labels or {"en": {"singular": api_name.title()}}, **spec},
                      admin_a)
        for field in fields:
            add_field(api_name, {"labels": {"en": field["api_name"].title()}, **field}, admin_a)
        from metadata.cache import get_meta

        return get_meta().objects[api_name]

    return build
