"""The one small generic registry: the extension mechanism for field types, job kinds, formula
functions…

One registry per extension point; one implementation per key. The key of an entry is stored in data
(a field's type, a job's kind), so it never changes once released. Registering a key twice and
asking for an unknown key are loud errors (programming errors, not user errors).
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
C = TypeVar("C", bound=type)


class RegistryError(KeyError):
    pass


class AlreadyRegistered(RegistryError):
    pass


class NotRegistered(RegistryError):
    pass


class Registry(Generic[T]):
    """Named entries. `normalize` maps a key to its stored form (e.g. str.upper for names that are
    case-insensitive); `key_attribute` is the class attribute the `entry` decorator registers under."""

    def __init__(self, name: str, *, normalize: Callable[[str], str] | None = None, key_attribute: str = "key"):
        self.name = name
        self._normalize = normalize or (lambda key: key)
        self._key_attribute = key_attribute
        self._entries: dict[str, T] = {}

    def register(self, key: str, entry: T) -> T:
        key = self._normalize(key)
        if key in self._entries:
            raise AlreadyRegistered(f"{self.name} {key!r} is already registered")
        self._entries[key] = entry
        return entry

    def entry(self, cls: C) -> C:
        """Class decorator: register one instance of `cls` under its key attribute."""
        self.register(getattr(cls, self._key_attribute), cls())
        return cls

    def unregister(self, key: str) -> None:
        key = self._normalize(key)
        if key not in self._entries:
            raise NotRegistered(f"{self.name} {key!r} is not registered")
        del self._entries[key]

    def get(self, key: str) -> T:
        try:
            return self._entries[self._normalize(key)]
        except KeyError:
            raise NotRegistered(f"unknown {self.name} {key!r}") from None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._normalize(key) in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def items(self) -> ItemsView[str, T]:
        return self._entries.items()

    def keys(self) -> list[str]:
        return list(self._entries)

    def all(self) -> dict[str, T]:
        return dict(self._entries)

    def snapshot(self) -> dict[str, T]:
        """For tests that register a fake entry: restore() puts the registry back as it was."""
        return dict(self._entries)

    def restore(self, snapshot: dict[str, T]) -> None:
        self._entries = dict(snapshot)
