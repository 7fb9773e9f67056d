"""Uploads: who uploaded each file and whether its token was used (single-use upload tokens)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("records", "0004_autonumber_counter")]

    operations = [
        migrations.CreateModel(
            name="Upload",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("path", models.CharField(max_length=512, unique=True)),
                ("uploaded_by", models.BigIntegerField(null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("attached_at", models.DateTimeField(null=True)),
            ],
        ),
    ]
