"""The contract of a field type.

A field type is ONE class that owns everything about values of its kind: the JSON Schema of its
options, coercion and validation of input, the stored JSON form, the typed SQL expression used to
filter, sort and aggregate, the form widget, import/export text, and the formula type. Duties are
grouped in small sections with safe defaults, so a simple type overrides only a few methods.

Values inside the runtime are Python values (str, Decimal, date, aware datetime, bool, int ids,
tuples of keys); `to_storage` / `from_storage` convert to and from the JSON kept in `data`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from psycopg2 import sql

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from metadata.meta import FieldMeta, TenantMeta

#: Filter operators of the records API, e.g. `amount__gte=100`.
COMPARISON_OPS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "isnull", "range"})
TEXT_OPS = frozenset({"eq", "ne", "in", "contains", "startswith", "isnull", "lt", "lte", "gt", "gte"})
EQUALITY_OPS = frozenset({"eq", "ne", "in", "isnull"})


@dataclass(frozen=True)
class OptionsContext:
    """What a field type may look at when its options are saved."""

    tenant: TenantMeta
    object_api_name: str
    field_api_name: str
    #: The object's other fields by api_name (as they will be after the change).
    sibling_fields: Mapping[str, FieldMeta]
    #: The field as it is before the change, when it exists already.
    current: FieldMeta | None = None


class FieldValueError(ValueError):
    """A value that a field cannot take; `code` is stable, `message` is shown to the user."""

    def __init__(self, code: str, message: str):
        super().__init__(str(message))
        self.code = code
        self.message = message


class FieldType:
    # --- identity ------------------------------------------------------------------------------
    #: Stored in FieldDef.type: never rename.
    key: ClassVar[str]
    #: The type's name shown to users: a marked string (`pgettext_lazy("field type", …)`), translated
    #: in the .po files; the API serves it in every UI language (metadata.labels.in_every_language).
    label: ClassVar[str | Promise]

    # --- capabilities --------------------------------------------------------------------------
    #: Computed by the runtime (auto-number, formula, roll-up): never written by clients.
    computed: ClassVar[bool] = False
    supports_unique: ClassVar[bool] = False
    supports_default: ClassVar[bool] = True
    supports_required: ClassVar[bool] = True
    sortable: ClassVar[bool] = True
    filter_ops: ClassVar[frozenset[str]] = EQUALITY_OPS
    #: The PostgreSQL type of `sql_expression` (text, numeric, date, timestamptz, boolean, bigint, jsonb).
    sql_type: ClassVar[str] = "text"
    #: Family of typed projection columns that can hold a copy of the value; None: not projectable.
    slot_family: ClassVar[str | None] = None
    #: The formula engine's type for references to such fields (a FormulaType name), None: unusable.
    formula_type: ClassVar[str | None] = None
    #: Types a field of this type may be changed into (safe conversions only).
    converts_to: ClassVar[frozenset[str]] = frozenset()

    def slot_family_for(self, field: FieldMeta) -> str | None:
        """The projection family of this field (a formula's depends on its result and options)."""
        return self.slot_family

    # --- options -------------------------------------------------------------------------------
    #: JSON Schema of `spec.options` for this type (validated with the rest of the field spec).
    options_schema: ClassVar[dict] = {"type": "object", "properties": {}, "additionalProperties": False}

    def check_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> list[tuple[str, str]]:
        """Rules JSON Schema cannot express (unique keys, targets that exist…): (code, message) pairs."""
        return []

    # --- values --------------------------------------------------------------------------------
    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        """Input (API JSON, import text) → Python value, or FieldValueError. None/"" mean blank."""
        raise NotImplementedError

    def validate(self, value: Any, field: FieldMeta) -> None:
        """Constraints on a coerced, non-blank value (length, range…). Raise FieldValueError."""

    def is_blank(self, value: Any) -> bool:
        return value is None or value == "" or value == ()

    def to_storage(self, value: Any, field: FieldMeta) -> Any:
        return value

    def from_storage(self, stored: Any, field: FieldMeta) -> Any:
        return stored

    def to_api(self, value: Any, field: FieldMeta) -> Any:
        """Python value → JSON for API responses (exact decimals as strings, ISO dates)."""
        return value

    def to_projection(self, value: Any, field: FieldMeta) -> Any:
        """The value written to the typed projection column (psycopg2-adaptable)."""
        return value

    def default_value(self, field: FieldMeta) -> Any:
        """The value a new record gets when the client gives none (None: blank)."""
        if field.default is None:
            return None
        return self.coerce(field.default, field)

    def equal(self, a: Any, b: Any) -> bool:
        return a == b

    # --- SQL -----------------------------------------------------------------------------------
    def json_sql(self, data: sql.Composable, key: str) -> sql.Composable:
        """Typed SQL expression reading the value from the record's JSONB `data`.

        Must be IMMUTABLE (it is used in expression indexes) and match `to_storage` exactly.
        """
        return sql.SQL("({} ->> {})").format(data, sql.Literal(key))

    def unique_sql(self, expr: sql.Composable) -> sql.Composable:
        """The expression a unique index is built on (e.g. lower() for case-insensitive text)."""
        return expr

    def compile_filter(self, op: str, expr: sql.Composable, value: Any, field: FieldMeta) -> sql.Composable:
        """SQL predicate for `field__op=value`; `value` is already coerced (a list for in/range)."""
        if op == "isnull":
            return sql.SQL("{} IS NULL" if value else "{} IS NOT NULL").format(expr)
        if op == "in":
            return sql.SQL("{} = ANY({})").format(expr, sql.Literal(list(value)))
        if op == "range":
            low, high = value
            parts = []
            if low is not None:
                parts.append(sql.SQL("{} >= {}").format(expr, self.sql_literal(low)))
            if high is not None:
                parts.append(sql.SQL("{} <= {}").format(expr, self.sql_literal(high)))
            return sql.SQL(" AND ").join(parts) if parts else sql.SQL("TRUE")
        if op == "ne":
            return sql.SQL("{} IS DISTINCT FROM {}").format(expr, self.sql_literal(value))
        symbol = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[op]
        return sql.SQL("{} {} {}").format(expr, sql.SQL(symbol), self.sql_literal(value))

    def sql_literal(self, value: Any) -> sql.Composable:
        """A parameter of the expression's SQL type (typed, so comparisons never fall back to text)."""
        return sql.SQL("{}::{}").format(sql.Literal(self.to_projection(value, None)), sql.SQL(self.sql_type))

    # --- API description -----------------------------------------------------------------------
    def openapi_schema(self, field: FieldMeta) -> dict:
        """The OpenAPI schema of this field's value in the records API (see `to_api`)."""
        return dict(_OPENAPI_BY_SQL_TYPE.get(self.sql_type, {"type": "string"}))

    # --- forms ---------------------------------------------------------------------------------
    widget: ClassVar[str] = "text"

    def widget_descriptor(self, field: FieldMeta, language: str | None) -> dict:
        """Type-specific part of a form widget (choices, precision…); the form adds the rest."""
        return {"widget": self.widget}

    # --- import / export -----------------------------------------------------------------------
    def parse_text(self, text: str, field: FieldMeta) -> Any:
        """A cell of an imported file → Python value."""
        return self.coerce(text, field)

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        """Python value → a cell of an exported file."""
        return "" if value is None else str(value)

    # --- type changes --------------------------------------------------------------------------
    def convert_value(self, value: Any, source: FieldMeta, target: FieldMeta) -> Any:
        """Convert a stored value of `source` (of this type) into `target`'s type, or FieldValueError.

        The default goes through export text and the target's import, which is right for most pairs.
        """
        if value is None:
            return None
        return target.type.coerce(self.format_text(value, source), target)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key}>"


_OPENAPI_BY_SQL_TYPE = {
    "text": {"type": "string"},
    "numeric": {"type": "string", "format": "decimal", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"},
    "date": {"type": "string", "format": "date"},
    "timestamptz": {"type": "string", "format": "date-time"},
    "boolean": {"type": "boolean"},
    "bigint": {"type": "integer", "format": "int64"},
    "jsonb": {"type": "object"},
}
