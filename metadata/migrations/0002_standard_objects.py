"""Install the standard objects (in the base schema every tenant is cloned from, and in any schema
migrated from scratch)."""

import uuid

from django.db import migrations


def install(apps, schema_editor):
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
