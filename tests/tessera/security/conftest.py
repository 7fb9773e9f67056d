"""Fixtures of the security tests: an organisation in tenant A (roles, departments, users with the
standard profiles) and records owned across it; the organisation's shape and the error readers are in
tests.helpers.security."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.helpers.security import DEPARTMENTS, ROLES, USERS, Org


@pytest.fixture
def org(in_tenant_a) -> Org:
    from tessera.security.models import Department, Profile, Role

    built = Org(tenant=in_tenant_a)
    for name, parent in ROLES.items():
        built.roles[name] = Role.objects.create(name=name, parent=built.roles.get(parent))
    for name, parent in DEPARTMENTS.items():
        built.departments[name] = Department.objects.create(name=name, parent=built.departments.get(parent))
    profiles = {p.api_name: p for p in Profile.objects.all()}
    User = get_user_model()
    for name, (profile, role, department) in USERS.items():
        built.users[name] = User.objects.create_user(
            f"{name}@alpha.test", None, full_name=name.title(), profile=profiles[profile],
            role=built.roles.get(role), department=built.departments.get(department))
    return built


@pytest.fixture
def make_record():
    """`make_record("account", owner, name=…, **values)` written as SYSTEM (any owner)."""
    from tessera.records import service
    from tessera.security.access import SYSTEM

    counter = {"n": 0}

    def build(object_api_name="account", owner=None, **values):
        counter["n"] += 1
        values.setdefault("name", f"{object_api_name} {counter['n']}")
        if owner is not None:
            values["owner"] = owner.pk
        return service.create_record(object_api_name, values, SYSTEM, confirm_duplicates=True)

    return build


@pytest.fixture(autouse=True)
def _no_login_locks(request, django_db_blocker):
    """Tests that commit (browser tests against a live server) may leave failed logins of 127.0.0.1
    behind in the session tenants; each test here starts without them (rolled back after it)."""
    if "django_db_setup" not in request.fixturenames and "db" not in request.fixturenames:
        yield
        return
    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant
    from tessera.security.models import LoginThrottle

    with django_db_blocker.unblock():
        for tenant in Tenant.objects.filter(slug__in=["alpha", "beta"]):
            with tenant_context(tenant):
                LoginThrottle.objects.all().delete()
        connection.set_schema_to_public()
    yield
