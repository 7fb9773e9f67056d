"""Upsert: which rows of a batch update an existing record, found by a key (`upsert_on`).

The key is one unique field (the name field can be made unique for this) or several fields
together. The batch's keys are read from the payloads (coerced by their types, compared as the
unique index compares them), looked up in one query, and each row whose key a live record holds
becomes an update of that record, loaded and locked in one more query with the writer's edit
predicate. What is refused, per row: a key missing or blank, two rows with the same key (neither
wins), a key several records hold, and a record the writer may not edit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from metadata.fieldtypes import FieldValueError
from metadata.fieldtypes.lookup import RecordRef
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import ValidationFailed
from tessera.security.access import RecordAccess

from . import repository
from .draft import Draft
from .pipeline import InputFields


def key_fields(obj: ObjectMeta, names: Sequence[str], fields: InputFields) -> list[FieldMeta]:
    """The fields of `upsert_on`: fields the writer may read and write, a unique one when alone."""
    found = []
    for name in names:
        known = fields.get(name)
        if known is None:
            raise ValidationFailed.single("upsert_on", "unknown_field", _("This object has no field “%(name)s”.")
                                          % {"name": name})
        f, writable = known
        if not writable or f.type.computed_on_read or f.type.holds_files:
            raise ValidationFailed.single("upsert_on", "invalid", _("“%(name)s” cannot be a key: it is not a "
                                                                    "field you can write.") % {"name": name})
        found.append(f)
    if len({f.api_name for f in found}) != len(found):
        raise ValidationFailed.single("upsert_on", "invalid", _("Name each field of the key once."))
    if len(found) == 1 and not found[0].unique:
        raise ValidationFailed.single("upsert_on", "not_unique", _(
            "“%(name)s” is not unique: upsert on a unique field, or on several fields together.")
            % {"name": found[0].api_name})
    return found


def match_existing(tenant: TenantMeta, obj: ObjectMeta, drafts: list[Draft], payloads: Sequence[Any],
                   keys: list[FieldMeta], access: RecordAccess) -> None:
    """Make each draft whose key a live record holds an update of that record (`draft.current`,
    locked); the others stay new. Errors go on the drafts."""
    by_key: dict[tuple, list[Draft]] = {}
    for draft, payload in zip(drafts, payloads, strict=True):
        key = _key_of(draft, payload, keys)
        if key is not None:
            by_key.setdefault(key, []).append(draft)
    where = keys[0].api_name if len(keys) == 1 else None
    for same in by_key.values():
        if len(same) > 1:
            for draft in same:
                draft.errors.add(where, "duplicate_key", _("Rows %(rows)s of this batch have the same key.")
                                 % {"rows": ", ".join(str(d.index + 1) for d in same)})
    wanted = [key for key, same in by_key.items() if len(same) == 1]
    holders: dict[tuple, list[int]] = {}
    for _group, record_id, n in repository.ids_by_keys(tenant, obj, [(keys, wanted)]):
        holders.setdefault(wanted[n], []).append(record_id)
    matched: dict[int, Draft] = {}
    for key, ids in holders.items():
        draft = by_key[key][0]
        if len(ids) > 1:
            draft.errors.add(where, "ambiguous_key", _("Several records have this key (%(ids)s).")
                             % {"ids": ", ".join(f"#{i}" for i in sorted(ids)[:5])})
        else:
            matched[ids[0]] = draft
    if not matched:
        return
    for record in repository.lock_records(tenant, obj, list(matched), predicate=access.row_predicate(obj, "edit", "r")):
        assert record.id is not None  # read from the table
        matched.pop(record.id).current = record
    for draft in matched.values():
        draft.errors.add(where, "no_edit_access", _("A record with this key exists, and you may not edit it."))


def _key_of(draft: Draft, payload: Any, keys: list[FieldMeta]) -> tuple | None:
    """The row's key as the unique index compares it, or None (with the error) when it has none."""
    if not isinstance(payload, Mapping):
        return None  # read_input says what is wrong with it
    values = []
    for f in keys:
        try:
            value = f.type.coerce(payload.get(f.api_name), f)
        except FieldValueError as exc:
            draft.errors.add(f.api_name, exc.code, str(exc.message))
            return None
        if isinstance(value, RecordRef):
            draft.errors.add(f.api_name, "invalid", _("Give the id of the record (part of the key)."))
            return None
        if value is None or f.type.is_blank(value):
            draft.errors.add(f.api_name, "required", _("Part of the key: give a value."))
            return None
        values.append(f.type.normalise_for_unique(value))
    return tuple(values)
