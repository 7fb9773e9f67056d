"""The session tenants every test can use (made once per session by tests/conftest.py) and how to
reach them over HTTP."""

from __future__ import annotations

SESSION_TENANTS = {"alpha": "Alpha 阿尔法", "beta": "Beta 贝塔"}
ADMIN_PASSWORD = "correct-horse-battery-9"


def host_of(tenant) -> str:
    return f"{tenant.slug}.localhost"
