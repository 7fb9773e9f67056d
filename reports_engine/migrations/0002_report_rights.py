"""The report rights of the standard profiles: salespeople and sales managers create their own
reports, sales managers also share them and build dashboards (administrators have every right)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django_tenants.utils import get_public_schema_name

RIGHTS = {
    "salesperson": {"create_reports": True},
    "sales_manager": {"create_reports": True, "share_reports": True, "build_dashboards": True},
}


def grant(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.schema_name == get_public_schema_name():  # type: ignore[attr-defined]
        return
    Profile = apps.get_model("security", "Profile")
    for profile in Profile.objects.filter(api_name__in=RIGHTS, is_standard=True):
        admin = dict(profile.spec.get("admin") or {})
        admin.update(RIGHTS[profile.api_name])
        profile.spec = {**profile.spec, "admin": admin}
        profile.save(update_fields=["spec"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports_engine", "0001_initial"),
        ("security", "0005_login_counters_sessions_two_factor"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
