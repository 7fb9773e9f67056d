"""Picklist (dropdown) and multi-select picklist field types, with cascading (dependent) values.

A value has a stable `key` that records store; labels (zh-hans/en), order, colour, the active flag
and, for opportunity stages, a win probability can change without touching a single record.
Deactivating a value keeps the records that hold it valid; it just cannot be chosen any more.

Cascades: a dependent picklist names its `controlling_field` (a picklist or checkbox of the same
object) and a `dependency` map from each controlling value ("true"/"false" for a checkbox) to the
keys allowed under it. Chains of any depth (country → province → city) are chains of such fields.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _
from psycopg2 import sql

from metadata.labels import ui_languages
from metadata.meta import pick_label

from .base import (
    EQUALITY_OPS,
    TEXT_OPS,
    ContractSamples,
    FieldType,
    FieldValueError,
    OptionsContext,
    nullable,
)

if TYPE_CHECKING:
    from metadata.meta import FieldMeta

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"

VALUE_SCHEMA = {
    "type": "object",
    "required": ["key", "labels"],
    "properties": {
        "key": {"type": "string", "pattern": KEY_PATTERN},
        "labels": {"$ref": "common.json#/$defs/labels"},
        "active": {"type": "boolean"},
        "color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "probability": {"type": "number", "minimum": 0, "maximum": 100},
    },
    "additionalProperties": False,
}

PICKLIST_OPTIONS_SCHEMA = {
    "type": "object",
    "required": ["values"],
    "properties": {
        "values": {"type": "array", "items": VALUE_SCHEMA, "maxItems": 5000},
        "controlling_field": {"type": "string"},
        "dependency": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "additionalProperties": False,
    "dependentRequired": {"dependency": ["controlling_field"], "controlling_field": ["dependency"]},
}


#: The sample field of the contract tests: an inactive value, labels in both languages.
_SAMPLE_OPTIONS = {"values": [
    {"key": "new", "labels": {"zh-hans": "新建", "en": "New"}},
    {"key": "won", "labels": {"zh-hans": "赢单", "en": "Won"}, "color": "#22aa55", "probability": 100},
    {"key": "lost", "labels": {"zh-hans": "输单", "en": "Lost"}},
    {"key": "old", "labels": {"zh-hans": "旧", "en": "Old"}, "active": False},
]}


def value_keys(field: FieldMeta, *, active_only: bool = False) -> list[str]:
    return [v["key"] for v in field.options.get("values", ()) if not active_only or v.get("active", True)]


def value_label(field: FieldMeta, key: str, language: str | None = None) -> str:
    for value in field.options.get("values", ()):
        if value["key"] == key:
            return pick_label(value.get("labels", {}), language) or key
    return key


@dataclass(frozen=True)
class _Choices:
    """A field's values as input finds them: keys, and casefolded labels per language → keys."""

    keys: frozenset[str]
    by_language: Mapping[str, Mapping[str, frozenset[str]]]
    any_language: Mapping[str, frozenset[str]]


#: FieldMeta → its _Choices (a metadata snapshot's fields are immutable: made once per field).
_CHOICES: weakref.WeakKeyDictionary[FieldMeta, _Choices] = weakref.WeakKeyDictionary()


def _choices(field: FieldMeta) -> _Choices:
    try:
        return _CHOICES[field]
    except KeyError:
        pass
    by_language: dict[str, dict[str, set[str]]] = {}
    any_language: dict[str, set[str]] = {}
    for value in field.options.get("values", ()):
        for language, label in value.get("labels", {}).items():
            folded = str(label).strip().casefold()
            if folded:
                by_language.setdefault(language.lower(), {}).setdefault(folded, set()).add(value["key"])
                any_language.setdefault(folded, set()).add(value["key"])
    choices = _Choices(
        keys=frozenset(value_keys(field)),
        by_language={lang: {k: frozenset(v) for k, v in labels.items()} for lang, labels in by_language.items()},
        any_language={k: frozenset(v) for k, v in any_language.items()})
    _CHOICES[field] = choices
    return choices


def _writer_language() -> str:
    language = (get_language() or "zh-hans").lower()
    if language not in ui_languages():
        language = "zh-hans" if language.startswith("zh") else "en"
    return language


