"""Setting a lookup's filter in tests (the records, import and setup tests share it)."""

from __future__ import annotations

from metadata.cache import get_meta
from metadata.meta import thaw
from metadata.services import update_field


def set_filter(admin, object_name: str, field_name: str, filters: dict | None) -> None:
    """Give the lookup `object_name.field_name` this filter (None: none), keeping its other options."""
    field = get_meta().objects[object_name].fields_by_name[field_name]
    options = {k: v for k, v in thaw(field.options).items() if k != "filter"}
    update_field(object_name, field_name, {"options": {**options, **({"filter": filters} if filters else {})}}, admin)
