"""Lookup (reference to a record of another object) and user (reference to a tenant user).

A lookup's value is the id of a record of its target object in the same tenant. What happens to
the lookup when the target is deleted is the field's `on_delete`: `restrict` (the delete is refused
while records point at it), `set_null`, or `cascade` (the pointing records go to the recycle bin too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from psycopg2 import sql

from .base import EQUALITY_OPS, ContractSamples, FieldType, FieldValueError, OptionsContext, nullable

if TYPE_CHECKING:
    from metadata.meta import FieldMeta, ObjectMeta, TenantMeta

#: A lookup filter's value {"field": "account"}: the value of that field of the record being written.
SOURCE_KEY = "field"
#: The OpenAPI schema of an id.
ID_SCHEMA = {"type": "integer", "format": "int64"}
#: A lookup's input given by a field of the target record.
REFERENCE_SCHEMA = {
    "type": "object", "minProperties": 1, "maxProperties": 1,
    "description": "The record by a field that identifies it: its id ({\"id\": 7}), a unique field of its object "
                   "({\"code\": \"A-17\"}) or its name ({\"name\": \"Acme\"}). A value that matches no record "
                   "the writer may read, or several, is refused.",
    "additionalProperties": {"type": ["string", "number", "integer"]},
}

#: The keys a user field may be given by besides the id (UserFieldType.coerce): a user's e-mail, full name.
USER_BY_EMAIL, USER_BY_NAME = USER_KEYS = ("email", "name")
USER_REFERENCE_SCHEMA = {
    "type": "object", "minProperties": 1, "maxProperties": 1,
    "description": "The user by their id ({\"id\": 3}), e-mail ({\"email\": \"li.na@example.cn\"}) or full "
                   "name ({\"name\": \"李娜\"}): an active user of the tenant. A name two users share is refused.",
    "properties": {"id": dict(ID_SCHEMA), "email": {"type": "string"}, "name": {"type": "string"}},
    "additionalProperties": False,
}


@dataclass(frozen=True)
class RecordRef:
    """A lookup given by a field of its target instead of the id: `{"code": "A-17"}` (a unique
    field, or the name field). The write pipeline resolves a batch's references in one query per
    target object (tessera.records.pipeline.resolve_references) and refuses a value that matches no
    record or several."""

    field: str
    value: Any


def _coerce_ref(raw: dict) -> int | RecordRef | None:
    if "id" in raw:
        return _coerce_id(raw["id"])
    if len(raw) != 1:
        raise FieldValueError("invalid_reference", _("Give the id of a record, or one field of it that identifies "
                                                     "it, e.g. {\"name\": \"Acme\"}."))
    ((name, value),) = raw.items()
    if value is None or value == "":
        return None
    if not isinstance(name, str) or isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise FieldValueError("invalid_reference", _("Give the id of a record, or one field of it that identifies "
                                                     "it, e.g. {\"name\": \"Acme\"}."))
    return RecordRef(name, value)


def _coerce_id(raw: Any) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dict):
        raw = raw.get("id")
    if isinstance(raw, bool):
        raise FieldValueError("invalid_reference", _("Give the id of a record."))
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise FieldValueError("invalid_reference", _("Give the id of a record.")) from None
    if value <= 0 or value >= 2**63:
        raise FieldValueError("invalid_reference", _("Give the id of a record."))
    return value


class LookupFieldType(FieldType):
    key = "lookup"
    label = pgettext_lazy("field type", "Lookup")
    supports_default = False
    is_reference = True
    changes_without_edits = True
    filter_ops = EQUALITY_OPS
    sql_type = "bigint"
    slot_family = "r"
    # The referenced record's id, as Salesforce gives it; paths go *through* a lookup (account.name).
    formula_type = "TEXT"
    widget = "lookup"
    options_schema = {
        "type": "object",
        "required": ["target"],
        "properties": {
            "target": {"type": "string"},
            "on_delete": {"enum": ["restrict", "set_null", "cascade"]},
            "relationship_name": {"type": "string", "pattern": "^[a-z][a-z0-9_]{1,62}$"},
            "related_labels": {"$ref": "common.json#/$defs/labels"},
            "filter": {
                "type": "object",
                "description": "Which records of the target may be chosen: the records API's filters over the target "
                               "object, as list views store them ({\"type\": \"customer\"}, "
                               "{\"stage__in\": [\"won\"]}); a value {\"field\": \"account\"} compares with that "
                               "field of the record being written (eq or ne only).",
                "propertyNames": {"$ref": "common.json#/$defs/filter_key"},
                "additionalProperties": {"anyOf": [
                    {"type": ["string", "number", "boolean"]},
                    {"type": "array", "items": {"type": ["string", "number"]}, "minItems": 1},
                    {"type": "object", "required": [SOURCE_KEY], "additionalProperties": False,
                     "properties": {SOURCE_KEY: {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}}},
                ]},
                "maxProperties": 10,
            },
        },
        "additionalProperties": False,
    }

    def check_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> list[tuple[str, str]]:
        target = options.get("target")
        if target not in ctx.tenant.objects and target != ctx.object_api_name:
            return [("unknown_object", _("No object named “%(name)s”.") % {"name": target})]
        if ctx.current is not None and ctx.current.options.get("target") != target:
            return [("immutable", _("The target of a lookup cannot change."))]
        return []

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        """An id, `{"id": …}`, or `{"<field>": value}`: a RecordRef, resolved by the write pipeline."""
        if isinstance(raw, dict):
            return _coerce_ref(raw)
        return _coerce_id(raw)

    def column_coercer(self, field: FieldMeta) -> Callable[[list[Any]], list[Any]]:
        """A column of ids (whole numbers in range) is taken as it is."""
        general = super().column_coercer(field)

        def read(raws: list[Any]) -> list[Any]:
            if raws and self.all_of(frozenset({int}), raws) and min(raws) > 0 and max(raws) < 2**63:
                return list(raws)
            return general(raws)

        return read

    def on_delete(self, field: FieldMeta) -> str:
        return field.options.get("on_delete", "set_null")

    def record_filter(self, field: FieldMeta) -> Mapping[str, Any] | None:
        return field.options.get("filter") or None

    def target(self, field: FieldMeta) -> str | None:
        return field.options["target"]

    def to_formula(self, value: Any, field: FieldMeta) -> Any:
        return None if value is None else str(value)

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        """An id; as read, `{"id", "name"}` when the client asked to expand it; as written, also a
        field of the target record that identifies it."""
        if for_input:
            return {"oneOf": [dict(ID_SCHEMA), REFERENCE_SCHEMA, {"type": "null"}]}
        return {"oneOf": [dict(ID_SCHEMA), {"$ref": "#/components/schemas/ExpandedLookup"}, {"type": "null"}]}

    def json_sql(self, data: sql.Composable, key: str) -> sql.Composable:
        return sql.SQL("(({} ->> {})::bigint)").format(data, sql.Literal(key))

    def widget_descriptor(self, field: FieldMeta, language: str | None) -> dict:
        """With a filter, the picker asks for the records this lookup allows (`for`), sending the
        values of the record's fields the filter compares with (`compares_with`)."""
        descriptor: dict[str, Any] = {"widget": self.widget, "target": self.target(field)}
        filters = self.record_filter(field)
        if filters:
            descriptor["for"] = f"{field.object_api_name}.{field.api_name}"
            descriptor["compares_with"] = sorted({str(v[SOURCE_KEY]) for v in filters.values()
                                                  if isinstance(v, Mapping) and SOURCE_KEY in v})
        return descriptor

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({"target": "account", "on_delete": "restrict"}, (42, {"id": 7}))


