"""Logical and blank-handling functions: IF, CASE, AND, OR, NOT, ISBLANK, ISNULL, BLANKVALUE,
NULLVALUE, ISPICKVAL, INCLUDES.

IF, CASE, AND and OR evaluate lazily in Python (like Salesforce) and compile to SQL ``CASE``/
``AND``/``OR``. Checkbox values are never blank: a blank condition (NULL literal) is FALSE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg2 import sql

from ..nodes import TCall, TExpr
from ..sqlfrag import coalesce_text, tpl
from ..types import NUMERIC_TYPES
from ..types import FormulaType as T
from .base import TEXTLIKE, Compiling, Evaluating, FormulaFunction, Overload, Site, coerce
from .registry import FUNCTIONS


def unify(site: Site, indexes: Sequence[int]) -> T:
    """Common type of the arguments at ``indexes`` (branches of IF/CASE/BLANKVALUE...)."""
    found: T | None = None
    first = -1
    for i in indexes:
        t = site.args[i].type
        if t is T.NULL:
            continue
        if t in (T.PICKLIST, T.MULTIPICKLIST):
            raise site.error(f"{site.label} cannot return a {t.label} value; use TEXT()", i)
        if t in NUMERIC_TYPES:
            t = T.NUMBER
        if found is None:
            found, first = t, i
        elif t is not found:
            raise site.error(f"{site.label}: argument {i + 1} is {t.label} but argument {first + 1} "
                             f"is {found.label}; all results must have the same type", i)
    return found or T.NULL


def _expect(site: Site, i: int, want: T) -> TExpr:
    arg = site.args[i]
    if arg.type is not T.NULL and not (arg.type is want or (want is T.NUMBER and arg.type.is_numeric)):
        raise site.error(f"argument {i + 1} of {site.label} must be {want.label}, got {arg.type.label}", i)
    return coerce(arg, want)


def _text_or_empty(value: Any, node: TExpr) -> Any:
    return "" if value is None and node.type in TEXTLIKE else value


@FUNCTIONS.entry
class If(FormulaFunction):
    name = "IF"
    min_args = max_args = 3

    def check(self, site: Site) -> TCall:
        self.check_arity(site)
        cond = _expect(site, 0, T.BOOLEAN)
        rtype = unify(site, (1, 2))
        args = (cond, coerce(site.args[1], rtype), coerce(site.args[2], rtype))
        return TCall(rtype, site.pos, self, args)

    def evaluate(self, node: TCall, ev: Evaluating) -> Any:
        cond, then, other = node.args
        return ev.eval(then) if ev.eval(cond) else ev.eval(other)

    def compile(self, node: TCall, cc: Compiling) -> sql.Composable:
        cond, then, other = (cc.compile(a) for a in node.args)
        return tpl("(CASE WHEN {} THEN {} ELSE {} END)", cond, then, other)


@FUNCTIONS.entry
class Case(FormulaFunction):
    """CASE(expr, value1, result1, ..., else_result); blank text matches ""; other blanks match nothing."""

    name = "CASE"
    min_args = 4

    def check(self, site: Site) -> TCall:
        n = len(site.args)
        if n < 4 or n % 2:
            raise site.error(f"CASE takes an expression, pairs of value and result, and an else "
                             f"result (an even number of at least 4 arguments), got {n}")
        subject = site.args[0]
        key = subject.type
        if key is T.PICKLIST:
            key = T.TEXT
        elif key in NUMERIC_TYPES:
            key = T.NUMBER
        if key is T.MULTIPICKLIST:
            raise site.error("CASE cannot compare Multi-Select Picklist values; use INCLUDES()", 0)
        values = [i for i in range(1, n - 1, 2)]
        if key is T.NULL:
            key = unify(site, values)
            if key is T.NULL:
                key = T.TEXT
        for i in values:
            _expect(site, i, key)
        results = [i for i in range(2, n - 1, 2)] + [n - 1]
        rtype = unify(site, results)
        args = [coerce(subject, key) if subject.type is T.NULL else subject]
        for i in range(1, n):
            args.append(coerce(site.args[i], key if i in values else rtype))
        return TCall(rtype, site.pos, self, tuple(args), key.value)

    def evaluate(self, node: TCall, ev: Evaluating) -> Any:
        subject = _text_or_empty(ev.eval(node.args[0]), node.args[0])
        args = node.args
        if subject is not None:
            for i in range(1, len(args) - 1, 2):
                value = _text_or_empty(ev.eval(args[i]), args[i])
                if value is not None and value == subject:
                    return ev.eval(args[i + 1])
        return ev.eval(args[-1])

    def compile(self, node: TCall, cc: Compiling) -> sql.Composable:
        def part(i: int) -> sql.Composable:
            compiled = cc.compile(node.args[i])
            if node.args[i].type in TEXTLIKE and (i == 0 or i % 2 == 1) and i != len(node.args) - 1:
                compiled = coalesce_text(compiled)
            return compiled

        pieces: list[sql.Composable] = [sql.SQL("(CASE "), part(0)]
        for i in range(1, len(node.args) - 1, 2):
            pieces += [sql.SQL(" WHEN "), part(i), sql.SQL(" THEN "), cc.compile(node.args[i + 1])]
        pieces += [sql.SQL(" ELSE "), cc.compile(node.args[-1]), sql.SQL(" END)")]
        return sql.Composed(pieces)


class _Junction(FormulaFunction):
    overloads = (Overload((T.BOOLEAN,), T.BOOLEAN, rest=T.BOOLEAN),)
    strict = False
    is_and = True

    def evaluate(self, node: TCall, ev: Evaluating) -> Any:
        for arg in node.args:
            if bool(ev.eval(arg)) != self.is_and:
                return not self.is_and
        return self.is_and

    def sql(self, node: TCall, *parts: sql.Composable) -> sql.Composable:
        joiner = " AND " if self.is_and else " OR "
        return sql.Composed([sql.SQL("("), sql.SQL(joiner).join(parts), sql.SQL(")")])


@FUNCTIONS.entry
class And(_Junction):
    name = "AND"


@FUNCTIONS.entry
class Or(_Junction):
    name = "OR"
    is_and = False


@FUNCTIONS.entry
class Not(FormulaFunction):
    name = "NOT"
    overloads = (Overload((T.BOOLEAN,), T.BOOLEAN),)

    def py(self, node: TCall, a: Any) -> Any:
        return not a

    def sql(self, node: TCall, a: sql.Composable) -> sql.Composable:
        return tpl("(NOT {})", a)


class _BlankTest(FormulaFunction):
    """ISBLANK/ISNULL: any single argument; the result depends on its type, never blank."""

    min_args = max_args = 1
    strict = False
    text_as_empty = False
    text_can_be_null = True

    def check(self, site: Site) -> TCall:
        self.check_arity(site)
        return TCall(T.BOOLEAN, site.pos, self, site.args, site.args[0].type.value)

    def py(self, node: TCall, a: Any) -> Any:
        t = node.args[0].type
        if t in TEXTLIKE:
            return self.text_can_be_null and (a is None or a == "")
        if t is T.MULTIPICKLIST:
            return a is None or (self.text_can_be_null and len(a) == 0)
        if t is T.BOOLEAN:
            return False
        return a is None

    def sql(self, node: TCall, a: sql.Composable) -> sql.Composable:
        t = node.args[0].type
        if t in TEXTLIKE:
            return tpl("(COALESCE({}, ''::text) = ''::text)", a) if self.text_can_be_null else sql.SQL("FALSE")
        if t is T.MULTIPICKLIST and self.text_can_be_null:
            return tpl("COALESCE({} = '[]'::jsonb, TRUE)", a)
        if t is T.BOOLEAN:
            return sql.SQL("FALSE")
        return tpl("({} IS NULL)", a)


@FUNCTIONS.entry
class IsBlank(_BlankTest):
    name = "ISBLANK"


@FUNCTIONS.entry
class IsNull(_BlankTest):
    """Salesforce: text is never null, so ISNULL on text/picklist is always FALSE (use ISBLANK)."""

    name = "ISNULL"
    text_can_be_null = False


class _Default(FormulaFunction):
    """BLANKVALUE/NULLVALUE(expression, substitute)."""

    min_args = max_args = 2
    blank_text = True

    def check(self, site: Site) -> TCall:
        self.check_arity(site)
        rtype = unify(site, (0, 1))
        args = tuple(coerce(a, rtype) for a in site.args)
        return TCall(rtype, site.pos, self, args)

    def evaluate(self, node: TCall, ev: Evaluating) -> Any:
        value = ev.eval(node.args[0])
        if value is None or (self.blank_text and value == "" and node.type is T.TEXT):
            if node.type is T.TEXT and not self.blank_text:
                return value  # NULLVALUE: text is never null in Salesforce
            return ev.eval(node.args[1])
        return value

    def compile(self, node: TCall, cc: Compiling) -> sql.Composable:
        a, b = (cc.compile(x) for x in node.args)
        if node.type is T.TEXT:
            return tpl("COALESCE(NULLIF({}, ''::text), {})", a, b) if self.blank_text else a
        return tpl("COALESCE({}, {})", a, b)


@FUNCTIONS.entry
class BlankValue(_Default):
    name = "BLANKVALUE"


@FUNCTIONS.entry
class NullValue(_Default):
    name = "NULLVALUE"
    blank_text = False


@FUNCTIONS.entry
class IsPickVal(FormulaFunction):
    name = "ISPICKVAL"
    overloads = (Overload((T.PICKLIST, T.TEXT), T.BOOLEAN),)

    def py(self, node: TCall, a: Any, b: Any) -> Any:
        return a == b

    def sql(self, node: TCall, a: sql.Composable, b: sql.Composable) -> sql.Composable:
        return tpl("({} = {})", a, b)


@FUNCTIONS.entry
class Includes(FormulaFunction):
    name = "INCLUDES"
    overloads = (Overload((T.MULTIPICKLIST, T.TEXT), T.BOOLEAN),)
    strict = False

    def py(self, node: TCall, values: Any, key: Any) -> Any:
        return values is not None and key in values

    def sql(self, node: TCall, values: sql.Composable, key: sql.Composable) -> sql.Composable:
        return tpl("COALESCE({} @> jsonb_build_array({}), FALSE)", values, key)
