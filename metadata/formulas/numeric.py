"""Decimal arithmetic rules shared by the Python evaluator (and mirrored in SQL).

The rule, applied identically in both back ends:

* ``+``, ``-``, ``*``, MOD, ROUND, FLOOR, CEILING, ABS are exact (PostgreSQL ``numeric`` is exact
  for them; Python uses a context with 2000 digits of precision, far beyond any real value).
* Operations whose exact result may not terminate -- ``/``, ``^``, SQRT, EXP, LN, LOG and the day
  difference of two date/times -- are computed with ample guard digits (PostgreSQL: a scale of at
  least 60 decimals; Python: 100 significant digits) and then rounded to **20 significant
  digits**, half away from zero. 20 digits cover Salesforce's 18-digit number fields, and it is
  exactly what the published conformance vectors expect (they were produced with decimal.js, whose
  default is 20 significant digits, half up): ``26.2188/0.621371192 = 42.195068483316490797``.
* Results that would be errors in Salesforce (#Error!: division by zero, square root of a negative,
  overflow...) are blank (None / SQL NULL) so a report over many records never aborts.
"""

from __future__ import annotations

from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import cast

SIG_DIGITS = 20
#: Largest |exponent| of a power/EXP result; beyond it the result is blank (both back ends).
MAX_MAGNITUDE = 1000
#: Decimal places ROUND() accepts; larger requests are clamped (both back ends).
MAX_ROUND_PLACES = 64

EXACT = Context(prec=2000, rounding=ROUND_HALF_UP, Emax=10**6, Emin=-(10**6),
                traps=[InvalidOperation, DivisionByZero, Overflow])
WORK = Context(prec=100, rounding=ROUND_HALF_UP, Emax=10**6, Emin=-(10**6),
               traps=[InvalidOperation, DivisionByZero, Overflow])
_SIG = Context(prec=SIG_DIGITS, rounding=ROUND_HALF_UP, Emax=10**6, Emin=-(10**6))

ZERO = Decimal(0)
ONE = Decimal(1)


def clean(value: Decimal) -> Decimal:
    """Plain notation (no positive exponent) and no negative zero, as PostgreSQL shows numbers."""
    exponent = cast(int, value.as_tuple().exponent)  # a str only for NaN and infinity, never given here
    if value.is_zero():
        return ZERO if exponent >= 0 else abs(value)
    if exponent > 0:
        return value.quantize(ONE, context=EXACT)
    return value


def round_sig(value: Decimal) -> Decimal:
    """Round to SIG_DIGITS significant digits, half away from zero."""
    if value.is_zero():
        return ZERO
    return clean(_SIG.plus(value))


def divide(a: Decimal, b: Decimal) -> Decimal | None:
    if b.is_zero():
        return None
    return round_sig(WORK.divide(a, b))


def power(a: Decimal, b: Decimal) -> Decimal | None:
    """``a ^ b``; blank for 0 ^ negative, negative ^ fraction and huge magnitudes."""
    if a.is_zero():
        if b < 0:
            return None
        return ONE if b.is_zero() else ZERO
    integral = b == b.to_integral_value()
    if a < 0 and not integral:
        return None
    magnitude = WORK.multiply(b, WORK.log10(abs(a)))
    if abs(magnitude) > MAX_MAGNITUDE:
        return None
    if integral and abs(b) <= 2 * MAX_MAGNITUDE:
        if b >= 0:
            return round_sig(EXACT.power(a, b))
        return round_sig(WORK.divide(ONE, EXACT.power(a, -b)))
    return round_sig(WORK.power(a, b))


def sqrt(a: Decimal) -> Decimal | None:
    return None if a < 0 else round_sig(WORK.sqrt(a))


def exp(a: Decimal) -> Decimal | None:
    # |x| <= 2000 keeps e^x within PostgreSQL's display scale; the same guard is in SQL.
    if abs(a) > Decimal(2000):
        return None
    return round_sig(WORK.exp(a))


def ln(a: Decimal) -> Decimal | None:
    return None if a <= 0 else round_sig(WORK.ln(a))


def log10(a: Decimal) -> Decimal | None:
    return None if a <= 0 else round_sig(WORK.log10(a))


def round_half_up(a: Decimal, places: Decimal) -> Decimal:
    n = int(places.to_integral_value(rounding=ROUND_DOWN))
    n = max(-MAX_ROUND_PLACES, min(MAX_ROUND_PLACES, n))
    return clean(a.quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP, context=EXACT))


def floor_toward_zero(a: Decimal) -> Decimal:
    """Salesforce FLOOR: rounds toward zero (FLOOR(-2.5) = -2)."""
    return clean(a.to_integral_value(rounding=ROUND_DOWN))


def ceiling_away_from_zero(a: Decimal) -> Decimal:
    """Salesforce CEILING: rounds away from zero (CEILING(-2.5) = -3)."""
    return clean(a.to_integral_value(rounding=ROUND_UP))


def to_int(a: Decimal, lo: int = -(2**31), hi: int = 2**31 - 1) -> int:
    """Truncate toward zero and clamp, exactly like the SQL helper ``tessera_f_int``."""
    if a < lo:
        return lo
    if a > hi:
        return hi
    return int(a.to_integral_value(rounding=ROUND_DOWN))


def to_text(a: Decimal) -> str:
    """TEXT(number): plain notation, no trailing zeros (PostgreSQL ``trim_scale(x)::text``)."""
    a = clean(a)
    if a.is_zero():
        return "0"
    text = format(a.normalize(context=EXACT), "f")
    return text
