"""A small generic registry: the extension mechanism for field types, job kinds, formula functions…

One registry per extension point; one implementation per key. The key of an entry is stored in data
(a field's type, a job's kind), so it never changes once released.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class RegistryError(KeyError):
    pass


class AlreadyRegistered(RegistryError):
    pass


class NotRegistered(RegistryError):
    pass


class Registry(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, T] = {}

    def register(self, key: str, entry: T) -> T:
        if key in self._entries:
            raise AlreadyRegistered(f"{self.name}: {key!r} is already registered")
        self._entries[key] = entry
        return entry

    def unregister(self, key: str) -> None:
        if key not in self._entries:
            raise NotRegistered(f"{self.name}: {key!r} is not registered")
        del self._entries[key]

    def get(self, key: str) -> T:
        try:
            return self._entries[key]
        except KeyError:
            raise NotRegistered(f"{self.name}: unknown key {key!r}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def items(self) -> ItemsView[str, T]:
        return self._entries.items()

    def keys(self) -> list[str]:
        return list(self._entries)

    def snapshot(self) -> dict[str, T]:
        """For tests that register a fake entry: restore() puts the registry back as it was."""
        return dict(self._entries)

    def restore(self, snapshot: dict[str, T]) -> None:
        self._entries = dict(snapshot)