class UserFieldType(LookupFieldType):
    """A reference to a user of the tenant: owner, created by, or a custom field like 'account manager'."""

    key = "user"
    label = pgettext_lazy("field type", "User")
    widget = "user"
    options_schema = {"type": "object", "properties": {}, "additionalProperties": False}

    def check_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> list[tuple[str, str]]:
        return []

    def on_delete(self, field: FieldMeta) -> str:
        return "restrict"  # users are deactivated, never deleted

    def record_filter(self, field: FieldMeta) -> None:
        return None

    def target(self, field: FieldMeta) -> None:
        return None  # users are not records of an object

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        """An id, `{"id": …}`, `{"email": …}` or `{"name": …}` (a RecordRef the write pipeline
        resolves to an active user, as the importer resolves an owner column)."""
        if isinstance(raw, dict) and "id" not in raw:
            ((key, value),) = raw.items() if len(raw) == 1 else ((None, None),)
            if key not in USER_KEYS or not isinstance(value, str | None):
                raise FieldValueError("invalid_user", _("Give the id of a user, or {\"email\": …} or {\"name\": …}."))
            return RecordRef(key, value.strip()) if value and value.strip() else None
        return _coerce_id(raw)

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        if for_input:
            return {"oneOf": [dict(ID_SCHEMA), USER_REFERENCE_SCHEMA, {"type": "null"}]}
        return nullable(ID_SCHEMA)

    def widget_descriptor(self, field: FieldMeta, language: str | None) -> dict:
        return {"widget": self.widget}

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, (3,))


