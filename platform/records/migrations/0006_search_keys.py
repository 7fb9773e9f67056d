"""Global search served by indexes (docs/benchmarks.md, "Global search"): the name's pinyin keys
(`name_pinyin`, `name_initials`, kept by the write path from now on, see
tessera.records.search_keys), prefix indexes on them and on the lower-cased name, and an index on
the normalised value of every phone field. Existing records get their keys here (a background job
for large objects), existing phone fields their index (likewise)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django_tenants.utils import get_public_schema_name

from metadata.cache import get_meta
from tessera.records import indexing

#: As tessera.records.storage described them when this migration was written (its own copy).
COLUMNS = "ALTER TABLE record ADD COLUMN IF NOT EXISTS name_pinyin text, ADD COLUMN IF NOT EXISTS name_initials text"
INDEXES = {
    "record_search_name_idx": '((lower(name) COLLATE "C"), id) WHERE deleted_at IS NULL',
    "record_search_pinyin_idx": '((name_pinyin COLLATE "C"), id) WHERE deleted_at IS NULL AND name_pinyin IS NOT NULL',
    "record_search_initials_idx":
        '((name_initials COLLATE "C"), id) WHERE deleted_at IS NULL AND name_initials IS NOT NULL',
}


def _tenant_schema(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    if schema_editor.connection.schema_name == get_public_schema_name():  # type: ignore[attr-defined]
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('record') IS NOT NULL")
        return bool(cursor.fetchone()[0])


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if not _tenant_schema(schema_editor):
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(COLUMNS)
        for name, definition in INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON record {definition}")
        cursor.execute("SELECT to_regclass('metadata_metadataversion') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return
    for obj in get_meta().objects.values():
        indexing.ensure_search_keys(obj.id)
        indexing.ensure_duplicate_indexes(obj)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if not _tenant_schema(schema_editor):
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute("ALTER TABLE record DROP COLUMN IF EXISTS name_pinyin, DROP COLUMN IF EXISTS name_initials")


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0005_upload"),
        ("metadata", "0002_standard_objects"),
        ("core", "0003_job_heartbeat"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
