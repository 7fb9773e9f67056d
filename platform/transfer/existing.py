"""Records that already exist, found by an import's key (update and upsert modes), and what a row
would change in them.

The records service finds them with a list filtered on the key (`<field>__in`, one query per
`CHUNK` keys, the importer's visibility applied); a composite key filters on its first field and
matches the rest here. Two records with one key are an error for the rows naming it, never a
guess. A unique key's values are first looked for in its index, whoever holds them: when none is
held (every batch of a first import), the list is not asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from metadata.fieldtypes import FieldValueError
from metadata.meta import FieldMeta, ObjectMeta
from tessera.records import repository
from tessera.records import service as records
from tessera.records.record import Record
from tessera.security.actor import Actor

from .references import Unresolved

CHUNK = records.MAX_PAGE


def _normal(field: FieldMeta, value: Any) -> Any:
    """A value in the one form both a file's cell and a stored value compare in (its API form)."""
    if value is None:
        return None
    try:
        coerced = field.type.coerce(value, field)
    except (FieldValueError, TypeError, ValueError):
        return str(value)
    api = field.type.to_api(coerced, field)
    return tuple(api) if isinstance(api, list) else api


def key_of(key: Sequence[FieldMeta], payload: Mapping[str, Any]) -> tuple | None:
    """The row's key (None when any part is blank)."""
    parts = tuple(_normal(f, payload.get(f.api_name)) for f in key)
    return None if any(p is None or p == "" for p in parts) else parts


def _record_key(key: Sequence[FieldMeta], record: Record) -> tuple:
    return tuple(_normal(f, record.get(f.api_name)) for f in key)


def find(obj: ObjectMeta, key: Sequence[FieldMeta], keys: list[tuple], actor: Actor, *,
         fields: Sequence[str]) -> dict[tuple, Record | Unresolved]:
    """key → the one record the actor may see with that key (or Unresolved when several)."""
    if not keys or not key:
        return {}
    first = key[0]
    names = list(dict.fromkeys([*fields, *(f.api_name for f in key)]))
    wanted = set(keys)
    found: dict[tuple, list[Record]] = {}
    values = sorted({k[0] for k in keys}, key=str)
    if first.unique and _none_held(obj, first, values):
        return {}  # a first import's batches: nothing to find, and the list is not asked
    for start in range(0, len(values), CHUNK):
        cursor = None
        while True:
            page = records.list_records(obj.api_name, actor, filters=[(f"{first.api_name}__in", values[start:start + CHUNK])],
                                        fields=names, limit=records.MAX_PAGE, sort=["id"], cursor=cursor)
            for record in page.records:
                record_key = _record_key(key, record)
                if record_key in wanted:
                    found.setdefault(record_key, []).append(record)
            cursor = page.next_cursor
            if cursor is None:
                break
    answer: dict[tuple, Record | Unresolved] = {}
    for record_key, matches in found.items():
        if len(matches) == 1:
            answer[record_key] = matches[0]
        else:
            answer[record_key] = Unresolved("ambiguous", _(
                "%(count)d records have this key (ids %(ids)s): the key must be unique.")
                % {"count": len(matches), "ids": ", ".join(str(r.id) for r in matches[:5])})
    return answer


def _none_held(obj: ObjectMeta, field: FieldMeta, values: Sequence[Any]) -> bool:
    """Whether no live record holds any of `values` in the unique `field`, whoever may read it: a
    probe of the field's unique index per value, much cheaper than the list when, as in a first
    import, none does. Values the field's type refuses leave the answer to the list."""
    try:
        held = [field.type.normalise_for_unique(field.type.coerce(value, field)) for value in values]
    except (FieldValueError, TypeError, ValueError):
        return False
    if any(value is None for value in held):
        return False
    tenant, _obj = records.get_object_meta(obj.api_name)
    return not repository.ids_by_keys(tenant, obj, [([field], [(value,) for value in held])])


def _same(field: FieldMeta, value: Any, current: Any) -> bool:
    """Whether writing `value` (as the file gives it) would leave `current` (stored) as it is."""
    if value is None or value == "":
        return field.type.is_blank(current)
    try:
        coerced = field.type.coerce(value, field)
    except (FieldValueError, TypeError, ValueError):
        return False  # the records service will say what is wrong with it
    return coerced is not None and current is not None and field.type.equal(coerced, current)


def _same_column(field: FieldMeta, values: Sequence[Any], currents: Sequence[Any]) -> list[bool]:
    """_same for a column of a batch, read in one call of the type's column coercer; a column with
    a value it refuses is read value by value (a value the type reads but would not accept, as a
    stored one that predates a narrower limit, then compares as _same has it)."""
    given = [v for v in values if not (v is None or v == "")]
    try:
        coerced = iter(field.type.column_coercer(field)(given))
    except (FieldValueError, TypeError, ValueError):
        return [_same(field, value, current) for value, current in zip(values, currents, strict=True)]
    equal, is_blank = field.type.equal, field.type.is_blank
    same: list[bool] = []
    for value, current in zip(values, currents, strict=True):
        if value is None or value == "":
            same.append(is_blank(current))
        else:
            new = next(coerced)
            same.append(new is not None and current is not None and equal(new, current))
    return same


def changes(obj: ObjectMeta, pairs: Sequence[tuple[Record, Mapping[str, Any]]]) -> list[tuple[dict, dict]]:
    """For each (record, payload) of a batch: (the payload's values that differ from the record's,
    the record's values before them in API form). Compared field by field over the batch: one
    column coercer call per field, not one coercion per value."""
    answers: list[tuple[dict, dict]] = [({}, {}) for _pair in pairs]
    fields = obj.fields_by_name
    for name in dict.fromkeys(name for _record, payload in pairs for name in payload):
        f = fields.get(name)
        if f is None:
            continue
        at = [i for i, (_record, payload) in enumerate(pairs) if name in payload]
        currents = [pairs[i][0].get(name) for i in at]
        same = _same_column(f, [pairs[i][1][name] for i in at], currents)
        for i, current, unchanged in zip(at, currents, same, strict=True):
            if unchanged:
                continue
            changed, before = answers[i]
            changed[name] = pairs[i][1][name]
            old = None if current is None else f.type.to_api(current, f)
            before[name] = list(old) if isinstance(old, tuple) else old
    return answers
