"""Which column goes into which field: guessed from the headers, edited by the importer, saved per
object for the next file.

A header matches a field by its label in any language (客户名称 or Account name), its API name, or
the label/API name with the lookup's match field (所属客户.名称, account.name); case, spaces and
punctuation do not count. The mapping last saved for the object wins over the guess for the headers
it knows. Only fields the importer may edit can be targets; a column mapped to nothing is skipped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import ErrorCollector
from tessera.security.access import RecordAccess

from .models import ImportMapping
from .references import lookup_target, match_fields

#: The owner is a system column that a write may still set (the records service checks who may).
OWNER = "owner"
_NOISE = re.compile(r"[\s_\-:：()（）*]+")


@dataclass(frozen=True)
class ColumnMap:
    """Column `column` (0-based) with header `header` goes into `field` (None: skipped); a lookup
    column names its parent by `match` (a field of the target, its name field by default) and may
    create the parents it does not find."""

    column: int
    header: str
    field: str | None = None
    match: str | None = None
    create_missing: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalise(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def importable_fields(obj: ObjectMeta, access: RecordAccess) -> list[FieldMeta]:
    """The fields a file may fill: stored, writable (and the owner, which writes may set), editable
    by the importer, readable as text."""
    return [f for f in obj.fields
            if (f.writable or f.api_name == OWNER) and f.type.imports_text and access.editable(obj, f)]


def _names(field: FieldMeta) -> set[str]:
    return {normalise(field.api_name), *(normalise(label) for label in field.labels.values() if label)}


def guess(headers: Iterable[str], tenant: TenantMeta, obj: ObjectMeta, access: RecordAccess) -> list[ColumnMap]:
    """A mapping for `headers`: the saved one where it knows a header, else by label or API name."""
    fields = importable_fields(obj, access)
    by_name: dict[str, tuple[FieldMeta, str | None]] = {}
    for f in fields:
        for name in _names(f):
            by_name.setdefault(name, (f, None))
        target = lookup_target(tenant, f)
        if target is not None:
            for match in match_fields(tenant, target):
                for own in _names(f):
                    for theirs in _names(match):
                        by_name.setdefault(own + "." + theirs, (f, match.api_name))
    saved = saved_columns(obj.api_name)
    allowed = {f.api_name for f in fields}
    result: list[ColumnMap] = []
    taken: set[str] = set()
    for column, header in enumerate(headers):
        entry = saved.get(header)
        if entry and entry.get("field") in allowed | {None} and entry.get("field") not in taken:
            mapped = ColumnMap(column, header, entry.get("field"), entry.get("match"),
                               bool(entry.get("create_missing")))
        else:
            found = by_name.get(normalise(header))
            if found is None or found[0].api_name in taken:
                mapped = ColumnMap(column, header)
            else:
                mapped = ColumnMap(column, header, found[0].api_name, found[1])
        if mapped.field:
            taken.add(mapped.field)
        result.append(mapped)
    return result


def saved_columns(object_api_name: str) -> dict[str, dict]:
    saved = ImportMapping.objects.filter(object_api_name=object_api_name).first()
    return dict(saved.columns) if saved is not None else {}


def save(object_api_name: str, columns: Iterable[ColumnMap]) -> None:
    """Remember the mapping for the object's next import (merged with what it knew)."""
    known = saved_columns(object_api_name)
    for c in columns:
        known[c.header] = {"field": c.field, "match": c.match, "create_missing": c.create_missing}
    ImportMapping.objects.update_or_create(object_api_name=object_api_name, defaults={"columns": known})


def check(columns: list[ColumnMap], tenant: TenantMeta, obj: ObjectMeta, access: RecordAccess,
          errors: ErrorCollector) -> None:
    """Each target a field the importer may fill, at most once; a match field of the lookup's target."""
    fields = {f.api_name: f for f in importable_fields(obj, access)}
    seen: set[str] = set()
    for c in columns:
        if not c.field:
            continue
        path = f"mapping.{c.column}"
        field = fields.get(c.field)
        if field is None:
            errors.add(path, "unknown_field", _("“%(name)s” is not a field you may import into.") % {"name": c.field})
            continue
        if c.field in seen:
            errors.add(path, "mapped_twice", _("Two columns go into “%(field)s”.") % {"field": field.label(get_language())})
        seen.add(c.field)
        target = lookup_target(tenant, field)
        if c.match and (target is None or c.match not in {m.api_name for m in match_fields(tenant, target)}):
            errors.add(path, "invalid_match", _("Match “%(field)s” by its name or a unique field.")
                       % {"field": field.label(get_language())})


def from_payload(payload: Iterable[Mapping[str, Any]], headers: list[str]) -> list[ColumnMap]:
    """The mapping as a client sends it (a list of {"column", "field", "match", "create_missing"})."""
    by_column = {int(p.get("column", -1)): p for p in payload if isinstance(p, Mapping)}
    return [ColumnMap(i, header, (by_column.get(i) or {}).get("field") or None,
                      (by_column.get(i) or {}).get("match") or None,
                      bool((by_column.get(i) or {}).get("create_missing")))
            for i, header in enumerate(headers)]
