"""Records turned into rows of displayed cells (lists, related lists, panels, cards)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from metadata.meta import FieldMeta
from tessera.records.record import Record
from tessera.records.serialize import field_value

from .widgets import widget_for


@dataclass(frozen=True)
class Cell:
    field: FieldMeta
    html: SafeString
    #: The field's label in the page's language (templates cannot pass a language to label()).
    label: str = ""
    #: The list offers inline edit of this cell (the user may edit the field; the record's own
    #: rights are checked when it is saved).
    editable: bool = False


@dataclass(frozen=True)
class Row:
    record: Record
    cells: list[Cell]


def display(record: Record, field: FieldMeta, language: str | None, expanded: dict | None = None) -> SafeString:
    widget = widget_for(field)
    value = field_value(record, field) if field.type.holds_files else record.values.get(field.api_name)
    if expanded is None:
        expanded = record.expanded.get(field.api_name)
    return widget.display(field, value, expanded=expanded, language=language)


class Referred(dict):
    """value → what it refers to; a value that cannot be a key (a file's JSON) refers to nothing."""

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return super().get(key, default)
        except TypeError:
            return default


def expansions(records: Sequence[Record], fields: Sequence[FieldMeta], actor: Any) -> dict[str, dict]:
    """field → value → what it refers to, asked of each field's widget once per page."""
    found: dict[str, dict] = {}
    for f in fields:
        values = {v for r in records if (v := r.values.get(f.api_name)) is not None
                  and not isinstance(v, dict | list)}  # files are values, not references
        if not values or any(f.api_name in r.expanded for r in records):  # the query expanded it
            found[f.api_name] = Referred()
            continue
        found[f.api_name] = Referred(widget_for(f).expand(f, values, actor))
    return found


def rows(records: Iterable[Record], fields: Sequence[FieldMeta], language: str | None, actor: Any = None,
         editable: frozenset[str] = frozenset()) -> list[Row]:
    records = list(records)
    expanded = expansions(records, fields, actor)
    labels = {f.api_name: f.label(language) for f in fields}
    return [Row(record, [Cell(f, display(record, f, language, expanded[f.api_name].get(record.values.get(f.api_name))),
                              labels[f.api_name], f.api_name in editable)
                         for f in fields]) for record in records]


def plain_text(value: Any) -> str:
    """A value in its API form as plain text (history, conflicts, typed references): lists joined,
    a reference by its name or id."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or "")
    return str(value)
