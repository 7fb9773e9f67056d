"""Python evaluator of a :class:`CheckedFormula` against one record's values.

Values in (from ``ValueSource.get``) and out use plain Python types:

=================  =====================================================================
Number/Currency    ``Decimal`` (int and float are accepted on input and converted)
Percent            ``Decimal`` as stored/entered: 15 means 15%. It enters formulas as 0.15
                   (Salesforce semantics); a PERCENT *result* is returned the same way it
                   is stored, i.e. multiplied by 100 (a formula computing 0.15 returns 15).
Text, Picklist     ``str`` (picklists: the value's API key)
Date               ``datetime.date``
Date/Time          aware ``datetime.datetime`` (naive values are taken as UTC); results in UTC
Checkbox           ``bool`` (never blank: a blank checkbox reads as False)
Multi-picklist     ``frozenset[str]`` (lists/sets accepted)
blank              ``None``
=================  =====================================================================

Evaluation never raises for data: operations Salesforce reports as ``#Error!`` (division by zero,
invalid DATE(), VALUE("abc")...) give blank, exactly like the SQL form.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .checker import CheckedFormula
from .nodes import TCall, TExpr, TField, TLiteral
from .numeric import EXACT, clean
from .types import FormulaType, ValueSource

T = FormulaType
UTC = dt.UTC
_HUNDREDTH = Decimal("0.01")
_HUNDRED = Decimal(100)


def evaluate(checked: CheckedFormula, values: ValueSource, *, now: dt.datetime,
             tz: ZoneInfo) -> Any:
    """Evaluate ``checked`` for one record. ``now`` (aware) drives NOW(); TODAY() is its date in ``tz``."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    result = Evaluator(values, now, tz).eval(checked.tree)
    return finish(result, checked.result_type)


def finish(value: Any, result_type: FormulaType) -> Any:
    if isinstance(value, Decimal):
        if result_type is T.PERCENT:
            value = EXACT.multiply(value, _HUNDRED)
        return clean(value)
    if result_type is T.BOOLEAN:
        return bool(value)
    return value


class Evaluator:
    """Walks the typed tree; functions call back into :meth:`eval` for (lazy) arguments."""

    def __init__(self, values: ValueSource, now: dt.datetime, tz: ZoneInfo) -> None:
        self.values = values
        self.now = now.astimezone(UTC)
        self.tz = tz

    def eval(self, node: TExpr) -> Any:
        if isinstance(node, TCall):
            return node.fn.evaluate(node, self)
        if isinstance(node, TLiteral):
            if node.value is None and node.type is T.BOOLEAN:
                return False
            return node.value
        if isinstance(node, TField):
            return self.field(node)
        raise TypeError(f"not a typed formula node: {node!r}")

    def field(self, node: TField) -> Any:
        value = coerce_value(self.values.get(node.path), node.info.type, node.path)
        if node.type is T.NUMBER:
            if value is None:
                return Decimal(0) if node.blank_as_zero else None
            if node.percent:
                return EXACT.multiply(value, _HUNDREDTH)
        if node.type is T.BOOLEAN:
            return bool(value)
        return value


def coerce_value(value: Any, ftype: FormulaType, path: tuple[str, ...]) -> Any:
    """Check/normalise a field value from the ValueSource to the evaluator's Python types."""
    if value is None:
        return None
    if ftype.is_numeric and isinstance(value, bool):
        raise TypeError(f"field {'.'.join(path)}: expected a number, got bool")
    coerce = _numeric_value if ftype.is_numeric else _VALUE_COERCIONS.get(ftype)
    coerced = coerce(value) if coerce is not None else _WRONG_TYPE
    if coerced is _WRONG_TYPE:
        raise TypeError(f"field {'.'.join(path)}: expected a {ftype.label} value, got {type(value).__name__}")
    return coerced


#: What a value coercion returns for a value of another Python type (None is a value: a non-finite number).
_WRONG_TYPE = object()


def _numeric_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return _WRONG_TYPE


def _text_value(value: Any) -> Any:
    return value if isinstance(value, str) else _WRONG_TYPE


def _datetime_value(value: Any) -> Any:
    if not isinstance(value, dt.datetime):
        return _WRONG_TYPE
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _date_value(value: Any) -> Any:
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else _WRONG_TYPE


def _boolean_value(value: Any) -> Any:
    return value if isinstance(value, bool) else _WRONG_TYPE


def _multipicklist_value(value: Any) -> Any:
    if not isinstance(value, (set, frozenset, list, tuple)):
        return _WRONG_TYPE
    return frozenset(str(v) for v in value)


#: Formula type (other than the numeric ones) → its value coercion.
_VALUE_COERCIONS = {
    T.TEXT: _text_value, T.PICKLIST: _text_value, T.DATETIME: _datetime_value, T.DATE: _date_value,
    T.BOOLEAN: _boolean_value, T.MULTIPICKLIST: _multipicklist_value,
}
