"""Text functions: LEN, LEFT, RIGHT, MID, FIND, CONTAINS, BEGINS, SUBSTITUTE, UPPER, LOWER, TRIM,
LPAD, RPAD, TEXT, VALUE, ISNUMBER, REGEX.

Blank text arguments behave as "" (base null policy); blank number arguments make the result blank.
Positions and lengths are truncated toward zero and clamped (negative lengths mean 0, start
positions below 1 mean 1) the same way in Python and SQL (``tessera_f_count``/``tessera_f_pos``,
which are STRICT: PostgreSQL's greatest()/least() would silently skip a blank argument). Results longer than
``MAX_TEXT_LENGTH`` are blank (LPAD/RPAD/SUBSTITUTE), computed without building them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from psycopg2 import sql

from .. import datemath, numeric
from ..casemap import lower, upper
from ..limits import MAX_TEXT_LENGTH
from ..nodes import TCall
from ..regex_subset import RegexUnsupported, compile_pattern
from ..sqlfrag import func, text_literal, tpl
from ..types import FormulaType as T
from .base import FormulaFunction, Overload, Site, coerce, literal_text
from .registry import FUNCTIONS

# Same pattern as tessera_f_number_text in sql_functions.sql.
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_TRIM_CHARS = " \t"


def parse_number(text: str) -> Any:
    text = text.strip(_TRIM_CHARS)
    if len(text) > 1000 or not NUMBER_TEXT.fullmatch(text):
        return None
    return numeric.clean(Decimal(text))


def _int(n: Any) -> int:
    return numeric.to_int(n)


@FUNCTIONS.entry
class Len(FormulaFunction):
    name = "LEN"
    overloads = (Overload((T.TEXT,), T.NUMBER),)

    def py(self, node: TCall, s: Any) -> Any:
        return Decimal(len(s))

    def sql(self, node: TCall, s: sql.Composable) -> sql.Composable:
        return tpl("(length({})::numeric)", s)


@FUNCTIONS.entry
class Left(FormulaFunction):
    name = "LEFT"
    overloads = (Overload((T.TEXT, T.NUMBER), T.TEXT),)

    def py(self, node: TCall, s: Any, n: Any) -> Any:
        return s[:max(_int(n), 0)]

    def sql(self, node: TCall, s: sql.Composable, n: sql.Composable) -> sql.Composable:
        return tpl("left({}, tessera_f_count({}))", s, n)


@FUNCTIONS.entry
class Right(FormulaFunction):
    name = "RIGHT"
    overloads = (Overload((T.TEXT, T.NUMBER), T.TEXT),)

    def py(self, node: TCall, s: Any, n: Any) -> Any:
        k = max(_int(n), 0)
        return s[max(len(s) - k, 0):] if k else ""

    def sql(self, node: TCall, s: sql.Composable, n: sql.Composable) -> sql.Composable:
        return tpl("right({}, tessera_f_count({}))", s, n)


@FUNCTIONS.entry
class Mid(FormulaFunction):
    name = "MID"
    overloads = (Overload((T.TEXT, T.NUMBER, T.NUMBER), T.TEXT),)

    def py(self, node: TCall, s: Any, start: Any, length: Any) -> Any:
        begin = max(_int(start), 1) - 1
        return s[begin:begin + max(_int(length), 0)]

    def sql(self, node: TCall, s: sql.Composable, start: sql.Composable, length: sql.Composable) -> sql.Composable:
        return tpl("substr({}, tessera_f_pos({}), tessera_f_count({}))", s, start, length)


@FUNCTIONS.entry
class Find(FormulaFunction):
    """FIND(search, text[, start]): 1-based position or 0; an empty search text is never found."""

    name = "FIND"
    overloads = (Overload((T.TEXT, T.TEXT), T.NUMBER, "2"), Overload((T.TEXT, T.TEXT, T.NUMBER), T.NUMBER, "3"))

    def py(self, node: TCall, search: Any, s: Any, start: Any = numeric.ONE) -> Any:
        if search == "":
            return numeric.ZERO
        return Decimal(s.find(search, max(_int(start), 1) - 1) + 1)

    def sql(self, node: TCall, search: sql.Composable, s: sql.Composable, start: sql.Composable | None = None) -> sql.Composable:
        return func("tessera_f_find", search, s, start if start is not None else sql.SQL("1::numeric"))


@FUNCTIONS.entry
class Contains(FormulaFunction):
    name = "CONTAINS"
    overloads = (Overload((T.TEXT, T.TEXT), T.BOOLEAN),)

    def py(self, node: TCall, s: Any, part: Any) -> Any:
        return part in s

    def sql(self, node: TCall, s: sql.Composable, part: sql.Composable) -> sql.Composable:
        return tpl("(strpos({}, {}) > 0)", s, part)


@FUNCTIONS.entry
class Begins(FormulaFunction):
    name = "BEGINS"
    overloads = (Overload((T.TEXT, T.TEXT), T.BOOLEAN),)

    def py(self, node: TCall, s: Any, prefix: Any) -> Any:
        return s.startswith(prefix)

    def sql(self, node: TCall, s: sql.Composable, prefix: sql.Composable) -> sql.Composable:
        return tpl("starts_with({}, {})", s, prefix)


@FUNCTIONS.entry
class Substitute(FormulaFunction):
    name = "SUBSTITUTE"
    overloads = (Overload((T.TEXT, T.TEXT, T.TEXT), T.TEXT),)

    def py(self, node: TCall, s: Any, old: Any, new: Any) -> Any:
        if old == "":
            return s
        if len(s) + s.count(old) * (len(new) - len(old)) > MAX_TEXT_LENGTH:
            return None
        return s.replace(old, new)

    def sql(self, node: TCall, s: sql.Composable, old: sql.Composable, new: sql.Composable) -> sql.Composable:
        return func("tessera_f_substitute", s, old, new)


class _Case(FormulaFunction):
    overloads = (Overload((T.TEXT,), T.TEXT),)
    sqlfunc = ""

    @staticmethod
    def convert(s: str, /) -> str:
        raise NotImplementedError

    def py(self, node: TCall, s: Any) -> Any:
        return self.convert(s)

    def sql(self, node: TCall, s: sql.Composable) -> sql.Composable:
        return func(self.sqlfunc, s)


@FUNCTIONS.entry
class Upper(_Case):
    name = "UPPER"
    sqlfunc = "tessera_f_upper"
    convert = staticmethod(upper)


@FUNCTIONS.entry
class Lower(_Case):
    name = "LOWER"
    sqlfunc = "tessera_f_lower"
    convert = staticmethod(lower)


@FUNCTIONS.entry
class Trim(FormulaFunction):
    """TRIM: removes leading and trailing spaces and tabs."""

    name = "TRIM"
    overloads = (Overload((T.TEXT,), T.TEXT),)

    def py(self, node: TCall, s: Any) -> Any:
        return s.strip(_TRIM_CHARS)

    def sql(self, node: TCall, s: sql.Composable) -> sql.Composable:
        return tpl("btrim({}, ' ' || chr(9))", s)


class _Pad(FormulaFunction):
    """LPAD/RPAD(text, length[, pad=' ']): pad or truncate (keeping the start) to ``length``."""

    overloads = (Overload((T.TEXT, T.NUMBER), T.TEXT, "2"), Overload((T.TEXT, T.NUMBER, T.TEXT), T.TEXT, "3"))
    left = True

    def py(self, node: TCall, s: Any, n: Any, pad: Any = " ") -> Any:
        if n > MAX_TEXT_LENGTH:
            return None
        width = max(_int(n), 0)
        if len(s) >= width or pad == "":
            return s[:width]
        needed = width - len(s)
        fill = (pad * (needed // len(pad) + 1))[:needed]
        return fill + s if self.left else s + fill

    def sql(self, node: TCall, s: sql.Composable, n: sql.Composable, pad: sql.Composable | None = None) -> sql.Composable:
        name = "tessera_f_lpad" if self.left else "tessera_f_rpad"
        return func(name, s, n, pad if pad is not None else text_literal(" "))


@FUNCTIONS.entry
class Lpad(_Pad):
    name = "LPAD"


@FUNCTIONS.entry
class Rpad(_Pad):
    name = "RPAD"
    left = False


@FUNCTIONS.entry
class Text(FormulaFunction):
    """TEXT(value): numbers without trailing zeros, dates as YYYY-MM-DD, date/times as
    ``YYYY-MM-DD HH:MM:SSZ`` in GMT (Salesforce's format), picklists as their value."""

    name = "TEXT"
    overloads = (
        Overload((T.NUMBER,), T.TEXT, "num"),
        Overload((T.DATE,), T.TEXT, "date"),
        Overload((T.DATETIME,), T.TEXT, "dt"),
        Overload((T.PICKLIST,), T.TEXT, "pick"),
        Overload((T.TEXT,), T.TEXT, "text"),
    )

    def py(self, node: TCall, value: Any) -> Any:
        v = node.variant
        if v == "num":
            return numeric.to_text(value)
        if v == "date":
            return datemath.text_of_date(value)
        if v == "dt":
            return datemath.text_of_datetime(value)
        return value

    def sql(self, node: TCall, value: sql.Composable) -> sql.Composable:
        v = node.variant
        if v == "num":
            return tpl("(trim_scale({})::text)", value)
        if v == "date":
            return tpl("to_char({}, 'YYYY-MM-DD')", value)
        if v == "dt":
            return tpl("to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS\"Z\"')", value)
        return value


@FUNCTIONS.entry
class Value(FormulaFunction):
    """VALUE(text): a decimal number (optional sign, no exponent, spaces/tabs trimmed), else blank."""

    name = "VALUE"
    overloads = (Overload((T.TEXT,), T.NUMBER),)

    def py(self, node: TCall, s: Any) -> Any:
        return parse_number(s)

    def sql(self, node: TCall, s: sql.Composable) -> sql.Composable:
        return func("tessera_f_value", s)


@FUNCTIONS.entry
class IsNumber(FormulaFunction):
    name = "ISNUMBER"
    overloads = (Overload((T.TEXT,), T.BOOLEAN),)

    def py(self, node: TCall, s: Any) -> Any:
        return parse_number(s) is not None

    def sql(self, node: TCall, s: sql.Composable) -> sql.Composable:
        return tpl("(tessera_f_value({}) IS NOT NULL)", s)


@FUNCTIONS.entry
class Regex(FormulaFunction):
    """REGEX(text, pattern): does the whole text match? ``pattern`` must be a text literal in the
    portable subset of ``regex_subset`` (checked at save time); texts longer than
    MAX_REGEX_INPUT_LENGTH never match."""

    name = "REGEX"
    min_args = max_args = 2

    def check(self, site: Site) -> TCall:
        self.check_arity(site)
        subject, pattern_arg = site.args
        if subject.type not in (T.TEXT, T.NULL):
            raise site.error(f"argument 1 of REGEX must be Text, got {subject.type.label}", 0)
        pattern = literal_text(pattern_arg)
        if pattern is None:
            raise site.error("argument 2 of REGEX must be a text literal (a quoted pattern)", 1)
        try:
            compiled = compile_pattern(pattern)
        except RegexUnsupported as exc:
            raise site.error(str(exc), 1) from None
        return TCall(T.BOOLEAN, site.pos, self, (coerce(subject, T.TEXT),), data=compiled)

    def py(self, node: TCall, s: Any) -> Any:
        return node.data.fullmatch(s)

    def sql(self, node: TCall, s: sql.Composable) -> sql.Composable:
        return func("tessera_f_regex", s, text_literal(node.data.postgres))

