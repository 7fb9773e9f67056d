"""Indexes that let record-level security read a user's records in list order (see bench/security.py):

- (owner_id, created_at) on the record table (every object's partition): the default list, "mine,
  newest first";
- (owner_id, <slot>) for every indexed field already there (new ones get it from
  tessera.records.indexing.needs_owner_index).

Built in each tenant schema (and the base schema new tenants are cloned from); nothing in public.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django_tenants.utils import get_public_schema_name
from psycopg2 import sql


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    connection = schema_editor.connection
    if connection.schema_name == get_public_schema_name():  # type: ignore[attr-defined]
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('record') IS NOT NULL AND to_regclass('metadata_fielddef') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return
        cursor.execute("CREATE INDEX IF NOT EXISTS record_owner_created_idx ON record (owner_id, created_at)")
        cursor.execute(
            "SELECT id, object_id, slot FROM metadata_fielddef WHERE deleted_at IS NULL AND slot <> '' "
            "AND type NOT IN ('lookup', 'user') AND coalesce((spec->>'indexed')::boolean, false)")
        for field_id, object_id, slot in cursor.fetchall():
            cursor.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {name} ON {table} (owner_id, {slot})").format(
                name=sql.Identifier(f"record_o{int(object_id)}_w{int(field_id)}"),
                table=sql.Identifier(f"record_o{int(object_id)}"), slot=sql.Identifier(slot)))


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.schema_name == get_public_schema_name():  # type: ignore[attr-defined]
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS record_owner_created_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0003_standard_profiles"),
        ("metadata", "0002_standard_objects"),
        ("records", "0001_initial"),
    ]
    operations = [migrations.RunPython(create, drop)]
