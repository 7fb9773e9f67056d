"""The contract of a field type.

A field type is ONE class that owns everything about values of its kind: the JSON Schema of its
options, coercion and validation of input, the stored JSON form, the typed SQL expression used to
filter, sort and aggregate, the form widget, import/export text, and the formula type. Duties are
grouped in small sections with safe defaults, so a simple type overrides only a few methods.

Values inside the runtime are Python values (str, Decimal, date, aware datetime, bool, int ids,
tuples of keys); `to_storage` / `from_storage` convert to and from the JSON kept in `data`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext_lazy as _
from psycopg2 import sql

if TYPE_CHECKING:
    from django.utils.functional import Promise
    from django_stubs_ext import StrPromise

    from metadata.meta import FieldMeta, ObjectMeta, TenantMeta

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


@dataclass(frozen=True)
class FieldFormula:
    """The formula a field computes (see FieldType.formula)."""

    source: str
    result_type: str
    blank_as: str = "zero"


@dataclass(frozen=True)
class ContractSamples:
    """What a type gives the contract tests (tests/metadata/fieldtypes/): the options of a sample
    field, and inputs (as a client sends them) that such a field takes."""

    options: Mapping[str, Any]
    values: tuple[Any, ...]


class FieldValueError(ValueError):
    """A value that a field cannot take; `code` is stable, `message` is shown to the user."""

    def __init__(self, code: str, message: str | StrPromise) -> None:
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
    #: Computed by SQL each time a record is read (formula, roll-up), so never kept in `data`;
    #: an auto-number is computed once, when the record is created, and stored like any value.
    computed_on_read: ClassVar[bool] = False
    #: The value describes an uploaded file: the API shows it with a download URL and a token, and
    #: a client may send back only the file the record holds (or a new upload's token).
    holds_files: ClassVar[bool] = False
    #: The value is the id of something else (a record, a user): kept in an indexed slot so
    #: filters on it and deletes of its target are index lookups; filtered, never sorted by.
    is_reference: ClassVar[bool] = False
    #: The value can change without a write of its own record (a lookup cleared when its target is
    #: deleted, a user field when records are transferred, a roll-up over child records), so a
    #: stored (materialised) formula cannot use it.
    changes_without_edits: ClassVar[bool] = False
    #: New records take a number from the field's own counter (auto-numbers: a sequence, or a
    #: gap-free counter, see tessera.records.autonumbers) and hold `format_number` of it.
    numbered: ClassVar[bool] = False
    #: Global search finds a record by this field's normalised value (case, spaces and punctuation
    #: ignored: `public.tessera_normalize`), so "138 1234-5678" finds "13812345678"; the field then
    #: gets an index on that value (tessera.records.indexing.needs_normalized_index).
    searched_normalized: ClassVar[bool] = False
    #: Values add up to something meaningful (amounts, quantities): boards and lists may show
    #: their sum (a formula field: its value_type() decides).
    summable: ClassVar[bool] = False

    def slot_family_for(self, field: FieldMeta) -> str | None:
        """The projection family of this field (a formula's depends on its result and options)."""
        return self.slot_family

    # --- what the runtime asks of a field --------------------------------------------------------
    def value_type(self, field: FieldMeta) -> FieldType:
        """The type whose values this field holds: itself, or for a computed field the type of its
        result (a formula returning a date filters, sorts and pages like a date field)."""
        return self

    def target(self, field: FieldMeta) -> str | None:
        """The api_name of the object whose records this field points at (lookups): paths such as
        `account.industry` go through it, it can be expanded to the record's name. None for every
        other field, a user field included (users are not records of an object)."""
        return None

    def formula(self, field: FieldMeta) -> FieldFormula | None:
        """The formula this field computes (formula fields), None for every other field."""
        return None

    def materialized(self, field: FieldMeta) -> bool:
        """Whether a computed value is also stored, recomputed on every write of its record, in an
        indexed slot (a formula with `materialized`)."""
        return False

    def computed_sql(self, field: FieldMeta, compiler: Any, alias: str, obj: ObjectMeta) -> sql.Composable:
        """The SQL of a value computed on read (see `computed_on_read`), built by the records query
        compiler `compiler` for the row `alias` of `obj` (formulas compile their formula, roll-ups
        aggregate child records). Metadata never imports the runtime: the compiler is handed in."""
        raise NotImplementedError(f"{self!r} is not computed on read")

    def depends_on(self, field: FieldMeta) -> tuple[tuple[str, str], ...]:
        """(object api_name, field api_name) of the fields, other than through a formula, that this
        field's value is computed from: they cannot be deleted or change type while it does (a
        roll-up's child lookup and value field)."""
        return ()

    def record_filter(self, field: FieldMeta) -> Mapping[str, Any] | None:
        """Which records of its target a reference may point at (a lookup filter: records-API
        filters over the target, see tessera.records.lookup_filters), or None: any record."""
        return None

    def controlling_field(self, field: FieldMeta) -> str | None:
        """The field whose value limits this one's choices (a dependent picklist), or None."""
        return None

    def choice_keys(self, field: FieldMeta) -> list[str] | None:
        """The keys a value is chosen from (picklists, inactive values included); None for a field
        without a fixed set of values."""
        return None

    def normalise_for_unique(self, value: Any) -> Any:
        """The form two values are compared in for uniqueness and in-batch duplicates: in Python
        exactly what `unique_sql` is in SQL (e-mail addresses ignore case)."""
        return value

    def to_formula(self, value: Any, field: FieldMeta) -> Any:
        """Python value → the formula engine's value of the field's formula type (see `formula_type`)."""
        return value

    def format_number(self, field: FieldMeta, number: int, day: dt.date) -> Any:
        """The value of a `numbered` field for the number a new record took on `day`."""
        raise NotImplementedError(f"{self!r} is not numbered")

    # --- life cycle of a field -----------------------------------------------------------------
    def default_options(self) -> dict:
        """Options a field gets when it is created without any (the name field of a new object)."""
        return {}

    def derived_options(self, options: Mapping[str, Any], tenant: TenantMeta) -> dict:
        """The options as stored, with what the type derives itself from the others (a roll-up's
        result type, from its function and value field); called before the options are checked."""
        return dict(options)

    def after_field_created(self, field: FieldMeta) -> None:
        """Storage a new field of this type needs besides its slot and indexes (an auto-number's
        sequence), made in the transaction that adds the field."""

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

    def batch_coercer(self, field: FieldMeta) -> Callable[[Any], Any]:
        """`coerce()` then `validate()` of one input value of `field`, as one function made once per
        batch: the write path calls it for every value of the field in a batch, so a type hoists
        what depends only on the field (its options, limits, keys) out of the per-value work. Gives
        what coerce() gives, raises FieldValueError for what coerce() or validate() refuse."""
        coerce, validate, is_blank = self.coerce, self.validate, self.is_blank
        if type(self).validate is FieldType.validate:
            return lambda raw: coerce(raw, field)

        def read(raw: Any) -> Any:
            value = coerce(raw, field)
            if not is_blank(value):
                validate(value, field)
            return value

        return read

    @staticmethod
    def all_of(kinds: frozenset[type], raws: list[Any]) -> bool:
        """Whether every value of a column is of one of the Python types `kinds` (exactly: a bool is
        not an int here), the test a column coercer's one-pass reading starts with."""
        return kinds.issuperset(map(type, raws))

    def column_coercer(self, field: FieldMeta) -> Callable[[list[Any]], list[Any]]:
        """batch_coercer for a column: the values a batch gives `field`, read in one call made once
        per batch (the write path reads a batch field by field). Raises FieldValueError at the
        first value refused: the caller then reads that column value by value, to say which. A type
        reads a column in one pass where its values are usually given in one form (an active
        picklist key, a bool, a date the importer parsed already)."""
        read = self.batch_coercer(field)
        return lambda raws: [read(raw) for raw in raws]

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

    def filter_value(self, op: str, raw: Any, field: FieldMeta) -> Any:
        """The raw value of a filter (`amount__gte=100`) → what compile_filter takes: coerced by
        the type (a list for in, a (low, high) pair for range), or FieldValueError, never bad SQL."""
        if op == "isnull":
            text = str(raw).strip().lower()
            if text not in ("true", "false", "1", "0"):
                raise FieldValueError("invalid", _("Use true or false."))
            return text in ("true", "1")
        if op == "in":
            items = raw if isinstance(raw, list | tuple) else [p for p in str(raw).split(",")]
            values = [self.filter_one(item, field) for item in items if str(item).strip() != ""]
            if not values:
                raise FieldValueError("invalid", _("Give at least one value."))
            return values
        if op == "range":
            return self.filter_range(raw, field)
        if op in ("contains", "startswith"):
            text = str(raw)
            if not text:
                raise FieldValueError("invalid", _("Give some text."))
            return text
        return self.filter_one(raw, field)

    def filter_range(self, raw: Any, field: FieldMeta) -> tuple[Any, Any]:
        """`low,high`, either end open."""
        parts = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        if len(parts) != 2:
            raise FieldValueError("invalid", _("Give a range as low,high (either may be empty)."))
        low, high = (self.filter_one(p, field) if str(p).strip() else None for p in parts)
        return low, high

    def filter_one(self, raw: Any, field: FieldMeta) -> Any:
        """One value of a filter: blank is refused (blanks are found with __isnull)."""
        value = self.coerce(raw, field)
        if value is None:
            raise FieldValueError("invalid", _("Give a value (use __isnull to find blanks)."))
        return value

    def sql_literal(self, value: Any) -> sql.Composable:
        """A parameter of the expression's SQL type (typed, so comparisons never fall back to text)."""
        return sql.SQL("{}::{}").format(sql.Literal(self.to_projection(value, None)),  # type: ignore[arg-type]
                                        sql.SQL(self.sql_type))  # (a plain value needs no field)

    # --- API description -----------------------------------------------------------------------
    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        """The OpenAPI schema of this field's value in the records API, as read (see `to_api`) or,
        `for_input`, as written; null included where the API gives or takes null."""
        return nullable(_OPENAPI_BY_SQL_TYPE.get(self.sql_type, {"type": "string"}))

    def filter_parameter_schema(self, op: str, field: FieldMeta) -> dict:
        """The OpenAPI schema of the query parameter `<field>__<op>`."""
        return {"type": "boolean"} if op == "isnull" else {"type": "string"}

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

    #: parse_text(format_text(v)) gives v back; not for files (a cell holds only the file's name).
    imports_text: ClassVar[bool] = True

    # --- contract ------------------------------------------------------------------------------
    def contract_samples(self) -> ContractSamples | None:
        """Sample options and values that the contract tests run every registered type through
        (storage and SQL agree, text round trip, schemas, filters): a new type gives its own, and
        the tests fail until it does."""
        return None

    # --- type changes --------------------------------------------------------------------------
    def convert_value(self, value: Any, source: FieldMeta, target: FieldMeta) -> Any:
        """Convert a stored value of `source` (of this type) into `target`'s type, or FieldValueError.

        The default goes through export text and the target's import, which is right for most pairs.
        """
        if value is None:
            return None
        return target.type.coerce(self.format_text(value, source), target)

    # --- computed values and the reader's rights ----------------------------------------------
    #: Options that say how a computed value is made (a formula's text, a roll-up's source): the
    #: metadata API shows them only to those who may read every field they name.
    definition_options: ClassVar[frozenset[str]] = frozenset()

    def reads(self, field: FieldMeta, tenant: TenantMeta) -> tuple[tuple[ObjectMeta, FieldMeta], ...] | None:
        """(object, field) of every field a value of `field` is computed from, lookups crossed
        included: a reader must be able to read them all to read the value (see follows_reader).
        None when they no longer resolve (a broken definition): then only administrators read it."""
        return ()

    def follows_reader(self, field: FieldMeta) -> bool:
        """Whether a value of `field` is shown only to readers of everything it `reads` (and, through
        lookups, only from records they may see). Stored fields: nothing to follow."""
        return False

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


def nullable(schema: Mapping[str, Any]) -> dict:
    """`schema`, also accepting null (a blank value)."""
    schema = dict(schema)
    if isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema
