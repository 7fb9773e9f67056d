"""The shape of a formula function: one class holds its type rule, Python and SQL semantics.

Keeping the three together is what stops the evaluator and the SQL compiler from drifting apart:
a function is added or changed in exactly one place, and the property tests run both halves.

Default behaviour (override where a function needs something else):

* ``check`` matches the argument types against ``overloads`` (``Overload``), gives NULL literals
  the parameter's type, and returns the typed call with the overload's ``variant``;
* ``evaluate`` evaluates all arguments, applies the **null policy** and calls ``py``;
* ``compile`` compiles all arguments, applies the same null policy and calls ``sql``.

Null policy: text-like arguments (Text, Picklist) are blank-as-empty -- None behaves as "" (Salesforce
text is never null) -- when ``text_as_empty``; any other argument that is blank makes the result
blank when ``strict`` (the SQL side gets this from PostgreSQL's strict functions/operators, the
property tests check it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from psycopg2 import sql

from ..errors import FormulaTypeError
from ..nodes import Pos, TCall, TExpr, TLiteral
from ..sqlfrag import coalesce_text
from ..types import FormulaType as T
from .registry import FUNCTIONS

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

TEXTLIKE = frozenset({T.TEXT, T.PICKLIST})


class Evaluating(Protocol):
    """What ``evaluate`` implementations may use from the evaluator."""

    now: datetime
    tz: ZoneInfo

    def eval(self, node: TExpr) -> Any: ...


class Compiling(Protocol):
    """What ``compile`` implementations may use from the SQL compiler."""

    def compile(self, node: TExpr) -> sql.Composable: ...

    def now_sql(self) -> sql.Composable: ...

    def today_sql(self) -> sql.Composable: ...


@dataclass(frozen=True, slots=True)
class Site:
    """A call being type-checked: its name as written, position, typed arguments and options."""

    name: str
    pos: Pos
    args: tuple[TExpr, ...]
    operator: bool
    blank_as: str

    @property
    def label(self) -> str:
        if self.operator:
            symbol = self.name[1:] if self.name.startswith("u") and len(self.name) == 2 else self.name
            return f"operator '{symbol}'"
        return self.name.upper()

    def error(self, message: str, arg: int | None = None) -> FormulaTypeError:
        pos = self.args[arg].pos if arg is not None and arg < len(self.args) else self.pos
        return FormulaTypeError(message, line=pos.line, column=pos.column)


@dataclass(frozen=True, slots=True)
class Overload:
    params: tuple[T, ...]
    result: T
    variant: str = ""
    rest: T | None = None  # type of any further (variadic) arguments


def accepts(param: T, arg: T) -> bool:
    if arg is T.NULL or param is arg:
        return True
    return param is T.NUMBER and arg.is_numeric


def coerce(arg: TExpr, param: T) -> TExpr:
    """Give an always-blank (NULL-typed) argument the type its parameter needs."""
    if arg.type is T.NULL and param is not T.NULL:
        return TLiteral(param, arg.pos, None)
    return arg


def describe(types: Sequence[T]) -> str:
    return ", ".join(t.label for t in types)


class FormulaFunction:
    """Base class of registry entries. Subclasses set ``name`` and implement ``py``/``sql``."""

    name: ClassVar[str]
    overloads: ClassVar[tuple[Overload, ...]] = ()
    min_args: ClassVar[int | None] = None  # default: from overloads
    max_args: ClassVar[int | None] = None
    text_as_empty: ClassVar[bool] = True
    strict: ClassVar[bool] = True
    uses_now: ClassVar[bool] = False

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Unpickling a CheckedFormula (e.g. from a cache) must give back the registry's entries.
        return _registered, (self.name,)

    # ------------------------------------------------------------------ checking
    def arity(self) -> tuple[int, int | None]:
        if self.min_args is not None:
            return self.min_args, self.max_args
        lo = min(len(o.params) for o in self.overloads)
        hi = None if any(o.rest for o in self.overloads) else max(len(o.params) for o in self.overloads)
        return lo, hi

    def check_arity(self, site: Site) -> None:
        lo, hi = self.arity()
        n = len(site.args)
        if n < lo or (hi is not None and n > hi):
            if hi is None:
                want = f"at least {lo}"
            elif lo == hi:
                want = str(lo)
            else:
                want = f"{lo} to {hi}"
            plural = "" if want == "1" or want.endswith(" 1") else "s"
            raise site.error(f"{site.label} takes {want} argument{plural}, got {n}")

    def check(self, site: Site) -> TCall:
        self.check_arity(site)
        arg_types = [a.type for a in site.args]
        for ov in self.overloads:
            if self._matches(ov, arg_types):
                params = [self._param(ov, i) for i in range(len(arg_types))]
                args = tuple(coerce(a, p) for a, p in zip(site.args, params, strict=True))
                self.validate(site, args, ov)
                return TCall(ov.result, site.pos, self, args, ov.variant)
        raise self.mismatch(site)

    @staticmethod
    def _param(ov: Overload, i: int) -> T:
        return ov.params[i] if i < len(ov.params) else ov.rest  # type: ignore[return-value]

    def _matches(self, ov: Overload, arg_types: list[T]) -> bool:
        if len(arg_types) < len(ov.params) or (len(arg_types) > len(ov.params) and ov.rest is None):
            return False
        return all(accepts(self._param(ov, i), t) for i, t in enumerate(arg_types))

    def mismatch(self, site: Site) -> FormulaTypeError:
        got = describe([a.type for a in site.args])
        options = "; ".join(f"({describe(o.params)}{', ...' if o.rest else ''})" for o in self.overloads)
        if site.operator:
            return site.error(f"{site.label} cannot be applied to {got}; expected {options}")
        return site.error(f"incorrect argument types for {site.label}: got ({got}), expected {options}")

    def validate(self, site: Site, args: tuple[TExpr, ...], ov: Overload) -> None:
        """Hook for extra compile-time checks (e.g. 'must be a text literal')."""

    # ------------------------------------------------------------------ Python
    def evaluate(self, node: TCall, ev: Evaluating) -> Any:
        values = []
        for arg in node.args:
            value = ev.eval(arg)
            if value is None:
                if self.text_as_empty and arg.type in TEXTLIKE:
                    value = ""
                elif self.strict:
                    return None
            values.append(value)
        try:
            return self.py(node, *values)
        except (ArithmeticError, ValueError, OverflowError):
            return None  # #Error! in Salesforce; blank here, like SQL (which guards each case)

    def py(self, node: TCall, *args: Any) -> Any:
        raise NotImplementedError(self.name)

    # ------------------------------------------------------------------ SQL
    def compile(self, node: TCall, cc: Compiling) -> sql.Composable:
        parts = []
        for arg in node.args:
            part = cc.compile(arg)
            if self.text_as_empty and arg.type in TEXTLIKE and not _non_null_literal(arg):
                part = coalesce_text(part)
            parts.append(part)
        return self.sql(node, *parts)

    def sql(self, node: TCall, *args: Any) -> sql.Composable:
        # Any, like py(): subclasses name their arguments (sql.Composable each).
        raise NotImplementedError(self.name)


def _registered(name: str) -> FormulaFunction:
    return FUNCTIONS.get(name)


def _non_null_literal(arg: TExpr) -> bool:
    return isinstance(arg, TLiteral) and arg.value is not None


def literal_text(arg: TExpr) -> str | None:
    """The value of a text literal argument, else None (for 'must be a literal' rules)."""
    if isinstance(arg, TLiteral) and arg.type is T.TEXT and isinstance(arg.value, str):
        return arg.value
    return None
