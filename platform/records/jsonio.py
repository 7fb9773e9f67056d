"""JSON for record data, exact for decimals.

The stdlib encoder would turn a Decimal into a float (losing digits) and the decoder would read
numbers as floats. Stored JSON is written here with Decimals as exact JSON numbers, and read back
with numbers as Decimals.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from metadata.fieldtypes.base import FieldType

if TYPE_CHECKING:
    from metadata.meta import FieldMeta

#: Non-ASCII text kept as it is (PostgreSQL reads UTF-8): a third of the bytes of \u escapes for Chinese, and
#: no backslashes for COPY to double.
_encode_string = json.encoder.encode_basestring


def dumps_value(value: Any) -> str | None:
    """One stored value → JSON text (None stays None: the key is absent)."""
    encode = _BY_TYPE.get(type(value))  # one look-up for the usual types (a batch encodes thousands)
    if encode is not None:
        return encode(value)
    if value is None:
        return None
    # Subclasses and containers; bool before int (a bool is an int).
    if isinstance(value, str):
        return _encode_string(value)
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


_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: _encode_string,
    Decimal: operator.methodcaller("__format__", "f"),
    bool: lambda value: "true" if value else "false",
    int: str,
}


def dumps(data: dict[str, Any]) -> str:
    """A record's `data` (key → stored value) → JSON text; None values are left out."""
    parts = [f"{_encode_string(key)}:{text}" for key, value in data.items()
             if (text := dumps_value(value)) is not None]
    return "{" + ",".join(parts) + "}"


def key_prefix(key: str) -> str:
    """`"key":`, what starts a member of a JSON object."""
    return _encode_string(key) + ":"


def column_encoder(field: FieldMeta) -> Callable[[list[Any]], list[str | None]]:
    """The `"key":<JSON>` member of each value of a column of `field`'s values (None for a blank
    value: the key is left out), as one function made once per batch. The write path encodes a
    batch field by field (storage_rows): a column of one Python type with nothing to convert, the
    usual case, is encoded in one comprehension with that type's encoder, not a call per value."""
    prefix = key_prefix(field.key)
    to_storage = conversion(field, "to_storage")
    own_blank = type(field.type).is_blank is not FieldType.is_blank
    is_blank = field.type.is_blank
    by_type = _BY_TYPE.get

    def encode_one(value: Any) -> str | None:
        if value is None or value == "" or (own_blank and is_blank(value)):
            return None
        stored = value if to_storage is None else to_storage(value, field)
        known = by_type(type(stored))
        text = known(stored) if known is not None else dumps_value(stored)
        return None if text is None else prefix + text

    def encode(values: list[Any]) -> list[str | None]:
        kinds = set(map(type, values))
        kinds.discard(type(None))
        if to_storage is None and not own_blank and len(kinds) == 1:
            kind = kinds.pop()
            known = by_type(kind)
            if kind is str:  # "" is blank too
                return [prefix + known(value) if value else None for value in values]  # type: ignore[misc]
            if known is not None:
                return [None if value is None else prefix + known(value) for value in values]
        return [encode_one(value) for value in values]

    return encode


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