def resolve_choice(field: FieldMeta, text: str) -> str:
    """The key `text` names: the key itself (an exact key wins), else the value with that label
    (trimmed, any case) in the writer's language, else in another language. A label two values
    share is an error naming both; text that names no value is returned as it is (validate()
    refuses it, with the field's other checks)."""
    choices = _choices(field)
    if text in choices.keys:
        return text
    folded = text.strip().casefold()
    found = choices.by_language.get(_writer_language(), {}).get(folded) or choices.any_language.get(folded)
    if not found:
        return text
    if len(found) > 1:
        named = ", ".join(f"{value_label(field, key)} ({key})" for key in sorted(found, key=value_keys(field).index))
        raise FieldValueError("ambiguous_choice", _("“%(value)s” is the label of several values: %(values)s; "
                                                    "give the key.") % {"value": text, "values": named})
    return next(iter(found))


def allowed_under(field: FieldMeta, controlling_value: Any) -> frozenset[str] | None:
    """Keys this dependent field allows under `controlling_value`; None when it has no controller."""
    dependency = field.options.get("dependency")
    if not field.options.get("controlling_field") or dependency is None:
        return None
    if controlling_value is None:
        return frozenset()
    if isinstance(controlling_value, bool):
        controlling_value = "true" if controlling_value else "false"
    return frozenset(dependency.get(str(controlling_value), ()))


class PicklistFieldType(FieldType):
    key = "picklist"
    label = pgettext_lazy("field type", "Picklist")
    filter_ops = TEXT_OPS - {"contains", "startswith"}
    sql_type = "text"
    slot_family: ClassVar[str | None] = "t"
    formula_type = "PICKLIST"
    widget = "select"
    converts_to = frozenset({"text", "multi_picklist"})
    options_schema = PICKLIST_OPTIONS_SCHEMA

    def check_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> list[tuple[str, str]]:
        field_api_name = ctx.field_api_name
        errors: list[tuple[str, str]] = []
        keys = [v["key"] for v in options.get("values", [])]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            errors.append(("duplicate_key", _("Duplicate value keys: %(keys)s.") % {"keys": ", ".join(duplicates)}))
        for other in ctx.sibling_fields.values():
            # A value this field controls others with must stay (deactivate it instead).
            if other.api_name != field_api_name and other.options.get("controlling_field") == field_api_name:
                orphaned = sorted(set(other.options.get("dependency", {})) - set(keys))
                if orphaned:
                    errors.append(("in_use", _("The cascade of “%(name)s” uses these values: %(keys)s.")
                                   % {"name": other.api_name, "keys": ", ".join(orphaned)}))
        controller_name = options.get("controlling_field")
        if controller_name:
            fields = ctx.sibling_fields
            controller = fields.get(controller_name)
            if controller_name == field_api_name:
                errors.append(("invalid_controller", _("A field cannot control itself.")))
            elif controller is None or controller.type.key not in ("picklist", "boolean"):
                errors.append(
                    ("invalid_controller", _("The controlling field must be a picklist or checkbox of this object."))
                )
            else:
                if controller.type.key == "boolean":
                    controller_keys = {"true", "false"}
                else:
                    controller_keys = set(value_keys(controller))
                dependency = options.get("dependency", {})
                unknown_controller = sorted(set(dependency) - controller_keys)
                if unknown_controller:
                    errors.append(("unknown_value", _("Unknown controlling values: %(keys)s.")
                                   % {"keys": ", ".join(unknown_controller)}))
                unknown = sorted({k for allowed in dependency.values() for k in allowed} - set(keys))
                if unknown:
                    errors.append(("unknown_value", _("Unknown dependent values: %(keys)s.") % {"keys": ", ".join(unknown)}))
                if _controls_chain(fields, controller_name, field_api_name):
                    errors.append(("cascade_cycle", _("These fields would control each other in a cycle.")))
        return errors

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        if raw is None or raw == "":
            return None
        if not isinstance(raw, str):
            raise FieldValueError("invalid_choice", _("Choose one of the values."))
        text = raw.strip()
        return text if text in _choices(field).keys else resolve_choice(field, text) if text else None

    def batch_coercer(self, field: FieldMeta) -> Callable[[Any], Any]:
        """An active key, as it is, is taken at once; anything else goes through coerce and validate."""
        general, active = super().batch_coercer(field), frozenset(value_keys(field, active_only=True))
        return lambda raw: raw if type(raw) is str and raw in active else general(raw)

    def column_coercer(self, field: FieldMeta) -> Callable[[list[Any]], list[Any]]:
        """A column of active keys, as they are, is taken in one set operation."""
        general, active = super().column_coercer(field), frozenset(value_keys(field, active_only=True))

        def read(raws: list[Any]) -> list[Any]:
            if self.all_of(frozenset({str}), raws) and active.issuperset(raws):
                return list(raws)
            return general(raws)

        return read

    def validate(self, value: Any, field: FieldMeta) -> None:
        if value not in value_keys(field, active_only=True):
            raise FieldValueError(
                "invalid_choice", _("“%(value)s” is not one of the available values.") % {"value": value}
            )

    def filter_one(self, raw: Any, field: FieldMeta) -> Any:
        """A filter names keys: a label is refused with the key it stands for (`stage=Won` would
        otherwise match nothing, silently)."""
        for part in self.filter_parts(raw):
            if part and part not in _choices(field).keys:
                key = resolve_choice(field, part)
                if key != part:
                    raise FieldValueError("label_not_key", _("“%(value)s” is a label: filter by its key, "
                                                             "“%(key)s”.") % {"value": part, "key": key})
        return super().filter_one(raw, field)

    def filter_parts(self, raw: Any) -> list[str]:
        """The values one filter value names."""
        return [str(raw).strip()] if raw is not None else []

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        return "" if value is None else value_label(field, value, language)

    def choices(self, field: FieldMeta, language: str | None) -> list[dict]:
        return [
            {
                "value": v["key"],
                "label": pick_label(v.get("labels", {}), language) or v["key"],
                "active": v.get("active", True),
                **({"color": v["color"]} if v.get("color") else {}),
                **({"probability": v["probability"]} if "probability" in v else {}),
            }
            for v in field.options.get("values", ())
        ]

    def controlling_field(self, field: FieldMeta) -> str | None:
        return field.options.get("controlling_field") or None

    def allowed_under(self, field: FieldMeta, controlling_value: Any) -> frozenset[str] | None:
        """Keys allowed under the controlling field's value; None when the field has no controller."""
        return allowed_under(field, controlling_value)

    def choice_keys(self, field: FieldMeta) -> list[str]:
        return value_keys(field)

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        if for_input:
            return {"anyOf": [_input_choice(field), {"type": "null"}]}
        return nullable({"type": "string", "enum": value_keys(field)})

    def filter_parameter_schema(self, op: str, field: FieldMeta) -> dict:
        if op in ("eq", "ne"):
            return {"type": "string", "enum": value_keys(field)}
        return super().filter_parameter_schema(op, field)

    def widget_descriptor(self, field: FieldMeta, language: str | None) -> dict:
        descriptor: dict[str, Any] = {"widget": self.widget, "choices": self.choices(field, language)}
        if field.options.get("controlling_field"):
            descriptor["controlling_field"] = field.options["controlling_field"]
            descriptor["dependency"] = {k: list(v) for k, v in field.options.get("dependency", {}).items()}
        return descriptor

    def convert_value(self, value: Any, source: FieldMeta, target: FieldMeta) -> Any:
        if value is not None and target.type.key == "multi_picklist":
            return (value,)
        return super().convert_value(value, source, target)

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples(_SAMPLE_OPTIONS, ("won",))


