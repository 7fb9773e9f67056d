"""Install the standard profiles (administrator, sales manager, salesperson, read only) in every
tenant schema — in the base schema too, so every clone has them — and give existing users one:
system administrators the administrator profile, everyone else the default (salesperson)."""

import uuid
from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django_tenants.utils import get_public_schema_name

#: The standard profiles as they were when this migration was written (its own copy).
STANDARD_PROFILES: list[dict[str, Any]] = [{'api_name': 'administrator',
  'spec': {'labels': {'zh-hans': '系统管理员', 'en': 'Administrator'},
           'description': 'Every right: configuration, users, all data, audit log.',
           'admin': {'customize': True,
                     'manage_users': True,
                     'export': True,
                     'view_audit_log': True,
                     'view_all_data': True,
                     'modify_all_data': True},
           'default_object': {'create': True,
                              'read': True,
                              'edit': True,
                              'delete': True,
                              'view_all': True,
                              'modify_all': True}}},
 {'api_name': 'sales_manager',
  'spec': {'labels': {'zh-hans': '销售经理', 'en': 'Sales manager'},
           'description': 'Works with every object; sees and manages the records of the roles below; may '
                          'export.',
           'admin': {'export': True},
           'default_object': {'create': True, 'read': True, 'edit': True, 'delete': True}}},
 {'api_name': 'salesperson',
  'is_default': True,
  'spec': {'labels': {'zh-hans': '销售员', 'en': 'Salesperson'},
           'description': 'Creates and works on their own records and those shared with them.',
           'default_object': {'create': True, 'read': True, 'edit': True, 'delete': True}}},
 {'api_name': 'read_only',
  'spec': {'labels': {'zh-hans': '只读', 'en': 'Read only'},
           'description': 'Reads the records they may see; changes nothing.',
           'default_object': {'read': True}}}]


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.schema_name == get_public_schema_name():  # type: ignore[attr-defined]
        return
    Profile = apps.get_model("security", "Profile")
    User = apps.get_model("security", "User")
    SecurityVersion = apps.get_model("security", "SecurityVersion")
    if not SecurityVersion.objects.exists():
        SecurityVersion.objects.create(version=0, token=uuid.uuid4())
    for item in STANDARD_PROFILES:
        Profile.objects.update_or_create(api_name=item["api_name"], defaults={
            "is_standard": True, "is_default": bool(item.get("is_default")), "spec": item["spec"]})
    administrator = Profile.objects.get(api_name="administrator")
    default = Profile.objects.get(is_default=True)
    User.objects.filter(profile__isnull=True, is_admin=True).update(profile=administrator)
    User.objects.filter(profile__isnull=True, is_admin=False).update(profile=default)


class Migration(migrations.Migration):
    dependencies = [("security", "0002_security_model")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
