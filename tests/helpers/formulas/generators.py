"""Hypothesis strategies: random well-typed formulas (as source text) and random records.

Formulas are generated per result type with a depth budget, fully parenthesised, over a fixed
schema that has one or two fields of every type. Numbers stay in magnitudes where both back ends
promise identical results (see ``metadata.formulas.numeric``).
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from metadata.formulas import FormulaType

T = FormulaType
UTC = dt.UTC

SCHEMA: dict[tuple[str, ...], FormulaType] = {
    ("n1",): T.NUMBER, ("n2",): T.NUMBER, ("c1",): T.CURRENCY, ("p1",): T.PERCENT,
    ("t1",): T.TEXT, ("t2",): T.TEXT, ("d1",): T.DATE, ("d2",): T.DATE,
    ("dt1",): T.DATETIME, ("dt2",): T.DATETIME, ("b1",): T.BOOLEAN, ("pk",): T.PICKLIST,
    ("ms",): T.MULTIPICKLIST,
}
FIELDS = {t: [p[0] for p, ft in SCHEMA.items() if (T.NUMBER if ft.is_numeric else ft) is t] for t in
          (T.NUMBER, T.TEXT, T.DATE, T.DATETIME, T.BOOLEAN)}
PICK_KEYS = ["Hot", "Warm", "Cold", "", "100%"]
TEXT_ALPHABET = "abcXYZ 019.-+%'\"\\\t_éßİΣ😀"
REGEX_PATTERNS = ["[a-c]+", "\\d{1,3}", ".*%.*", "(a|b)*c?", "[^ ]*", "\\w+\\s?\\w*", "", "X.Z"]
NUMBERS = st.one_of(
    st.integers(-1000, 1000).map(Decimal),
    st.decimals(min_value=Decimal("-10000"), max_value=Decimal("10000"), places=3, allow_nan=False),
    st.sampled_from([Decimal("0"), Decimal("0.5"), Decimal("1"), Decimal("2.5"), Decimal("-0.5")]),
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=8, allow_nan=False),
)
#: TESSERA_FORMULA_WIDE=1 widens dates to years 1..9999 and numbers to 18 digits (edge hunting).
WIDE = bool(os.environ.get("TESSERA_FORMULA_WIDE"))
if WIDE:
    NUMBERS = st.one_of(NUMBERS, st.decimals(min_value=Decimal("-1e17"), max_value=Decimal("1e17"),
                                             places=10, allow_nan=False))
TEXTS = st.text(alphabet=TEXT_ALPHABET + ("\n" if WIDE else ""), max_size=8)
_FIRST, _LAST = (dt.date(1, 1, 1), dt.date(9999, 12, 31)) if WIDE else (dt.date(1890, 1, 1), dt.date(2110, 12, 31))
DATES = st.dates(min_value=_FIRST, max_value=_LAST)
DATETIMES = st.datetimes(min_value=dt.datetime.combine(_FIRST, dt.time()),
                         max_value=dt.datetime.combine(_LAST, dt.time(23, 59, 59))).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC))


def quote(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\t", "\\t").replace("\r", "\\r"))
    return f'"{escaped}"'


def number_literal(value: Decimal) -> str:
    text = format(value, "f")
    return f"(-{text[1:]})" if text.startswith("-") else text


@st.composite
def records(draw: Any) -> dict[tuple[str, ...], Any]:
    values: dict[tuple[str, ...], Any] = {}
    for path, ftype in SCHEMA.items():
        if draw(st.integers(0, 4)) == 0:
            values[path] = None
            continue
        if ftype.is_numeric:
            values[path] = draw(NUMBERS)
        elif ftype is T.TEXT:
            values[path] = draw(TEXTS)
        elif ftype is T.PICKLIST:
            values[path] = draw(st.sampled_from(PICK_KEYS))
        elif ftype is T.MULTIPICKLIST:
            values[path] = frozenset(draw(st.lists(st.sampled_from(PICK_KEYS), max_size=3)))
        elif ftype is T.DATE:
            values[path] = draw(DATES)
        elif ftype is T.DATETIME:
            values[path] = draw(DATETIMES)
        elif ftype is T.BOOLEAN:
            values[path] = draw(st.booleans())
    return values


class _Gen:
    """Draws a formula of a given type; ``depth`` bounds nesting."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw

    def pick(self, options: list[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def expr(self, ftype: FormulaType, depth: int) -> str:
        if depth <= 0 or self.draw(st.integers(0, 3)) == 0:
            return self.leaf(ftype)
        return "(" + {T.NUMBER: self.number, T.TEXT: self.text, T.BOOLEAN: self.boolean,
                      T.DATE: self.date, T.DATETIME: self.datetime}[ftype](depth - 1) + ")"

    def leaf(self, ftype: FormulaType) -> str:
        choice = self.draw(st.integers(0, 9))
        if choice == 0:  # a blank of this type (a bare NULL would make "NULL + NULL" a Number)
            return {T.NUMBER: "NULL", T.BOOLEAN: "NULL", T.TEXT: 'IF(FALSE, "x", NULL)',
                    T.DATE: "IF(FALSE, d1, NULL)", T.DATETIME: "IF(FALSE, dt1, NULL)"}[ftype]
        if choice <= 4:
            return self.pick(FIELDS[ftype])
        if ftype is T.NUMBER:
            return number_literal(self.draw(NUMBERS))
        if ftype is T.TEXT:
            return quote(self.draw(TEXTS))
        if ftype is T.BOOLEAN:
            return self.pick(["TRUE", "FALSE", "true"])
        if ftype is T.DATE:
            return self.pick(["TODAY()", "DATE(2020, 2, 29)", 'DATEVALUE("1999-12-31")'])
        return self.pick(["NOW()", 'DATETIMEVALUE("2020-03-09 22:34:00")'])

    def generic(self, ftype: FormulaType, depth: int) -> str | None:
        """IF/CASE/BLANKVALUE/NULLVALUE work for every type."""
        e = self.expr
        kind = self.draw(st.integers(0, 9))
        if kind == 0:
            return f"IF({e(T.BOOLEAN, depth)}, {e(ftype, depth)}, {e(ftype, depth)})"
        if kind == 1:
            return f"BLANKVALUE({e(ftype, depth)}, {e(ftype, depth)})"
        if kind == 2:
            return f"NULLVALUE({e(ftype, depth)}, {e(ftype, depth)})"
        if kind == 3:
            subject = self.pick([T.NUMBER, T.TEXT, T.DATE])
            pairs = ", ".join(f"{self.leaf(subject)}, {e(ftype, depth)}" for _ in range(self.draw(st.integers(1, 3))))
            return f"CASE({e(subject, depth)}, {pairs}, {e(ftype, depth)})"
        if kind == 4 and ftype is T.TEXT:
            return f'CASE(pk, "Hot", {e(ftype, depth)}, "", {e(ftype, depth)}, {e(ftype, depth)})'
        return None

    def number(self, d: int) -> str:
        g = self.generic(T.NUMBER, d)
        if g:
            return g
        e, n, t = self.expr, T.NUMBER, T.TEXT
        return self.pick([
            lambda: f"{e(n, d)} {self.pick(['+', '-', '*', '/'])} {e(n, d)}",
            lambda: f"-{e(n, d)}",
            lambda: f"{e(n, d)} ^ {self.pick(['2', '3', '(-1)', '0', '0.5', '(-2)'])}",
            lambda: f"{self.pick(['ROUND', 'MOD'])}({e(n, d)}, {e(n, d)})",
            lambda: f"{self.pick(['FLOOR', 'CEILING', 'ABS', 'SQRT', 'LN', 'LOG', 'EXP'])}({e(n, d)})",
            lambda: f"{self.pick(['MAX', 'MIN'])}({e(n, d)}, {e(n, d)}, {e(n, d)})",
            lambda: f"LEN({e(t, d)})",
            lambda: f"VALUE({e(t, d)})",
            lambda: f"FIND({e(t, d)}, {e(t, d)})",
            lambda: f"FIND({e(t, d)}, {e(t, d)}, {e(n, d)})",
            lambda: f"{self.pick(['YEAR', 'MONTH', 'DAY', 'WEEKDAY', 'DAYOFYEAR', 'ISOWEEK', 'ISOYEAR'])}({e(T.DATE, d)})",
            lambda: f"{e(T.DATE, d)} - {e(T.DATE, d)}",
            lambda: f"{e(T.DATETIME, d)} - {e(T.DATETIME, d)}",
        ])()

    def text(self, d: int) -> str:
        g = self.generic(T.TEXT, d)
        if g:
            return g
        e, n, t = self.expr, T.NUMBER, T.TEXT
        return self.pick([
            lambda: f"{e(t, d)} & {e(t, d)} & {e(t, d)}",
            lambda: f"{e(t, d)} + {e(t, d)}",
            lambda: f"{self.pick(['LEFT', 'RIGHT'])}({e(t, d)}, {e(n, d)})",
            lambda: f"MID({e(t, d)}, {e(n, d)}, {e(n, d)})",
            lambda: f"SUBSTITUTE({e(t, d)}, {e(t, d)}, {e(t, d)})",
            lambda: f"{self.pick(['UPPER', 'LOWER', 'TRIM'])}({e(t, d)})",
            lambda: f"{self.pick(['LPAD', 'RPAD'])}({e(t, d)}, {e(n, d)})",
            lambda: f"{self.pick(['LPAD', 'RPAD'])}({e(t, d)}, {e(n, d)}, {e(t, d)})",
            lambda: f"TEXT({e(self.pick([n, T.DATE, T.DATETIME]), d)})",
            lambda: "TEXT(pk)",
            lambda: f"HYPERLINK({e(t, d)}, {e(t, d)})",
            lambda: f"HYPERLINK({e(t, d)}, {e(t, d)}, {e(t, d)})",
            lambda: f"IMAGE({e(t, d)}, {e(t, d)})",
            lambda: f"IMAGE({e(t, d)}, {e(t, d)}, {e(n, d)}, {e(n, d)})",
            lambda: "BR()",
        ])()

    def boolean(self, d: int) -> str:
        g = self.generic(T.BOOLEAN, d)
        if g:
            return g
        e, n, t = self.expr, T.NUMBER, T.TEXT
        return self.pick([
            lambda: f"{e(n, d)} {self.pick(['<', '<=', '>', '>=', '=', '==', '!=', '<>'])} {e(n, d)}",
            lambda: f"{e(t, d)} {self.pick(['=', '<>'])} {e(t, d)}",
            lambda: f"{e(T.DATE, d)} {self.pick(['<', '>=', '='])} {e(T.DATE, d)}",
            lambda: f"{e(T.DATETIME, d)} {self.pick(['>', '<=', '!='])} {e(T.DATETIME, d)}",
            lambda: f"{e(T.BOOLEAN, d)} {self.pick(['&&', '||', '=', '<>'])} {e(T.BOOLEAN, d)}",
            lambda: f"{self.pick(['AND', 'OR'])}({e(T.BOOLEAN, d)}, {e(T.BOOLEAN, d)}, {e(T.BOOLEAN, d)})",
            lambda: f"{self.pick(['NOT', '!'])}({e(T.BOOLEAN, d)})",
            lambda: f"{self.pick(['ISBLANK', 'ISNULL'])}({e(self.pick([n, t, T.DATE, T.DATETIME]), d)})",
            lambda: f"{self.pick(['ISBLANK', 'ISNULL'])}({self.pick(['pk', 'ms', 'b1'])})",
            lambda: f"{self.pick(['CONTAINS', 'BEGINS'])}({e(t, d)}, {e(t, d)})",
            lambda: f"ISPICKVAL(pk, {quote(self.pick(PICK_KEYS))})",
            lambda: f"INCLUDES(ms, {quote(self.pick(PICK_KEYS))})",
            lambda: f"ISNUMBER({e(t, d)})",
            lambda: f"REGEX({e(t, d)}, {quote(self.pick(REGEX_PATTERNS))})",
        ])()

    def date(self, d: int) -> str:
        g = self.generic(T.DATE, d)
        if g:
            return g
        e, n = self.expr, T.NUMBER
        return self.pick([
            lambda: f"{e(T.DATE, d)} + {e(n, d)}",
            lambda: f"{e(n, d)} + {e(T.DATE, d)}",
            lambda: f"{e(T.DATE, d)} - {e(n, d)}",
            lambda: f"DATE({e(n, d)}, {e(n, d)}, {e(n, d)})",
            lambda: f"DATE(YEAR({e(T.DATE, d)}), {self.pick(['1', '2', '12', '13', 'MONTH(d1)'])}, {e(n, d)})",
            lambda: f"DATEVALUE({e(self.pick([T.TEXT, T.DATETIME]), d)})",
            lambda: f"DATEVALUE(TEXT({e(T.DATE, d)}))",
            lambda: f"ADDMONTHS({e(T.DATE, d)}, {e(n, d)})",
        ])()

    def datetime(self, d: int) -> str:
        g = self.generic(T.DATETIME, d)
        if g:
            return g
        e, n = self.expr, T.NUMBER
        return self.pick([
            lambda: f"{e(T.DATETIME, d)} + {e(n, d)}",
            lambda: f"{e(T.DATETIME, d)} - {e(n, d)}",
            lambda: f"DATETIMEVALUE({e(self.pick([T.TEXT, T.DATE]), d)})",
            lambda: f"DATETIMEVALUE(TEXT({e(T.DATETIME, d)}))",
        ])()


@st.composite
def formulas(draw: Any, max_depth: int = 4) -> tuple[str, FormulaType]:
    ftype = draw(st.sampled_from([T.NUMBER, T.TEXT, T.BOOLEAN, T.DATE, T.DATETIME]))
    return _Gen(draw).expr(ftype, draw(st.integers(1, max_depth))), ftype
