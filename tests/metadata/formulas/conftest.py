"""Fixtures of the formula tests: ONE database fixture (``formula_db``) to wire into the project's.

``formula_db`` opens its own psycopg2 connection (``TESSERA_FORMULA_TEST_DSN``, else the project's
test database under pytest-django, else the local default), creates a private schema holding the runtime's ``tessera_date``/``tessera_timestamptz``,
the package's ``SQL_FUNCTIONS`` and a ``formula_records (id, data jsonb)`` table, and drops it at the
end. Tests using it are skipped cleanly when no server is reachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from metadata.formulas import SQL_FUNCTIONS

DEFAULT_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"

RUNTIME_FUNCTIONS = """
CREATE OR REPLACE FUNCTION tessera_date(text) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT make_date(substr($1,1,4)::int, substr($1,6,2)::int, substr($1,9,2)::int) $$;
CREATE OR REPLACE FUNCTION tessera_timestamptz(text) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT timezone('UTC', make_timestamp(substr($1,1,4)::int, substr($1,6,2)::int, substr($1,9,2)::int,
   substr($1,12,2)::int, substr($1,15,2)::int, substr($1,18,2)::float8)) $$;
"""


def _project_dsn(request) -> str | None:
    """The project's test database, when the suite runs under pytest-django (`make test`): the
    formula SQL then runs on the same server as everything else, embedded or not."""
    if not request.config.pluginmanager.hasplugin("django"):
        return None
    try:
        request.getfixturevalue("django_db_setup")
    except pytest.FixtureLookupError:
        return None
    from django.db import connection

    db = connection.settings_dict
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""
    parts = {"dbname": db["NAME"], "user": db.get("USER") or "", "password": db.get("PASSWORD") or "",
             "host": host, "port": str(db.get("PORT") or "")}
    return " ".join(f"{k}='{v}'" for k, v in parts.items() if v)


@pytest.fixture(scope="session")
def formula_db(request) -> Iterator[Any]:
    psycopg2 = pytest.importorskip("psycopg2")
    dsn = os.environ.get("TESSERA_FORMULA_TEST_DSN") or _project_dsn(request) or DEFAULT_DSN
    try:
        conn = psycopg2.connect(dsn, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server for formula SQL tests ({exc})".strip())
    conn.autocommit = True
    schema = f"tessera_formula_test_{uuid.uuid4().hex[:12]}"
    with conn.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
        cur.execute(f'SET search_path TO "{schema}", public')
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute(RUNTIME_FUNCTIONS)
        cur.execute(SQL_FUNCTIONS)
        cur.execute("CREATE TABLE formula_records (id bigserial PRIMARY KEY, data jsonb NOT NULL)")
    try:
        yield conn
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
        conn.close()


def pytest_collection_modifyitems(config, items):
    """Under pytest-django, tests using `formula_db` ask for the test database to be created."""
    if not config.pluginmanager.hasplugin("django"):
        return
    for item in items:
        if "formula_db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db)