def _input_choice(field: FieldMeta) -> dict:
    """A value as written: its key, or its label in any language."""
    return {"anyOf": [{"type": "string", "enum": value_keys(field)}, {"type": "string"}],
            "description": "The key of a value, or its label in any language (trimmed, any case; the writer's "
                           "language first). A label two values share is refused."}


def _controls_chain(fields: Mapping[str, FieldMeta], start: str, target: str) -> bool:
    """Whether following controlling_field links from `start` reaches `target` (a cycle)."""
    seen = set()
    current: str | None = start
    while current and current not in seen:
        if current == target:
            return True
        seen.add(current)
        field = fields.get(current)
        current = field.options.get("controlling_field") if field is not None else None
    return False


class MultiPicklistFieldType(PicklistFieldType):
    key = "multi_picklist"
    label = pgettext_lazy("field type", "Multi-select picklist")
    filter_ops = EQUALITY_OPS | {"contains"}
    sql_type = "jsonb"
    slot_family = None
    sortable = False
    formula_type = "MULTIPICKLIST"
    widget = "multiselect"
    converts_to = frozenset({"text"})

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        if raw is None or raw == "" or raw == []:
            return None
        if isinstance(raw, str):
            raw = [part for part in (p.strip() for p in raw.replace("；", ";").split(";")) if part]
        if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
            raise FieldValueError("invalid_choice", _("Choose a list of values."))
        keys = _choices(field).keys
        chosen = {v if v in keys else resolve_choice(field, v.strip()) for v in raw if v.strip()}
        order = {key: i for i, key in enumerate(value_keys(field))}
        unique = sorted(chosen, key=lambda k: (order.get(k, len(order)), k))
        return tuple(unique) or None

    def batch_coercer(self, field: FieldMeta) -> Callable[[Any], Any]:
        return FieldType.batch_coercer(self, field)  # a key alone is a list of one here

    def column_coercer(self, field: FieldMeta) -> Callable[[list[Any]], list[Any]]:
        return FieldType.column_coercer(self, field)

    def validate(self, value: Any, field: FieldMeta) -> None:
        active = set(value_keys(field, active_only=True))
        unknown = [v for v in value if v not in active]
        if unknown:
            raise FieldValueError(
                "invalid_choice", _("Not available: %(values)s.") % {"values": ", ".join(unknown)}
            )

    def is_blank(self, value: Any) -> bool:
        return not value

    def to_storage(self, value: Any, field: FieldMeta) -> Any:
        return None if not value else list(value)

    def from_storage(self, stored: Any, field: FieldMeta) -> Any:
        return None if not stored else tuple(stored)

    def to_api(self, value: Any, field: FieldMeta) -> Any:
        return [] if not value else list(value)

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        if for_input:  # also "a;b" (keys or labels), and null for none
            return {"anyOf": [{"type": "array", "items": _input_choice(field)}, {"type": "string"}, {"type": "null"}],
                    "description": "Keys or labels, as a list or separated by ;."}
        # Never null: a blank multi-select is [].
        return {"type": "array", "items": {"type": "string", "enum": value_keys(field)}, "uniqueItems": True}

    def to_formula(self, value: Any, field: FieldMeta) -> Any:
        return frozenset(value or ())

    def filter_value(self, op: str, raw: Any, field: FieldMeta) -> Any:
        if op == "contains":  # one key, not text
            value = self.filter_one(raw, field)
            if isinstance(value, tuple):
                raise FieldValueError("invalid", _("Give one value."))
            return value
        if op == "in":  # includes any of the keys, however they were grouped
            values = super().filter_value(op, raw, field)
            return [key for value in values for key in (value if isinstance(value, tuple) else (value,))]
        return super().filter_value(op, raw, field)

    def filter_one(self, raw: Any, field: FieldMeta) -> Any:
        """A single key filters by that key (`tags=vip`), not by the one-key list."""
        value = super().filter_one(raw, field)
        return value[0] if isinstance(value, tuple) and len(value) == 1 else value

    def to_projection(self, value: Any, field: FieldMeta) -> Any:
        return None if not value else list(value)

    def json_sql(self, data: sql.Composable, key: str) -> sql.Composable:
        return sql.SQL("({} -> {})").format(data, sql.Literal(key))

    def compile_filter(self, op: str, expr: sql.Composable, value: Any, field: FieldMeta) -> sql.Composable:
        if op == "contains":  # includes the value
            return sql.SQL("({} ? {})").format(expr, sql.Literal(value))
        if op == "in":  # includes any of the values
            return sql.SQL("({} ?| {})").format(expr, sql.Literal(list(value)))
        if op in ("eq", "ne"):
            keys = list(value) if isinstance(value, tuple | list) else [value]
            test = sql.SQL("{} = {}::jsonb").format(expr, sql.Literal(_json_list(keys)))
            return test if op == "eq" else sql.SQL("NOT coalesce({}, false)").format(test)
        return super().compile_filter(op, expr, value, field)

    def filter_parts(self, raw: Any) -> list[str]:
        if isinstance(raw, list | tuple):
            return [str(p).strip() for p in raw]
        return [p.strip() for p in str(raw).replace("；", ";").split(";")] if raw is not None else []

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        return "; ".join(value_label(field, v, language) for v in (value or ()))

    def convert_value(self, value: Any, source: FieldMeta, target: FieldMeta) -> Any:
        if value is not None and target.type.key == "text":
            return target.type.coerce(";".join(value), target)
        return super().convert_value(value, source, target)

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples(_SAMPLE_OPTIONS, (["won", "new"], "lost"))


def _json_list(keys: list[str]) -> str:
    return json.dumps(keys)
