"""The one cache helper for compiled per-process snapshots (a tenant's metadata, a user's rights):
a bounded, least-recently-used map (cachetools.LRUCache) that threads may share.

What is cached must be immutable and keyed by everything it depends on (schema, version, token…):
entries are never invalidated, only evicted, so a new version simply misses.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SnapshotCache(Generic[K, V]):
    def __init__(self, maxsize: int):
        self._entries: LRUCache[K, V] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The entry (now the most recently used), or None."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._entries[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def keys(self) -> list[K]:
        with self._lock:
            return list(self._entries)
