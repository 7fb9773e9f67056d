"""JSON for record data, exact for decimals.

The stdlib encoder would turn a Decimal into a float (losing digits) and the decoder would read
numbers as floats. Stored JSON is written here with Decimals as exact JSON numbers, and read back
with numbers as Decimals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from metadata.fieldtypes.base import FieldType

if TYPE_CHECKING:
    from metadata.meta import FieldMeta

_encode_string = json.encoder.encode_basestring_ascii


def dumps_value(value: Any) -> str | None:
    """One stored value → JSON text (None stays None: the key is absent)."""
    # Most frequent first; bool before int (a bool is an int).
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps_value(v) or "null" for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_encode_string(str(k))}:{dumps_value(v) or 'null'}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot store {type(value).__name__} in record data")


def dumps(data: dict[str, Any]) -> str:
    """A record's `data` (key → stored value) → JSON text; None values are left out."""
    parts = [f"{_encode_string(key)}:{text}" for key, value in data.items()
             if (text := dumps_value(value)) is not None]
    return "{" + ",".join(parts) + "}"


def loads(text: str | None) -> Any:
    if text is None:
        return None
    return json.loads(text, parse_float=Decimal)


def conversion(field: FieldMeta, name: str) -> Callable[[Any, FieldMeta], Any] | None:
    """The field type's conversion `name` (to_storage, from_storage, to_projection, to_api) as
    `convert(value, field)`, or None where the type keeps FieldType's own, which returns the value
    unchanged: code converting thousands of values skips those calls."""
    if getattr(type(field.type), name) is getattr(FieldType, name):
        return None
    return getattr(field.type, name)
