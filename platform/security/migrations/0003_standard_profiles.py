"""Install the standard profiles (administrator, sales manager, salesperson, read only) in every
tenant schema — in the base schema too, so every clone has them — and give existing users one:
system administrators the administrator profile, everyone else the default (salesperson)."""

import uuid

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django_tenants.utils import get_public_schema_name


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.schema_name == get_public_schema_name():  # type: ignore[attr-defined]
        return
    from tessera.security.specs import standard_profiles

    Profile = apps.get_model("security", "Profile")
    User = apps.get_model("security", "User")
    SecurityVersion = apps.get_model("security", "SecurityVersion")
    if not SecurityVersion.objects.exists():
        SecurityVersion.objects.create(version=0, token=uuid.uuid4())
    for item in standard_profiles():
        Profile.objects.update_or_create(api_name=item["api_name"], defaults={
            "is_standard": True, "is_default": bool(item.get("is_default")), "spec": item["spec"]})
    administrator = Profile.objects.get(api_name="administrator")
    default = Profile.objects.get(is_default=True)
    User.objects.filter(profile__isnull=True, is_admin=True).update(profile=administrator)
    User.objects.filter(profile__isnull=True, is_admin=False).update(profile=default)


class Migration(migrations.Migration):
    dependencies = [("security", "0002_security_model")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
