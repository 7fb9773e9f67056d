"""`tessera manage check --database default`: no tenant has an object named like a fixed app page.

New objects cannot take these names (the metadata engine refuses them); objects made before a name
was reserved would be unreachable at `/app/<name>/`, so the check lists them for an operator to rename.
"""

from __future__ import annotations

from django.core import checks
from django.db import connection
from psycopg2 import sql

from metadata.models import ObjectDef
from metadata.services.common import APP_PAGE_NAMES
from tenants.models import Tenant


@checks.register(checks.Tags.database)
def check_reserved_object_names(app_configs, **kwargs):
    found = []
    table = ObjectDef._meta.db_table
    with connection.cursor() as cursor:
        for schema in Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True):
            cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".{table}'])
            if cursor.fetchone()[0] is None:  # a tenant whose schema is not (yet) there has no objects
                continue
            cursor.execute(sql.SQL("SELECT api_name FROM {}.{} WHERE api_name = ANY(%s)").format(
                sql.Identifier(schema), sql.Identifier(table)), [sorted(APP_PAGE_NAMES)])
            found += [checks.Error(f"tenant schema {schema!r}: object {name!r} has the name of an app page "
                                   f"(/app/{name}/); rename it", id="ui_builder.E001") for (name,) in cursor.fetchall()]
    return found
