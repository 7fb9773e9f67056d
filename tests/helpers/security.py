"""The organisation the security tests build (roles, departments, users with the standard
profiles), HTTP clients logged in as any of its users, and readers of error responses."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.test import Client

from tests.helpers.tenants import host_of


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


def codes(response) -> list[str]:
    body = response.json()
    return [d["code"] for details in body.get("errors", {}).values() for d in details] + \
        [d["code"] for d in body.get("non_field_errors", [])]


def field_codes(response) -> dict[str, list[str]]:
    return {name: [d["code"] for d in details] for name, details in response.json().get("errors", {}).items()}
