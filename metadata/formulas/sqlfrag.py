"""Building blocks for SQL generation, shared by the compiler and the function registry.

Safety rules enforced here, so no function implementation has to think about them:

* user-provided values only ever become ``sql.Literal`` objects (quoted by psycopg2);
* the generated SQL never contains a ``%`` character: text literals containing ``%`` are built
  with ``chr(37)``. The expression is therefore valid whether or not the caller executes it with
  query parameters (psycopg2 and Django interpret ``%`` only when parameters are given);
* templates passed to :func:`tpl` are constants written in this package, never user text.
"""

from __future__ import annotations

from decimal import Decimal

from psycopg2 import sql

from .types import SQL_TYPE_NAMES, FormulaType

EMPTY_TEXT = sql.SQL("''::text")


def tpl(template: str, *parts: sql.Composable) -> sql.Composed:
    """Fill a constant SQL template's ``{}`` slots with composables."""
    return sql.SQL(template).format(*parts)


def func(name: str, *parts: sql.Composable) -> sql.Composed:
    """``name(part, part, ...)``; ``name`` is a constant from this package."""
    return sql.Composed([sql.SQL(name + "("), sql.SQL(", ").join(parts), sql.SQL(")")])


def text_literal(value: str) -> sql.Composable:
    if value == "":
        return EMPTY_TEXT
    if "%" not in value:
        return tpl("{}::text", sql.Literal(value))
    pieces: list[sql.Composable] = []
    for i, chunk in enumerate(value.split("%")):
        if i:
            pieces.append(sql.SQL("chr(37)"))
        if chunk:
            pieces.append(sql.Literal(chunk))
    return sql.Composed([sql.SQL("("), sql.SQL(" || ").join(pieces), sql.SQL(")::text")])


def number_literal(value: Decimal) -> sql.Composable:
    if not value.is_finite():
        raise ValueError("non-finite number in a formula")
    return tpl("({}::numeric)", sql.Literal(Decimal(format(value, "f"))))


def bool_literal(value: bool) -> sql.Composable:
    return sql.SQL("TRUE" if value else "FALSE")


def null_of(ftype: FormulaType) -> sql.Composable:
    return sql.SQL(f"NULL::{SQL_TYPE_NAMES[ftype]}")


def coalesce_text(part: sql.Composable) -> sql.Composable:
    return tpl("COALESCE({}, ''::text)", part)
