"""Joins 0004 (history columns, standard objects) and 0005 (deleted objects kept): 0005 must come
first on a new schema (see 0005)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("metadata", "0005_object_soft_delete"),
        ("metadata", "0004_merge_history_columns"),
    ]

    operations = []
