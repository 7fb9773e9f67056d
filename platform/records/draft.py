"""A record on its way to storage: what the write pipeline's steps read, annotate and check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tessera.errors import ErrorCollector

from .record import Record


@dataclass
class Draft:
    """One record on its way to storage."""

    index: int
    current: Record | None = None
    #: api_name → value as it will be stored (merged over `current` for updates).
    values: dict[str, Any] = field(default_factory=dict)
    #: api_names whose value this write sets or changes.
    changed: set[str] = field(default_factory=set)
    category: str | None = None
    category_changed: bool = False
    expected_version: int | None = None
    errors: ErrorCollector = field(default_factory=ErrorCollector)
    duplicates: list[dict] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.current is None

    @property
    def ok(self) -> bool:
        return not self.errors
