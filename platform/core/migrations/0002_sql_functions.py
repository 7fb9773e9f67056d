"""The SQL functions of the runtime, in the public schema only (tenant schemas find them there)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if getattr(schema_editor.connection, "schema_name", "public") != "public":
        return
    from tessera.records.sqlfunctions import install_sql_functions

    install_sql_functions(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
