"""A small generic registry: named entries, refusing duplicates and naming unknown keys.

Used for the formula functions (one entry per function/operator) but generic on purpose, so the
same discipline (one obvious place per concept, loud errors on clashes) can serve other tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from ..errors import DuplicateKey, UnknownKey

T = TypeVar("T")


class Registry(Generic[T]):
    """Case-insensitive mapping from names to entries with ``register``/``get``/``all``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    @staticmethod
    def _key(name: str) -> str:
        return name.upper()

    def register(self, name: str, entry: T) -> T:
        key = self._key(name)
        if key in self._entries:
            raise DuplicateKey(f"{self.kind} {key!r} is already registered")
        self._entries[key] = entry
        return entry

    def get(self, name: str) -> T:
        try:
            return self._entries[self._key(name)]
        except KeyError:
            raise UnknownKey(f"unknown {self.kind} {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) in self._entries

    def all(self) -> dict[str, T]:
        return dict(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, cls: Callable[[], T]) -> Callable[[], T]:
        """Class decorator: register one instance of ``cls`` under its ``name`` attribute."""
        self.register(cls.name, cls())  # type: ignore[attr-defined]
        return cls
