"""Fixtures of the security tests: an organisation in tenant A (roles, departments, users with the
standard profiles), records owned across it, and HTTP clients logged in as any of its users."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from conftest import host_of
from django.contrib.auth import get_user_model
from django.test import Client


@dataclass
class Org:
    tenant: object
    users: dict = field(default_factory=dict)
    roles: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def client(self, user) -> Client:
        from django_tenants.utils import tenant_context

        client = Client(HTTP_HOST=host_of(self.tenant))
        with tenant_context(self.tenant):  # the session lives in the tenant's schema
            client.force_login(user)
        return client


#: role → its parent role
ROLES = {"ceo": None, "east_mgr": "ceo", "east_rep": "east_mgr", "east_intern": "east_rep", "audit": "ceo",
         "audit_junior": "audit"}
#: department → its parent
DEPARTMENTS = {"hq": None, "d_boss": "hq", "d_mgr": "hq", "d_rep": "d_mgr", "d_reader": "hq", "d_peers": "hq"}
#: user → (profile, role, department)
USERS = {
    "boss": ("administrator", "ceo", "d_boss"),
    "ceo2": ("salesperson", "ceo", "d_peers"),
    "mgr": ("sales_manager", "east_mgr", "d_mgr"),
    "mgr_peer": ("sales_manager", "east_mgr", "d_peers"),
    "rep": ("salesperson", "east_rep", "d_rep"),
    "rep_peer": ("salesperson", "east_rep", "d_peers"),
    "intern": ("salesperson", "east_intern", "d_peers"),
    "reader": ("read_only", "audit", "d_reader"),
    "reader_peer": ("salesperson", "audit", "d_peers"),
    "reader_sub": ("salesperson", "audit_junior", "d_peers"),
    "other": ("salesperson", None, None),
}


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


def codes(response) -> list[str]:
    body = response.json()
    return [d["code"] for details in body.get("errors", {}).values() for d in details] + \
        [d["code"] for d in body.get("non_field_errors", [])]


def field_codes(response) -> dict[str, list[str]]:
    return {name: [d["code"] for d in details] for name, details in response.json().get("errors", {}).items()}


@pytest.fixture(autouse=True)
def _no_login_locks(request):
    """Tests that commit (browser tests against a live server) may leave failed logins of 127.0.0.1
    behind in the session tenants; each test here starts without them (rolled back after it)."""
    if "django_db_setup" not in request.fixturenames and "db" not in request.fixturenames:
        yield
        return
    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant
    from tessera.security.models import LoginThrottle

    for tenant in Tenant.objects.filter(slug__in=["alpha", "beta"]):
        with tenant_context(tenant):
            LoginThrottle.objects.all().delete()
    connection.set_schema_to_public()
    yield
