"""Joins 0002 (standard objects) and 0003 (history columns): 0003 must come first on a new schema."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("metadata", "0003_change_object_and_reverts"),
        ("metadata", "0002_standard_objects"),
    ]

    operations = []
