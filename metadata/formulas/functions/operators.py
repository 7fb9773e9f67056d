"""Operators: arithmetic, concatenation and comparison (the parser maps symbols to these keys).

Null rules (Salesforce, identical in SQL): arithmetic with a blank operand is blank; ``&`` and
text ``+`` treat blank text as ""; ``=``/``<>`` treat blank text as "" and otherwise consider two
blanks equal and a blank unequal to any value (SQL ``IS [NOT] DISTINCT FROM``); ``< <= > >=``
with a blank operand are FALSE. Text cannot be ordered with ``<`` (as in Salesforce), which also
keeps results independent of database collations.
"""

from __future__ import annotations

from typing import Any

from psycopg2 import sql

from .. import datemath, numeric
from ..nodes import TCall
from ..sqlfrag import func, tpl
from ..types import FormulaType as T
from .base import FormulaFunction, Overload
from .registry import FUNCTIONS

_NUM2 = (T.NUMBER, T.NUMBER)


@FUNCTIONS.entry
class Add(FormulaFunction):
    name = "+"
    overloads = (
        Overload(_NUM2, T.NUMBER, "num"),
        Overload((T.DATE, T.NUMBER), T.DATE, "date"),
        Overload((T.NUMBER, T.DATE), T.DATE, "num_date"),
        Overload((T.DATETIME, T.NUMBER), T.DATETIME, "dt"),
        Overload((T.NUMBER, T.DATETIME), T.DATETIME, "num_dt"),
        Overload((T.TEXT, T.TEXT), T.TEXT, "text"),
    )

    def py(self, node: TCall, a: Any, b: Any) -> Any:
        v = node.variant
        if v == "num":
            return numeric.EXACT.add(a, b)
        if v == "date":
            return datemath.add_days(a, b)
        if v == "num_date":
            return datemath.add_days(b, a)
        if v == "dt":
            return datemath.add_days_dt(a, b)
        if v == "num_dt":
            return datemath.add_days_dt(b, a)
        return a + b

    def sql(self, node: TCall, a: sql.Composable, b: sql.Composable) -> sql.Composable:
        v = node.variant
        if v == "num":
            return tpl("({} + {})", a, b)
        if v == "date":
            return func("tessera_f_date_add", a, b)
        if v == "num_date":
            return func("tessera_f_date_add", b, a)
        if v == "dt":
            return func("tessera_f_dt_add", a, b)
        if v == "num_dt":
            return func("tessera_f_dt_add", b, a)
        return tpl("({} || {})", a, b)


@FUNCTIONS.entry
class Subtract(FormulaFunction):
    name = "-"
    overloads = (
        Overload(_NUM2, T.NUMBER, "num"),
        Overload((T.DATE, T.NUMBER), T.DATE, "date"),
        Overload((T.DATE, T.DATE), T.NUMBER, "date_diff"),
        Overload((T.DATETIME, T.NUMBER), T.DATETIME, "dt"),
        Overload((T.DATETIME, T.DATETIME), T.NUMBER, "dt_diff"),
    )

    def py(self, node: TCall, a: Any, b: Any) -> Any:
        v = node.variant
        if v == "num":
            return numeric.EXACT.subtract(a, b)
        if v == "date":
            return datemath.add_days(a, -b)
        if v == "date_diff":
            return datemath.diff_days(a, b)
        if v == "dt":
            return datemath.add_days_dt(a, -b)
        return datemath.diff_days_dt(a, b)

    def sql(self, node: TCall, a: sql.Composable, b: sql.Composable) -> sql.Composable:
        v = node.variant
        if v == "num":
            return tpl("({} - {})", a, b)
        if v == "date":
            return func("tessera_f_date_add", a, tpl("(-{})", b))
        if v == "date_diff":
            return tpl("(({} - {})::numeric)", a, b)
        if v == "dt":
            return func("tessera_f_dt_add", a, tpl("(-{})", b))
        return func("tessera_f_dt_diff", a, b)


@FUNCTIONS.entry
class Multiply(FormulaFunction):
    name = "*"
    overloads = (Overload(_NUM2, T.NUMBER),)

    def py(self, node: TCall, a: Any, b: Any) -> Any:
        return numeric.EXACT.multiply(a, b)

    def sql(self, node: TCall, a: sql.Composable, b: sql.Composable) -> sql.Composable:
        return tpl("({} * {})", a, b)


