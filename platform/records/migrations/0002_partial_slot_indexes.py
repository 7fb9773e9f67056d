"""Field indexes become partial on live records and end with the id (see indexing._index_statement):
rebuild the existing ones in each tenant schema (and the base schema)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django_tenants.utils import get_public_schema_name
from psycopg2 import sql


def rebuild(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    connection = schema_editor.connection
    if connection.schema_name == get_public_schema_name():  # type: ignore[attr-defined]
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('metadata_metadataversion') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return
    from metadata.cache import get_meta
    from tessera.records import indexing
    from tessera.records.storage import field_index_name, owner_index_name

    for obj in get_meta().objects.values():
        for field in obj.fields:
            with connection.cursor() as cursor:
                if indexing.needs_index(field):
                    cursor.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(
                        sql.Identifier(field_index_name(field.object_id, field.id))))
                    cursor.execute(indexing._index_statement(field, unique=False, concurrently=False))
                if indexing.needs_owner_index(field):
                    cursor.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(
                        sql.Identifier(owner_index_name(field.object_id, field.id))))
                    cursor.execute(indexing._owner_index_statement(field, concurrently=False))


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
        ("metadata", "0002_standard_objects"),
        ("security", "0004_owner_indexes"),
    ]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
