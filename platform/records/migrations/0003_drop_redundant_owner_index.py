"""Drop record_owner_idx (owner_id): security's record_owner_created_idx (owner_id, created_at)
serves every query it served, and each index costs every record insert (bench/records.py (d))."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django_tenants.utils import get_public_schema_name


def _in_tenant_schema(schema_editor: BaseDatabaseSchemaEditor, statement: str) -> None:
    if schema_editor.connection.schema_name == get_public_schema_name():  # type: ignore[attr-defined]
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('record') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute(statement)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _in_tenant_schema(schema_editor, "DROP INDEX IF EXISTS record_owner_idx")


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _in_tenant_schema(schema_editor, "CREATE INDEX IF NOT EXISTS record_owner_idx ON record (owner_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_partial_slot_indexes"),
        ("security", "0004_owner_indexes"),
    ]
    operations = [migrations.RunPython(drop, create)]
