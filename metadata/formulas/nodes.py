"""Syntax tree (parser output) and typed tree (checker output).

Operators are parsed into :class:`Call` nodes named after the registry key of their implementation
(``+``, ``&``, ``=``, ``NEG``, ``AND``...), so operators and functions share one implementation
path. ``depth`` is computed at construction so the parser can refuse over-deep trees before any
recursive walk could exhaust the Python stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .types import FieldInfo, FormulaType

if TYPE_CHECKING:
    from .functions.base import FormulaFunction


@dataclass(frozen=True, slots=True)
class Pos:
    line: int
    column: int


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True, slots=True)
class Node:
    pos: Pos

    @property
    def depth(self) -> int:
        return 1


@dataclass(frozen=True, slots=True)
class NumberLit(Node):
    value: Decimal


@dataclass(frozen=True, slots=True)
class StringLit(Node):
    value: str


@dataclass(frozen=True, slots=True)
class BoolLit(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class NullLit(Node):
    pass


@dataclass(frozen=True, slots=True)
class FieldRef(Node):
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A function call or an operator. ``name`` is as written (functions) or the operator key."""

    name: str
    args: tuple[Node, ...]
    operator: bool = False
    _depth: int = field(default=1, compare=False, repr=False)

    @property
    def depth(self) -> int:
        return self._depth

    @staticmethod
    def make(pos: Pos, name: str, args: tuple[Node, ...], operator: bool = False) -> Call:
        depth = 1 + max((a.depth for a in args), default=0)
        return Call(pos, name, args, operator, depth)


# --------------------------------------------------------------------------- typed tree


@dataclass(frozen=True, slots=True)
class TExpr:
    type: FormulaType
    pos: Pos


@dataclass(frozen=True, slots=True)
class TLiteral(TExpr):
    """A constant; ``value`` is None for a NULL literal (whose ``type`` is then its context's)."""

    value: Any


@dataclass(frozen=True, slots=True)
class TField(TExpr):
    """A field read. ``type`` is the expression type (NUMBER for currency/percent fields)."""

    path: tuple[str, ...]
    info: FieldInfo
    blank_as_zero: bool = False
    percent: bool = False


@dataclass(frozen=True, slots=True)
class TCall(TExpr):
    """A resolved call: ``fn`` is the registry entry, ``variant`` the overload it chose."""

    fn: FormulaFunction
    args: tuple[TExpr, ...]
    variant: str = ""
    data: Any = None

    def __repr__(self) -> str:  # keep reprs short: the function object is noise
        return f"TCall({self.fn.name}, {self.variant!r}, {self.type.name}, {list(self.args)!r})"
