"""Computed field types: formula and roll-up summary. Their values are computed on read by the
records runtime (metadata.formulas for formulas; an aggregate over child records for roll-ups), in
Python for a record and in SQL for filters and sorts, so they are never stored stale.

A computed value follows the reader's rights (`reads`, `follows_reader`): it is hidden, like a hidden
field, from a reader who may not read every field it is computed from; a formula reading through a
lookup is blank where the reader may not see the record looked up. A roll-up a reader may read
totals every child record (as Salesforce's roll-up summaries do). An administrator may opt a field
out with the option `"visibility": "field"`: shown to everyone who may read the field itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from psycopg2 import sql

from metadata.formula_scope import fields_read

from .base import COMPARISON_OPS, ContractSamples, FieldFormula, FieldType, OptionsContext

if TYPE_CHECKING:
    from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from .registry import field_types

if TYPE_CHECKING:
    from metadata.meta import FieldMeta, ObjectMeta, TenantMeta

RESULT_TYPES = {
    "text": ("text", "TEXT"),
    "number": ("numeric", "NUMBER"),
    "currency": ("numeric", "CURRENCY"),
    "percent": ("numeric", "PERCENT"),
    "date": ("date", "DATE"),
    "datetime": ("timestamptz", "DATETIME"),
    "boolean": ("boolean", "BOOLEAN"),
}

VISIBILITY_OPTION = {
    "enum": ["reader", "field"],
    "description": "Who sees the value. reader (the default): only those who may read every field it is "
                   "computed from, and through lookups only from records they may see; to everyone else "
                   "it is hidden like a hidden field. field: everyone who may read this field (an "
                   "administrator's explicit choice, kept in the metadata history).",
}


class FollowsReader:
    """The visibility of a computed value: the reader's rights unless the field opts out."""

    def follows_reader(self, field: FieldMeta) -> bool:
        return field.options.get("visibility", "reader") != "field"


class FormulaFieldType(FollowsReader, FieldType):
    key = "formula"
    label = pgettext_lazy("field type", "Formula")
    computed = True
    computed_on_read = True
    supports_default = False
    supports_required = False
    filter_ops = COMPARISON_OPS | {"contains", "startswith"}
    widget = "readonly"
    options_schema = {
        "type": "object",
        "required": ["formula", "result_type"],
        "properties": {
            "formula": {"type": "string", "minLength": 1, "maxLength": 3900},
            "result_type": {"enum": sorted(RESULT_TYPES)},
            "scale": {"type": "integer", "minimum": 0, "maximum": 8},
            "blank_as": {"enum": ["zero", "blank"]},
            "materialized": {
                "type": "boolean",
                "description": "Store the value (computed on every write) in an indexed column, so filters "
                               "and sorts on it are as fast as on a stored field. Only for formulas over "
                               "the record's own stored fields, without NOW()/TODAY().",
            },
            "visibility": VISIBILITY_OPTION,
        },
        "additionalProperties": False,
    }

    definition_options = frozenset({"formula"})

    def result_type(self, field: FieldMeta) -> str:
        return field.options["result_type"]

    def formula(self, field: FieldMeta) -> FieldFormula:
        options = field.options
        return FieldFormula(options["formula"], options["result_type"], options.get("blank_as", "zero"))

    def materialized(self, field: FieldMeta) -> bool:
        return bool(field.options.get("materialized"))

    def value_type(self, field: FieldMeta) -> FieldType:
        return self.result_field_type(field)

    def computed_sql(self, field: FieldMeta, compiler: Any, alias: str, obj: ObjectMeta) -> sql.Composable:
        return compiler.formula_sql(field, alias, obj)

    def reads(self, field: FieldMeta, tenant: TenantMeta) -> tuple[tuple[ObjectMeta, FieldMeta], ...] | None:
        """Every field a reference of the formula crosses (`account.industry`: the lookup `account`,
        then `industry` of account), with its object; None when the formula no longer resolves."""
        obj = tenant.objects.get(field.object_api_name)
        if obj is None:
            return None
        return fields_read(tenant, obj, field.options["formula"], field.options["result_type"],
                           field.options.get("blank_as", "zero"))

    def scale(self, field: FieldMeta) -> int | None:
        """Decimal places of a numeric result: the `scale` option, else 2 for currency; None keeps
        the exact result (see metadata/formulas/README.md)."""
        if self.result_type(field) not in ("number", "currency", "percent"):
            return None
        scale = field.options.get("scale")
        if scale is None and self.result_type(field) == "currency":
            return 2
        return None if scale is None else int(scale)

    def finish(self, value: Any, field: FieldMeta) -> Any:
        """A computed result as the field shows it: rounded half away from zero to its scale."""
        scale = self.scale(field)
        if scale is None or value is None:
            return value
        return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)

    def finish_sql(self, expression: sql.Composable, field: FieldMeta) -> sql.Composable:
        scale = self.scale(field)
        if scale is None:
            return expression
        return sql.SQL("round({}, {})").format(expression, sql.Literal(scale))

    def slot_family_for(self, field: FieldMeta) -> str | None:
        if not self.materialized(field):
            return None
        return {"text": "t", "number": "n", "currency": "n", "percent": "n", "date": "d", "datetime": "ts",
                "boolean": "b"}[self.result_type(field)]

    def result_field_type(self, field: FieldMeta) -> FieldType:
        """The plain field type whose values look like this formula's results (for API output,
        filters and widgets)."""
        return field_types.get(self.result_type(field))

    def check_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> list[tuple[str, str]]:
        return []

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        return self.result_field_type(field).coerce(raw, field)

    def to_api(self, value: Any, field: FieldMeta) -> Any:
        return self.result_field_type(field).to_api(value, field)

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        return self.result_field_type(field).openapi_schema(field, for_input=for_input)

    def from_storage(self, stored: Any, field: FieldMeta) -> Any:
        return self.result_field_type(field).from_storage(stored, field)

    def to_projection(self, value: Any, field: FieldMeta) -> Any:
        return self.result_field_type(field).to_projection(value, field)

    def compile_filter(self, op: str, expr: sql.Composable, value: Any, field: FieldMeta) -> sql.Composable:
        return self.result_field_type(field).compile_filter(op, expr, value, field)

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        return self.result_field_type(field).format_text(value, field, language)

    def widget_descriptor(self, field: FieldMeta, language: str | None) -> dict:
        return {"widget": self.widget, "result_type": self.result_type(field)}

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({"formula": "1 + 1", "result_type": "currency"}, ("2.00",))


