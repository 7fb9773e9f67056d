"""The name of the table holding an object's records: part of the object's compiled metadata
(`ObjectMeta.table`), and what the runtime's storage layer (tessera.records.storage) creates."""

from __future__ import annotations


def partition_name(object_id: int) -> str:
    """The object's partition of the tenant's `record` table."""
    return f"record_o{int(object_id)}"
