"""Exact decimal field types: number, currency, percent."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from psycopg2 import sql

from .base import COMPARISON_OPS, ContractSamples, FieldType, FieldValueError

if TYPE_CHECKING:
    from metadata.meta import FieldMeta

#: The most digits any number field holds (precision 18), so 10**18 and beyond never fit.
MAX_DIGITS = 18
#: Decimal(1).scaleb(-scale) and 10 ** digits, made once (every coerced number needs them).
QUANTA = tuple(Decimal(1).scaleb(-scale) for scale in range(0, 9))
POWERS_OF_TEN = tuple(Decimal(10) ** digits for digits in range(0, 19))


class NumberFieldType(FieldType):
    key = "number"
    label = pgettext_lazy("field type", "Number")
    summable = True
    supports_unique = True
    filter_ops = COMPARISON_OPS
    sql_type = "numeric"
    slot_family = "n"
    formula_type = "NUMBER"
    widget = "number"
    converts_to = frozenset({"currency", "percent", "text"})
    default_scale: ClassVar[int] = 0
    options_schema = {
        "type": "object",
        "properties": {
            "precision": {"type": "integer", "minimum": 1, "maximum": 18},
            "scale": {"type": "integer", "minimum": 0, "maximum": 8},
            "min": {"type": ["number", "null"]},
            "max": {"type": ["number", "null"]},
        },
        "additionalProperties": False,
    }

    def precision(self, field: FieldMeta) -> int:
        return int(field.options.get("precision") or 18)

    def scale(self, field: FieldMeta) -> int:
        scale = field.options.get("scale")
        return int(self.default_scale if scale is None else scale)

    def coerce(self, raw: Any, field: FieldMeta) -> Decimal | None:
        """A number with at most the field's decimals (never rounded silently: `1,054.499` is not
        an amount of 2 decimals), normalised to exactly that many (`1.5` → `1.50`)."""
        value = self.parse_number(raw, field)
        if value is None:
            return None
        scale = self.scale(field)
        quantum = QUANTA[scale]
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= -scale:
            return value.quantize(quantum) + 0  # + 0 turns -0 into 0
        rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
        if rounded != value:
            raise FieldValueError("too_many_decimals", ngettext(
                "At most %(scale)d decimal: %(value)s has more.", "At most %(scale)d decimals: %(value)s has more.",
                scale) % {"scale": scale, "value": format(value, "f")})
        return rounded + 0

    def parse_number(self, raw: Any, field: FieldMeta) -> Decimal | None:
        """Input → an exact Decimal as given (thousands separators dropped), or FieldValueError."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
            raise FieldValueError("invalid_number", _("Enter a number."))
        text = raw.strip().replace(",", "").replace("，", "") if isinstance(raw, str) else raw
        try:
            value = Decimal(str(text) if isinstance(text, float) else text)
        except (InvalidOperation, ValueError):
            raise FieldValueError("invalid_number", _("Enter a number.")) from None
        if not value.is_finite():
            raise FieldValueError("invalid_number", _("Enter a number."))
        if value and value.adjusted() >= MAX_DIGITS:  # before quantize, whose context holds 28 digits
            raise FieldValueError("too_large", _("At most %(digits)d digits before the decimal point.")
                                  % {"digits": self.precision(field) - self.scale(field)})
        return value

    def filter_one(self, raw: Any, field: FieldMeta) -> Any:
        """A filter compares with the number as given (`amount__gte=9.995` is no amount, but a bound)."""
        value = self.parse_number(raw, field)
        if value is None:
            raise FieldValueError("invalid", _("Give a value (use __isnull to find blanks)."))
        return value

    def convert_value(self, value: Any, source: FieldMeta, target: FieldMeta) -> Any:
        """Into another number type: rounded to its decimals (a type change is not an input to refuse)."""
        if value is not None and isinstance(target.type, NumberFieldType):
            return target.type.coerce(Decimal(value).quantize(QUANTA[target.type.scale(target)],
                                                              rounding=ROUND_HALF_UP), target)
        return super().convert_value(value, source, target)

    def batch_coercer(self, field: FieldMeta) -> Callable[[Any], Any]:
        """Plain numbers (a JSON number, text without separators, a Decimal the importer parsed)
        read without the general path's steps; anything else, and every refusal, through coerce()
        and validate()."""
        general = super().batch_coercer(field)
        quantum = QUANTA[self.scale(field)]
        limit = POWERS_OF_TEN[max(self.precision(field) - self.scale(field), 0)]
        low, high = (None if field.options.get(k) is None else Decimal(str(field.options[k])) for k in ("min", "max"))

        def read(raw: Any) -> Any:
            kind = type(raw)
            if kind is str and "," not in raw and "，" not in raw or kind is int or kind is Decimal:
                try:
                    value = Decimal(raw)
                except (InvalidOperation, ValueError):
                    return general(raw)
                if value.is_finite() and (not value or value.adjusted() < MAX_DIGITS):
                    rounded = value.quantize(quantum) + 0
                    if rounded == value and abs(rounded) < limit and (low is None or rounded >= low) and (
                            high is None or rounded <= high):
                        return rounded
            return general(raw)

        return read

    def validate(self, value: Decimal, field: FieldMeta) -> None:
        integer_digits = self.precision(field) - self.scale(field)
        if abs(value) >= POWERS_OF_TEN[max(integer_digits, 0)]:
            raise FieldValueError(
                "too_large", _("At most %(digits)d digits before the decimal point.") % {"digits": integer_digits}
            )
        low, high = field.options.get("min"), field.options.get("max")
        if low is not None and value < Decimal(str(low)):
            raise FieldValueError("too_small", _("Must be at least %(min)s.") % {"min": low})
        if high is not None and value > Decimal(str(high)):
            raise FieldValueError("too_large", _("Must be at most %(max)s.") % {"max": high})

    # to_storage: FieldType's (the Decimal itself), written as an exact JSON number by records.jsonio.

    def from_storage(self, stored: Any, field: FieldMeta) -> Any:
        return None if stored is None else Decimal(str(stored))

    def to_api(self, value: Any, field: FieldMeta) -> Any:
        if value is None:
            return None
        # SQL gives ints for counts (roll-ups): format(5, "f") would be "5.000000".
        return format(value if isinstance(value, Decimal) else Decimal(str(value)), "f")

    def json_sql(self, data: sql.Composable, key: str) -> sql.Composable:
        return sql.SQL("(({} ->> {})::numeric)").format(data, sql.Literal(key))

    def widget_descriptor(self, field: FieldMeta, language: str | None) -> dict:
        return {"widget": self.widget, "precision": self.precision(field), "scale": self.scale(field)}

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        schema = super().openapi_schema(field, for_input=for_input)
        digits, scale = self.precision(field) - self.scale(field), self.scale(field)
        schema["description"] = (f"An exact decimal (a JSON number or a string): at most {digits} digits before "
                                 f"the decimal point, at most {scale} after (more are refused, never rounded).")
        return schema

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        return "" if value is None else format(value, "f")

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({"scale": 2, "precision": 12}, ("12.5", -3, "0.01"))


class CurrencyFieldType(NumberFieldType):
    """An exact amount in the tenant's currency (default CNY)."""

    key = "currency"
    label = pgettext_lazy("field type", "Currency")
    formula_type = "CURRENCY"
    widget = "currency"
    default_scale = 2
    converts_to = frozenset({"number", "text"})

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, ("1,234.56",))


class PercentFieldType(NumberFieldType):
    """Stored as entered: 15 means 15%."""

    key = "percent"
    label = pgettext_lazy("field type", "Percent")
    summable = False  # 15% + 20% means nothing
    formula_type = "PERCENT"
    widget = "percent"
    default_scale = 2
    converts_to = frozenset({"number", "text"})

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, (15,))
