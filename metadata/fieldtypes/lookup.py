"""Lookup (reference to a record of another object) and user (reference to a tenant user).

A lookup's value is the id of a record of its target object in the same tenant. What happens to
the lookup when the target is deleted is the field's `on_delete`: `restrict` (the delete is refused
while records point at it), `set_null`, or `cascade` (the pointing records go to the recycle bin too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from psycopg2 import sql

from .base import EQUALITY_OPS, ContractSamples, FieldType, FieldValueError, OptionsContext, nullable

if TYPE_CHECKING:
    from metadata.meta import FieldMeta

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

    def on_delete(self, field: FieldMeta) -> str:
        return field.options.get("on_delete", "set_null")

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
        return {"widget": self.widget, "target": self.target(field)}

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

    def target(self, field: FieldMeta) -> None:
        return None  # users are not records of an object

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        return _coerce_id(raw)

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        return nullable(ID_SCHEMA)

    def widget_descriptor(self, field: FieldMeta, language: str | None) -> dict:
        return {"widget": self.widget}

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, (3,))
