"""Install the standard objects (in the base schema every tenant is cloned from, and in any schema
migrated from scratch)."""

import uuid

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    MetadataVersion = apps.get_model("metadata", "MetadataVersion")
    if not MetadataVersion.objects.exists():
        MetadataVersion.objects.create(version=0, token=uuid.uuid4())
    from metadata.standard import install_standard_objects
    from tessera.security.access import SYSTEM

    install_standard_objects(SYSTEM)


class Migration(migrations.Migration):
    dependencies = [
        ("metadata", "0001_initial"),
        ("records", "0001_initial"),
        ("security", "0001_initial"),
        ("core", "0002_sql_functions"),
    ]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
