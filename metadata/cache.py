"""The only way the runtime reads metadata: `get_meta()` → an immutable TenantMeta snapshot.

Snapshots are compiled from the metadata tables once per (schema, version, token) and kept in a
small per-process LRU. The key carries the schema, so tenants never share an entry; it carries the
version and its token, so a change is visible to the next read in every process, and a snapshot
compiled inside a transaction that rolled back is never used again (its token never comes back).
Each call costs one single-row query (the version); callers pass the snapshot down rather than
asking again. Inside a transaction that changes metadata, every call compiles afresh and caches
nothing (see versioning.lock_metadata).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.db import connection

from .compile import compile_tenant_meta
from .meta import TenantMeta
from .versioning import current_version

MAX_ENTRIES = 256

_lock = threading.Lock()
_entries: OrderedDict[tuple[str, int, str], TenantMeta] = OrderedDict()


def get_meta() -> TenantMeta:
    schema = connection.schema_name  # type: ignore[attr-defined]
    version, token, changing = current_version()
    if changing:
        return compile_tenant_meta(schema, version, token)
    key = (schema, version, token)
    with _lock:
        meta = _entries.get(key)
        if meta is not None:
            _entries.move_to_end(key)
            return meta
    meta = compile_tenant_meta(schema, version, token)
    with _lock:
        _entries[key] = meta
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return meta


def clear() -> None:
    """Drop every cached snapshot (tests; never needed for correctness)."""
    with _lock:
        _entries.clear()


def cached_keys() -> list[tuple[str, int, str]]:
    with _lock:
        return list(_entries)
