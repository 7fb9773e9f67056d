# Written by hand to hold the initial data too (default plan, public tenant row).

import django.db.models.deletion
import django_tenants.postgresql_backend.base
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create_defaults(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Plan = apps.get_model("tenants", "Plan")
    Tenant = apps.get_model("tenants", "Tenant")
    plan, _ = Plan.objects.get_or_create(
        code="standard", defaults={"name": "Standard", "max_users": 150, "is_default": True}
    )
    Tenant.objects.get_or_create(schema_name="public", defaults={"slug": "public", "name": "Tessera platform"})


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Plan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("max_users", models.PositiveIntegerField(default=150, verbose_name="maximum users")),
                ("max_records", models.PositiveBigIntegerField(default=5000000, verbose_name="maximum records")),
                ("is_default", models.BooleanField(default=False, verbose_name="default for sign-up")),
            ],
        ),
        migrations.AddConstraint(
            model_name="plan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_default", True)), fields=("is_default",), name="one_default_plan"
            ),
        ),
        migrations.CreateModel(
            name="Tenant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "schema_name",
                    models.CharField(
                        db_index=True,
                        max_length=63,
                        unique=True,
                        validators=[django_tenants.postgresql_backend.base._check_schema_name],
                    ),
                ),
                ("slug", models.SlugField(max_length=40, unique=True, verbose_name="slug")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("time_zone", models.CharField(default="Asia/Shanghai", max_length=64, verbose_name="time zone")),
                ("currency", models.CharField(default="CNY", max_length=3, verbose_name="currency")),
                ("language", models.CharField(default="zh-hans", max_length=10, verbose_name="language")),
                ("created_on", models.DateTimeField(auto_now_add=True, verbose_name="created on")),
                (
                    "plan",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tenants",
                        to="tenants.plan",
                    ),
                ),
            ],
            options={"abstract": False},
        ),
        migrations.CreateModel(
            name="Domain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("domain", models.CharField(db_index=True, max_length=253, unique=True)),
                ("is_primary", models.BooleanField(db_index=True, default=True)),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="domains", to="tenants.tenant"
                    ),
                ),
            ],
            options={"abstract": False},
        ),
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
