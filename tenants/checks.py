"""System checks on the tenants that exist: none may hold a reserved slug (a name the product uses
for itself), except the public schema's row and the demo tenant that `tessera run` made under its
own reserved name.

They read the database, so they run with `tessera manage check --database default` and before
`tessera migrate`, not on every start."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import get_public_schema_name
from psycopg2 import sql

from .demo import DEMO_ADMIN_EMAIL, DEMO_SLUG
from .models import Tenant
from .slugs import RESERVED_SLUGS


@checks.register(checks.Tags.database)
def reserved_slugs_in_use(app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None,
                          **kwargs: Any) -> list[checks.CheckMessage]:
    if not databases:
        return []
    try:
        clashing = list(Tenant.objects.filter(slug__in=RESERVED_SLUGS).exclude(schema_name=get_public_schema_name())
                        .order_by("slug"))
    except DatabaseError:
        return []  # not migrated yet: nothing to report
    found: list[checks.CheckMessage] = []
    for tenant in clashing:
        if tenant.slug == DEMO_SLUG and _has_user(tenant.schema_name, DEMO_ADMIN_EMAIL):
            continue
        found.append(checks.Warning(
            f"Tenant {tenant.slug!r} has a reserved slug (a name Tessera uses for itself).",
            hint="Rename the tenant (a new slug and host name) and tell its users the new address.",
            obj=tenant, id="tenants.W001"))
    return found


def _has_user(schema: str, email: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {}.security_user WHERE email = %s)").format(
                sql.Identifier(schema)), [email])
            return cursor.fetchone()[0]
    except DatabaseError:  # no such schema or table: not the demo tenant `tessera run` made
        return False