class RollupFieldType(FollowsReader, FieldType):
    """count / sum / min / max of child records pointing at this record through a lookup.

    A reader who may read the roll-up (and the child object, its lookup and the summarised field)
    sees the total over every child record, those they may not open included, as Salesforce's
    roll-up summaries do; a reader who may not read one of them does not see the roll-up at all.
    """

    key = "rollup"
    label = pgettext_lazy("field type", "Roll-up summary")
    computed = True
    computed_on_read = True
    changes_without_edits = True
    supports_default = False
    supports_required = False
    filter_ops = COMPARISON_OPS
    widget = "readonly"
    options_schema = {
        "type": "object",
        "required": ["child_object", "child_field", "function"],
        "properties": {
            "child_object": {
                "type": "string",
                "description": "The child object. The roll-up totals every child record, those the reader "
                               "may not open included (as Salesforce's roll-up summaries do); a reader who "
                               "may not read the child object, its lookup or the summarised field does not "
                               "see the roll-up.",
            },
            "child_field": {"type": "string"},
            "function": {"enum": ["count", "sum", "min", "max"]},
            "value_field": {"type": "string"},
            # Derived from the function and value field when the field is saved.
            "result_type": {"enum": ["number", "currency", "percent", "date", "datetime"]},
            "visibility": VISIBILITY_OPTION,
        },
        "additionalProperties": False,
    }

    definition_options = frozenset({"child_object", "child_field", "function", "value_field"})

    def reads(self, field: FieldMeta, tenant: TenantMeta) -> tuple[tuple[ObjectMeta, FieldMeta], ...] | None:
        """The child object's lookup to this one and the summarised field; None when either is gone."""
        options = field.options
        child = tenant.objects.get(options.get("child_object", ""))
        if child is None:
            return None
        link = child.field(options.get("child_field", ""))
        if link is None:
            return None
        if options.get("function") == "count":
            return ((child, link),)
        value = child.field(options.get("value_field", ""))
        return None if value is None else ((child, link), (child, value))

    def check_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> list[tuple[str, str]]:
        child = ctx.tenant.objects.get(options.get("child_object"))  # type: ignore[arg-type]  # None: no child
        if child is None:
            return [("unknown_object", _("No object named “%(name)s”.") % {"name": options.get("child_object")})]
        link = child.field(options.get("child_field", ""))
        if link is None or link.type.target(link) != ctx.object_api_name:
            return [("invalid_child_field", _("The child field must be a lookup from the child object to this one."))]
        if options["function"] != "count":
            value = child.field(options.get("value_field", ""))
            if value is None or value.type.key not in ("number", "currency", "percent", "date", "datetime"):
                return [("invalid_value_field", _("Sum, min and max need a number, currency, percent or date field."))]
            if options["function"] == "sum" and value.type.key in ("date", "datetime"):
                return [("invalid_value_field", _("Dates cannot be summed."))]
        return []

    def derived_options(self, options: Mapping[str, Any], tenant: TenantMeta) -> dict:
        """The result type: count → number, else the value field's type."""
        result_type = "number"
        child = tenant.objects.get(options.get("child_object"))  # type: ignore[arg-type]  # None: no child
        if options.get("function") != "count" and child is not None:
            value = child.field(options.get("value_field", ""))
            if value is not None:
                result_type = value.type.key
        return {**options, "result_type": result_type}

    def depends_on(self, field: FieldMeta) -> tuple[tuple[str, str], ...]:
        options = field.options
        return tuple((options.get("child_object"), options.get(name))  # type: ignore[misc]  # required options
                     for name in ("child_field", "value_field"))

    def result_field_type(self, field: FieldMeta) -> FieldType:
        return field_types.get(field.options.get("result_type") or "number")

    def value_type(self, field: FieldMeta) -> FieldType:
        return self.result_field_type(field)

    def computed_sql(self, field: FieldMeta, compiler: Any, alias: str, obj: ObjectMeta) -> sql.Composable:
        return compiler.rollup_sql(field, alias)

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        return self.result_field_type(field).coerce(raw, field)

    def to_api(self, value: Any, field: FieldMeta) -> Any:
        return self.result_field_type(field).to_api(value, field)

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        return self.result_field_type(field).openapi_schema(field, for_input=for_input)

    def compile_filter(self, op: str, expr: sql.Composable, value: Any, field: FieldMeta) -> sql.Composable:
        return self.result_field_type(field).compile_filter(op, expr, value, field)

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        return self.result_field_type(field).format_text(value, field, language)

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({"child_object": "contact", "child_field": "account", "function": "count",
                                 "result_type": "number"}, (3,))
