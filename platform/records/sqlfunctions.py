"""Installs the SQL functions the runtime relies on into the public schema (idempotent).

Two files: the record storage's own (`records/sql/functions.sql`) and the formula engine's
(`metadata/formulas/sql_functions.sql`). The first version is carried by a migration (core 0002);
the current one is installed after every migrate of the public schema (post_migrate), so a changed
function reaches an existing database.
"""

from pathlib import Path

from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from metadata.formulas import SQL_FUNCTIONS_PATH

FILES = [Path(__file__).parent / "sql" / "functions.sql"]


def sql_files() -> list[Path]:
    files = list(FILES)
    if SQL_FUNCTIONS_PATH and Path(SQL_FUNCTIONS_PATH).exists():
        files.append(Path(SQL_FUNCTIONS_PATH))
    return files


def install_sql_functions(conn: BaseDatabaseWrapper | None = None) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        for path in sql_files():
            cursor.execute(path.read_text())


def install_after_migrate(sender: object, *, using: str = "default", **kwargs: object) -> None:
    """post_migrate: the current functions, in the public schema (tenant schemas find them there)."""
    conn = connections[using]
    if getattr(conn, "schema_name", "public") == "public":
        install_sql_functions(conn)
