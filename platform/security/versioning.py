"""The security version: one row per schema, bumped (with a fresh token) in the same transaction as
every change that can alter anyone's rights — profiles, permission sets, users' assignments, roles,
departments, sharing rules, manual shares, support grants.

Compiled rights are cached per (schema, version, token, user) (see rights.py): a change is seen by the
next request in every process, and rights compiled inside a transaction that rolled back are never
served again (their token never comes back). Model signals bump it for every save and delete of the
security models (apps.py), so even a direct ORM write cannot leave stale rights behind; bulk
`QuerySet.update()`s call `bump()` themselves.
"""

from __future__ import annotations

import uuid

from django.db import connection


def current() -> tuple[int, str, bool]:
    """(version, token, changed by the current transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version, token::text, xmin = xid(pg_current_xact_id_if_assigned()) "
            "FROM security_securityversion ORDER BY id LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        return 0, "", False
    return row[0], row[1], bool(row[2])


def bump() -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE security_securityversion SET version = version + 1, token = %s",
                       [str(uuid.uuid4())])
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO security_securityversion (version, token) VALUES (1, %s)",
                           [str(uuid.uuid4())])
