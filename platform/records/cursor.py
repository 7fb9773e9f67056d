"""Opaque keyset cursors: the sort values and id of the last row of a page, signed so a client
cannot hand-craft one (tampering gives a clean 400, never odd SQL). A cursor names the sort it
was made for: reused with another sort (whose columns have other types) it is a 400 too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.utils.translation import gettext as _

from tessera.errors import ValidationFailed

if TYPE_CHECKING:
    from metadata.meta import FieldMeta

    from .query import SortTerm
    from .record import Record

SALT = "tessera.records.cursor"


def encode_cursor(terms: Sequence[SortTerm], record: Record) -> str:
    values = []
    for term in terms:
        if term.field is None:
            values.append(record.id)
        else:
            value = record.values.get(term.field.api_name)
            values.append(None if value is None else _api(term.field, value))
    return signing.dumps({"sort": _sort_key(terms), "values": values}, salt=SALT, compress=True)


def decode_cursor(cursor: str, terms: Sequence[SortTerm]) -> list:
    try:
        payload = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError):
        raise ValidationFailed.single("cursor", "invalid_cursor", _("This cursor is not valid.")) from None
    if not isinstance(payload, dict) or payload.get("sort") != _sort_key(terms):
        raise ValidationFailed.single("cursor", "invalid_cursor", _("This cursor belongs to another sort order."))
    values = payload.get("values")
    if not isinstance(values, list) or len(values) != len(terms):
        raise ValidationFailed.single("cursor", "invalid_cursor", _("This cursor belongs to another sort order."))
    return values


def _sort_key(terms: Sequence[SortTerm]) -> list[str]:
    return [("-" if term.descending else "") + (term.field.key if term.field is not None else "id") for term in terms]


def _api(field: FieldMeta, value: Any) -> Any:
    return field.type.value_type(field).to_api(value, field)
