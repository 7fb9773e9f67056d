"""A record as the runtime hands it around."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from metadata.meta import ObjectMeta


@dataclass
class Record:
    object: ObjectMeta
    id: int | None = None
    version: int = 0
    category: str | None = None
    deleted_at: dt.datetime | None = None
    #: api_name → Python value for every field read: stored fields, the name, the owner and audit
    #: fields (their columns), computed fields.
    values: dict[str, Any] = field(default_factory=dict)
    #: Lookup expansion: lookup api_name → {"id": …, "name": …} of the referenced record.
    expanded: dict[str, Any] = field(default_factory=dict)

    def get(self, api_name: str, default: Any = None) -> Any:
        return self.values.get(api_name, default)

    @property
    def name(self) -> str | None:
        return self.values.get(self.object.name_field)

    @property
    def owner_id(self) -> int | None:
        return self.values.get("owner")