#: How a lookup filter's operators read in a sentence ("Type is “Customer”").
_OP_WORDS = {
    "eq": pgettext_lazy("filter", "is"), "ne": pgettext_lazy("filter", "is not"),
    "in": pgettext_lazy("filter", "is one of"), "contains": pgettext_lazy("filter", "contains"),
    "startswith": pgettext_lazy("filter", "starts with"), "lt": "<", "lte": "≤", "gt": ">", "gte": "≥",
    "range": pgettext_lazy("filter", "is between"),
}


def describe_filter(tenant: TenantMeta, target: str, filters: Mapping[str, Any], source: ObjectMeta | None,
                    language: str | None) -> list[tuple[str, str]]:
    """(key, sentence) for each condition of a lookup filter over the object `target`, in the
    reader's words: “Type is “Customer””, “Account is this record's Account”. `source` is the
    object the lookup belongs to (for the labels of its fields a condition compares with)."""
    sentences = []
    for key, raw in filters.items():
        name, sep, op = key.rpartition("__")
        name, op = (name, op) if sep else (key, "eq")
        field, label = _walk_labels(tenant, target, name, language)
        if isinstance(raw, Mapping) and SOURCE_KEY in raw:
            other = source.field(str(raw[SOURCE_KEY])) if source is not None else None
            value = _("this record's %(field)s") % {"field": other.label(language) if other else raw[SOURCE_KEY]}
        elif op == "isnull":
            sentences.append((key, (_("%(field)s is empty") if str(raw).lower() in ("true", "1")
                                    else _("%(field)s is not empty")) % {"field": label}))
            continue
        else:
            items = list(raw) if isinstance(raw, list | tuple) else str(raw).split(",") if op == "in" else [raw]
            value = ", ".join(f"“{_value_text(field, item, language)}”" for item in items)
        sentences.append((key, f"{label} {_OP_WORDS.get(op, op)} {value}"))
    return sentences


def _walk_labels(tenant: TenantMeta, target: str, path: str, language: str | None) -> tuple[FieldMeta | None, str]:
    """The field at the end of `path` (through lookups) and its label as a reader says it
    (“Account › Type”)."""
    obj, field, labels = tenant.object(target), None, list[str]()
    for part in path.split("."):
        field = obj.field(part) if obj is not None else None
        if field is None:
            return None, " › ".join([*labels, part])
        labels.append(field.label(language))
        obj = tenant.object(field.type.target(field) or "")
    return field, " › ".join(labels)


def _value_text(field: FieldMeta | None, value: Any, language: str | None) -> str:
    if field is None:
        return str(value)
    choices = {c["value"]: c["label"] for c in field.type.widget_descriptor(field, language).get("choices", ())}
    return str(choices.get(value, value))
