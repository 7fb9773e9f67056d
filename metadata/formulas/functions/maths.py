"""Math functions: ROUND, FLOOR, CEILING, ABS, MAX, MIN, MOD, SQRT, EXP, LN, LOG.

Rounding follows Salesforce: ROUND is half away from zero, FLOOR rounds toward zero
(FLOOR(-2.5) = -2) and CEILING away from zero (CEILING(-2.5) = -3). Non-terminating results use the
20-significant-digit rule of ``numeric``; invalid inputs (SQRT(-1), MOD(x, 0)...) are blank.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from psycopg2 import sql

from .. import numeric
from ..nodes import TCall
from ..sqlfrag import func
from ..types import FormulaType as T
from .base import FormulaFunction, Overload
from .registry import FUNCTIONS

_ONE = (Overload((T.NUMBER,), T.NUMBER),)
_TWO = (Overload((T.NUMBER, T.NUMBER), T.NUMBER),)


class _Unary(FormulaFunction):
    """A one-number function: ``pyfunc`` in Python, ``sqlfunc`` in SQL."""

    overloads = _ONE
    sqlfunc = ""

    @staticmethod
    def pyfunc(a: Any, /) -> Any:
        raise NotImplementedError

    def py(self, node: TCall, a: Any) -> Any:
        return self.pyfunc(a)

    def sql(self, node: TCall, a: sql.Composable) -> sql.Composable:
        return func(self.sqlfunc, a)


@FUNCTIONS.entry
class Floor(_Unary):
    name = "FLOOR"
    sqlfunc = "trunc"
    pyfunc = staticmethod(numeric.floor_toward_zero)


@FUNCTIONS.entry
class Ceiling(_Unary):
    name = "CEILING"
    sqlfunc = "tessera_f_ceiling"
    pyfunc = staticmethod(numeric.ceiling_away_from_zero)


@FUNCTIONS.entry
class Abs(_Unary):
    name = "ABS"
    sqlfunc = "abs"
    pyfunc = staticmethod(abs)


@FUNCTIONS.entry
class Sqrt(_Unary):
    name = "SQRT"
    sqlfunc = "tessera_f_sqrt"
    pyfunc = staticmethod(numeric.sqrt)


@FUNCTIONS.entry
class Exp(_Unary):
    name = "EXP"
    sqlfunc = "tessera_f_exp"
    pyfunc = staticmethod(numeric.exp)


@FUNCTIONS.entry
class Ln(_Unary):
    name = "LN"
    sqlfunc = "tessera_f_ln"
    pyfunc = staticmethod(numeric.ln)


@FUNCTIONS.entry
class Log(_Unary):
    """Base-10 logarithm (Salesforce LOG)."""

    name = "LOG"
    sqlfunc = "tessera_f_log"
    pyfunc = staticmethod(numeric.log10)


@FUNCTIONS.entry
class Round(FormulaFunction):
    """ROUND(number, places): half away from zero; places truncated and clamped to +-64."""

    name = "ROUND"
    overloads = _TWO

    def py(self, node: TCall, a: Any, places: Any) -> Any:
        return numeric.round_half_up(a, places)

    def sql(self, node: TCall, a: sql.Composable, places: sql.Composable) -> sql.Composable:
        return func("round", a, func("tessera_f_places", places))


@FUNCTIONS.entry
class Mod(FormulaFunction):
    """MOD(number, divisor): remainder with the sign of the number; blank for divisor 0."""

    name = "MOD"
    overloads = _TWO

    def py(self, node: TCall, a: Any, b: Any) -> Any:
        if b.is_zero():
            return None
        return numeric.clean(numeric.EXACT.remainder(a, b))

    def sql(self, node: TCall, a: sql.Composable, b: sql.Composable) -> sql.Composable:
        return func("tessera_f_mod", a, b)


class _Extreme(FormulaFunction):
    """MAX/MIN of one or more numbers; blank if any argument is blank."""

    overloads = (Overload((T.NUMBER,), T.NUMBER, rest=T.NUMBER),)
    pick: ClassVar[Callable[..., Any]] = max
    sqlfunc = ""

    def py(self, node: TCall, *values: Any) -> Any:
        return self.pick(values)

    def sql(self, node: TCall, *parts: sql.Composable) -> sql.Composable:
        return func(self.sqlfunc, *parts)  # variadic helper: flat SQL, however many arguments


@FUNCTIONS.entry
class Max(_Extreme):
    name = "MAX"
    sqlfunc = "tessera_f_max"


@FUNCTIONS.entry
class Min(_Extreme):
    name = "MIN"
    pick = min
    sqlfunc = "tessera_f_min"
