"""Installs the SQL functions the runtime relies on into the public schema (idempotent).

Two files: the record storage's own (`records/sql/functions.sql`) and the formula engine's
(`metadata/formulas/sql_functions.sql`). Run by a migration and again by `tessera migrate`, so a
changed function reaches an existing database.
"""

from pathlib import Path

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

FILES = [Path(__file__).parent / "sql" / "functions.sql"]


def sql_files() -> list[Path]:
    files = list(FILES)
    try:
        from metadata.formulas import SQL_FUNCTIONS_PATH
    except ImportError:  # the formula engine is optional for the storage itself
        SQL_FUNCTIONS_PATH = None  # type: ignore[assignment]
    if SQL_FUNCTIONS_PATH and Path(SQL_FUNCTIONS_PATH).exists():
        files.append(Path(SQL_FUNCTIONS_PATH))
    return files


def install_sql_functions(conn: BaseDatabaseWrapper | None = None) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        for path in sql_files():
            cursor.execute(path.read_text())
