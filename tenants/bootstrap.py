"""`tessera migrate`: bring the public schema, the base schema and every tenant schema up to date.

Order matters: public first (tenants, plans), then the clone function and the base schema that new
tenants are cloned from, then the existing tenants (skipping those already up to date).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists
from psycopg2 import sql

from . import schema_template

logger = logging.getLogger(__name__)


def migrate_platform(*, verbosity: int = 1, tenants: bool = True) -> None:
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    CloneSchema()._create_clone_schema_function()
    ensure_base_schema(verbosity=verbosity)
    if tenants:
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def ensure_base_schema(*, verbosity: int = 1) -> None:
    """Create and migrate the schema new tenants are cloned from.

    The tenant apps' data migrations (the standard objects, for instance) run here too, so every
    clone starts with them.
    """
    base = settings.TENANT_BASE_SCHEMA
    if not schema_exists(base):
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(base)))
    call_command("migrate_schemas", tenant=True, schema_name=base, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    try:
        schema_template.capture(base)
    except schema_template.TemplateUnavailable as exc:  # provisioning falls back to clone_schema()
        logger.warning("no schema template, tenants will be cloned slowly: %s", exc)
