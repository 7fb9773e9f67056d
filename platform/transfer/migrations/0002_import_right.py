"""The import right (profile.json's admin.import): given to the standard profiles that may export
(administrator, sales manager), in every tenant schema and the base schema its clones come from."""

import uuid

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import F
from django_tenants.utils import get_public_schema_name


def grant(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.schema_name == get_public_schema_name():  # type: ignore[attr-defined]
        return
    Profile = apps.get_model("security", "Profile")
    SecurityVersion = apps.get_model("security", "SecurityVersion")
    changed = False
    for profile in Profile.objects.filter(is_standard=True):
        admin = dict(profile.spec.get("admin") or {})
        if admin.get("export") and "import" not in admin:
            admin["import"] = True
            profile.spec = {**profile.spec, "admin": admin}
            profile.save(update_fields=["spec"])
            changed = True
    if changed:  # cached rights are keyed by the security version: make them compile again
        SecurityVersion.objects.update(version=F("version") + 1, token=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("transfer", "0001_initial"), ("security", "0005_login_counters_sessions_two_factor")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
