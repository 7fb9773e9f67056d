from django.db import migrations, models

#: The partitioned record table as tessera.records.storage described it when this migration was
#: written (its own copy: a migration never changes with the runtime; later changes are new
#: migrations).
RECORD_TABLE = """
CREATE SEQUENCE record_id_seq AS bigint;
CREATE TABLE record (
    id bigint NOT NULL DEFAULT nextval('record_id_seq'),
    object_id integer NOT NULL,
    version integer NOT NULL DEFAULT 1,
    owner_id bigint,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint,
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    deleted_by bigint,
    category text,
    name text,
    t1 text,
    t2 text,
    t3 text,
    t4 text,
    t5 text,
    t6 text,
    t7 text,
    t8 text,
    t9 text,
    t10 text,
    t11 text,
    t12 text,
    t13 text,
    t14 text,
    t15 text,
    t16 text,
    n1 numeric,
    n2 numeric,
    n3 numeric,
    n4 numeric,
    n5 numeric,
    n6 numeric,
    n7 numeric,
    n8 numeric,
    n9 numeric,
    n10 numeric,
    n11 numeric,
    n12 numeric,
    n13 numeric,
    n14 numeric,
    n15 numeric,
    n16 numeric,
    d1 date,
    d2 date,
    d3 date,
    d4 date,
    d5 date,
    d6 date,
    d7 date,
    d8 date,
    ts1 timestamptz,
    ts2 timestamptz,
    ts3 timestamptz,
    ts4 timestamptz,
    ts5 timestamptz,
    ts6 timestamptz,
    ts7 timestamptz,
    ts8 timestamptz,
    r1 bigint,
    r2 bigint,
    r3 bigint,
    r4 bigint,
    r5 bigint,
    r6 bigint,
    r7 bigint,
    r8 bigint,
    r9 bigint,
    r10 bigint,
    r11 bigint,
    r12 bigint,
    r13 bigint,
    r14 bigint,
    r15 bigint,
    r16 bigint,
    b1 boolean,
    b2 boolean,
    b3 boolean,
    b4 boolean,
    b5 boolean,
    b6 boolean,
    data jsonb NOT NULL DEFAULT '{}'::jsonb
) PARTITION BY LIST (object_id);
ALTER SEQUENCE record_id_seq OWNED BY record.id;
CREATE INDEX record_name_idx ON record (name);
CREATE INDEX record_created_idx ON record (created_at);
CREATE INDEX record_updated_idx ON record (updated_at);
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.RunSQL(RECORD_TABLE, "DROP TABLE record; DROP SEQUENCE IF EXISTS record_id_seq;"),
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
