from django.db import migrations, models

from tessera.records.storage import create_record_table_sql


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.RunSQL(create_record_table_sql(), "DROP TABLE record; DROP SEQUENCE IF EXISTS record_id_seq;"),
        migrations.CreateModel(
            name="RecordChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("object_id", models.IntegerField()),
                ("record_id", models.BigIntegerField()),
                (
                    "action",
                    models.CharField(
                        choices=[("create", "Create"), ("update", "Update"), ("delete", "Delete"),
                                 ("restore", "Restore"), ("owner", "Owner")],
                        max_length=16,
                    ),
                ),
                ("changes", models.JSONField(default=dict)),
                ("user_id", models.BigIntegerField(null=True)),
                ("at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"indexes": [models.Index(fields=["record_id", "id"], name="records_rec_record__143e17_idx")]},
        ),
    ]
