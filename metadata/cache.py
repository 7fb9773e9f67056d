"""The only way the runtime reads metadata: `get_meta()` → an immutable TenantMeta snapshot.

Snapshots are compiled from the metadata tables once per (schema, version, token) and kept in a
small per-process LRU (tessera.lru). The key carries the schema, so tenants never share an entry; it carries the
version and its token, so a change is visible to the next read in every process, and a snapshot
compiled inside a transaction that rolled back is never used again (its token never comes back).
Each call costs one single-row query (the version); callers pass the snapshot down rather than
asking again. Inside a transaction that changes metadata, every call compiles afresh and caches
nothing (see versioning.lock_metadata).

A compile starts from what the last compile of the same schema (of the same database) made of
each row version (`_parts`, see compile.compile_tenant_meta): only the rows written since are read
and compiled again, so a save costs what it wrote, not the tenant's size, and so does the compile
under the metadata lock that every change makes for its checks.
"""

from __future__ import annotations

from django.db import connection

from tessera.lru import SnapshotCache

from .compile import CompiledRows, compile_tenant_meta
from .meta import TenantMeta
from .versioning import current_version

MAX_ENTRIES = 256

_entries: SnapshotCache[tuple[str, int, str], TenantMeta] = SnapshotCache(MAX_ENTRIES)
#: (database, schema) → the rows of the last compile of that schema, by row version.
_parts: SnapshotCache[tuple[str, str], CompiledRows] = SnapshotCache(MAX_ENTRIES)


def get_meta() -> TenantMeta:
    schema = connection.schema_name  # type: ignore[attr-defined]
    version, token, changing = current_version()
    if changing:
        return _compile(schema, version, token)
    key = (schema, version, token)
    meta = _entries.get(key)
    if meta is None:
        meta = _entries.put(key, _compile(schema, version, token))
    return meta


def _compile(schema: str, version: int, token: str) -> TenantMeta:
    parts_key = (str(connection.settings_dict["NAME"]), schema)
    meta, parts = compile_tenant_meta(schema, version, token, _parts.get(parts_key))
    _parts.put(parts_key, parts)
    return meta


def clear() -> None:
    """Drop every cached snapshot and compiled row (tests; never needed for correctness)."""
    _entries.clear()
    _parts.clear()


def cached_keys() -> list[tuple[str, int, str]]:
    return _entries.keys()