@FUNCTIONS.entry
class Divide(FormulaFunction):
    name = "/"
    overloads = (Overload(_NUM2, T.NUMBER),)

    def py(self, node: TCall, a: Any, b: Any) -> Any:
        return numeric.divide(a, b)

    def sql(self, node: TCall, a: sql.Composable, b: sql.Composable) -> sql.Composable:
        return func("tessera_f_div", a, b)


@FUNCTIONS.entry
class Power(FormulaFunction):
    name = "^"
    overloads = (Overload(_NUM2, T.NUMBER),)

    def py(self, node: TCall, a: Any, b: Any) -> Any:
        return numeric.power(a, b)

    def sql(self, node: TCall, a: sql.Composable, b: sql.Composable) -> sql.Composable:
        return func("tessera_f_power", a, b)


@FUNCTIONS.entry
class Negate(FormulaFunction):
    name = "u-"
    overloads = (Overload((T.NUMBER,), T.NUMBER),)

    def py(self, node: TCall, a: Any) -> Any:
        return numeric.EXACT.minus(a)

    def sql(self, node: TCall, a: sql.Composable) -> sql.Composable:
        return tpl("(-{})", a)


@FUNCTIONS.entry
class Plus(FormulaFunction):
    name = "u+"
    overloads = (Overload((T.NUMBER,), T.NUMBER),)

    def py(self, node: TCall, a: Any) -> Any:
        return a

    def sql(self, node: TCall, a: sql.Composable) -> sql.Composable:
        return a


@FUNCTIONS.entry
class Concat(FormulaFunction):
    """``a & b & c``: one variadic call per chain; blank text is ""."""

    name = "&"
    overloads = (Overload((T.TEXT, T.TEXT), T.TEXT, rest=T.TEXT),)
    strict = False

    def py(self, node: TCall, *parts: Any) -> Any:
        return "".join(parts)

    def sql(self, node: TCall, *parts: sql.Composable) -> sql.Composable:
        return sql.Composed([sql.SQL("("), sql.SQL(" || ").join(parts), sql.SQL(")")])


_COMPARABLE = (T.NUMBER, T.TEXT, T.DATE, T.DATETIME, T.BOOLEAN)


class _Equality(FormulaFunction):
    overloads = tuple(Overload((t, t), T.BOOLEAN, t.value) for t in _COMPARABLE)
    strict = False
    negate = False

    def py(self, node: TCall, a: Any, b: Any) -> Any:
        return (a == b) != self.negate

    def sql(self, node: TCall, a: sql.Composable, b: sql.Composable) -> sql.Composable:
        if node.variant in ("text", "boolean"):  # never NULL here: text is coalesced
            return tpl("({} <> {})" if self.negate else "({} = {})", a, b)
        return tpl("({} IS DISTINCT FROM {})" if self.negate else "({} IS NOT DISTINCT FROM {})", a, b)


@FUNCTIONS.entry
class Equal(_Equality):
    name = "="


@FUNCTIONS.entry
class NotEqual(_Equality):
    name = "!="
    negate = True


class _Ordering(FormulaFunction):
    overloads = tuple(Overload((t, t), T.BOOLEAN, t.value) for t in (T.NUMBER, T.DATE, T.DATETIME))
    strict = False
    symbol = ""

    def py(self, node: TCall, a: Any, b: Any) -> Any:
        if a is None or b is None:
            return False
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[self.symbol]

    def sql(self, node: TCall, a: sql.Composable, b: sql.Composable) -> sql.Composable:
        return tpl("COALESCE({} " + self.symbol + " {}, FALSE)", a, b)


@FUNCTIONS.entry
class Less(_Ordering):
    name = symbol = "<"


@FUNCTIONS.entry
class LessEqual(_Ordering):
    name = symbol = "<="


@FUNCTIONS.entry
class Greater(_Ordering):
    name = symbol = ">"


@FUNCTIONS.entry
class GreaterEqual(_Ordering):
    name = symbol = ">="
