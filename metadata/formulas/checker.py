"""Type checker: syntax tree + scope -> :class:`CheckedFormula` (typed tree, result type, references).

Everything a formula author can get wrong is refused here, with a position: unknown fields or
functions, wrong argument counts or types, a result type that does not fit the field. After a
successful check, evaluation and SQL compilation cannot fail on types.

Blank handling (Salesforce's "Treat blank fields as zeroes/blanks", ``blank_as``) applies to
number, currency and percent *field references*: with ``"zero"`` a blank field reads as 0 (and
ISBLANK on it is FALSE, as in Salesforce); with ``"blank"`` it stays blank and blanks propagate
through arithmetic. Percent fields enter formulas as fractions (a 15% field reads as 0.15), as in
Salesforce; see ``evaluator`` for the converse rule on PERCENT results.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import FormulaTypeError, UnknownKey, UnknownReference
from .functions import FUNCTIONS
from .functions.base import Site
from .nodes import (
    BoolLit,
    Call,
    FieldRef,
    Node,
    NullLit,
    NumberLit,
    StringLit,
    TCall,
    TExpr,
    TField,
    TLiteral,
)
from .types import NUMERIC_TYPES, RESULT_TYPES, FieldInfo, FormulaType, Scope

T = FormulaType
BLANK_AS = ("zero", "blank")


@dataclass(frozen=True, slots=True)
class CheckedFormula:
    """An immutable, type-checked formula, ready for ``evaluate`` and ``compile_sql``.

    ``references``: canonical paths of every field read (for fetching and cycle detection).
    ``uses_now``: the formula calls NOW() or TODAY(), so its value changes with time.
    """

    tree: TExpr
    result_type: FormulaType
    references: frozenset[tuple[str, ...]]
    blank_as: str
    uses_now: bool
    source: str | None = None


def check(tree: Node, scope: Scope, *, result_type: FormulaType | None = None,
          blank_as: str = "zero", source: str | None = None) -> CheckedFormula:
    """Type-check ``tree`` against ``scope``; raise FormulaTypeError (positioned) if ill-typed."""
    if blank_as not in BLANK_AS:
        raise ValueError(f"blank_as must be one of {BLANK_AS}, got {blank_as!r}")
    if result_type is not None and result_type not in RESULT_TYPES:
        raise FormulaTypeError(f"a formula cannot return {result_type.label}")
    walker = _Checker(scope, blank_as)
    typed = walker.node(tree)
    typed = _fit_result(typed, result_type)
    final_type = result_type or typed.type
    return CheckedFormula(typed, final_type, frozenset(walker.references), blank_as,
                          walker.uses_now, source)


def _fit_result(typed: TExpr, result_type: FormulaType | None) -> TExpr:
    actual = typed.type
    if actual in (T.PICKLIST, T.MULTIPICKLIST):
        raise FormulaTypeError(f"a formula cannot return a {actual.label} value; use TEXT() "
                               "or ISPICKVAL()/INCLUDES()", line=typed.pos.line, column=typed.pos.column)
    if result_type is None:
        return typed
    if actual is T.NULL:
        return TLiteral(result_type, typed.pos, None)
    ok = actual is result_type or (result_type in NUMERIC_TYPES and actual in NUMERIC_TYPES)
    if not ok:
        raise FormulaTypeError(f"formula returns {actual.label} but the field expects "
                               f"{result_type.label}", line=typed.pos.line, column=typed.pos.column)
    return typed


class _Checker:
    def __init__(self, scope: Scope, blank_as: str) -> None:
        self.scope = scope
        self.blank_as = blank_as
        self.references: set[tuple[str, ...]] = set()
        self.uses_now = False

    def node(self, node: Node) -> TExpr:
        if isinstance(node, NumberLit):
            return TLiteral(T.NUMBER, node.pos, node.value)
        if isinstance(node, StringLit):
            return TLiteral(T.TEXT, node.pos, node.value)
        if isinstance(node, BoolLit):
            return TLiteral(T.BOOLEAN, node.pos, node.value)
        if isinstance(node, NullLit):
            return TLiteral(T.NULL, node.pos, None)
        if isinstance(node, FieldRef):
            return self.field(node)
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(f"not a formula syntax node: {node!r}")

    def field(self, node: FieldRef) -> TField:
        try:
            info = self.scope.resolve(node.path)
        except UnknownReference as exc:
            raise UnknownReference(node.path, exc.message, line=node.pos.line,
                                   column=node.pos.column) from None
        if not isinstance(info, FieldInfo):
            raise TypeError(f"scope.resolve must return FieldInfo, got {type(info).__name__}")
        ftype = info.type
        if ftype in (T.TIME, T.NULL):
            raise FormulaTypeError(f"fields of type {ftype.label} are not supported in formulas",
                                   line=node.pos.line, column=node.pos.column)
        path = info.path or node.path
        self.references.add(path)
        numeric = ftype in NUMERIC_TYPES
        return TField(T.NUMBER if numeric else ftype, node.pos, path, info,
                      blank_as_zero=numeric and self.blank_as == "zero",
                      percent=ftype is T.PERCENT)

    def call(self, node: Call) -> TExpr:
        try:
            fn = FUNCTIONS.get(node.name)
        except UnknownKey:
            raise FormulaTypeError(f"unknown function {node.name.upper()}", line=node.pos.line,
                                   column=node.pos.column) from None
        typed_args = []
        for arg in node.args:  # a plain loop: no generator frame per nesting level
            typed_args.append(self.node(arg))
        args = tuple(typed_args)
        site = Site(node.name, node.pos, args, node.operator, self.blank_as)
        typed: TCall = fn.check(site)
        if fn.uses_now:
            self.uses_now = True
        return typed
