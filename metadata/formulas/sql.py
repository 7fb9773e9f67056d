"""SQL compiler: a :class:`CheckedFormula` to ONE parameter-safe PostgreSQL expression.

* Field reads come only from ``SqlRefs.sql_for(path)`` (identifiers are never built from formula
  text); every value is a ``sql.Literal``; the output never contains ``%`` (see ``sqlfrag``).
* The expression has the PostgreSQL type of the result: text, numeric, date, timestamptz, boolean.
* It calls helper functions ``tessera_f_*`` defined in ``sql_functions.sql`` (:data:`SQL_FUNCTIONS`),
  unqualified: install them in a schema on the ``search_path`` (the runtime uses ``public``).
* NOW() and TODAY(): with ``now_param=True`` (default) they compile to the named placeholders
  ``%(tessera_now)s::timestamptz`` and ``%(tessera_today)s::date``; execute the query with
  :func:`sql_params` (``now`` and the tenant time zone), merged into your own parameters. With
  ``now_param=False`` they compile to ``now()`` and ``(now() AT TIME ZONE <tz>)::date``, which
  needs ``tz`` (an IANA name such as ``"Europe/Paris"``). Formulas without NOW()/TODAY() (see
  ``CheckedFormula.uses_now``) contain no placeholder at all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from psycopg2 import sql

from .checker import CheckedFormula
from .nodes import TCall, TExpr, TField, TLiteral
from .sqlfrag import bool_literal, null_of, number_literal, text_literal, tpl
from .types import FormulaType, SqlRefs

T = FormulaType
NOW_PARAM = "tessera_now"
TODAY_PARAM = "tessera_today"


def compile_sql(checked: CheckedFormula, refs: SqlRefs, *, now_param: bool = True,
                tz: str | ZoneInfo | None = None) -> sql.Composable:
    """Compile ``checked`` to a SQL expression of the result's type (see module docstring)."""
    tz_name = None
    if tz is not None:
        tz_name = tz.key if isinstance(tz, ZoneInfo) else ZoneInfo(tz).key  # validates the name
    if not now_param and checked.uses_now and tz_name is None:
        raise ValueError("compile_sql(now_param=False) needs tz for formulas using NOW()/TODAY()")
    compiler = SqlCompiler(refs, now_param=now_param, tz_name=tz_name)
    expr = compiler.compile(checked.tree)
    if checked.result_type is T.PERCENT:
        expr = tpl("({} * 100)", expr)
    elif checked.result_type is T.BOOLEAN:
        expr = tpl("COALESCE({}, FALSE)", expr)
    return expr


def sql_params(now: dt.datetime, tz: ZoneInfo) -> dict[str, object]:
    """Parameters for the NOW()/TODAY() placeholders of ``compile_sql(now_param=True)``."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return {NOW_PARAM: now, TODAY_PARAM: now.astimezone(tz).date()}


class SqlCompiler:
    def __init__(self, refs: SqlRefs, *, now_param: bool, tz_name: str | None) -> None:
        self.refs = refs
        self.now_param = now_param
        self.tz_name = tz_name

    def compile(self, node: TExpr) -> sql.Composable:
        if isinstance(node, TCall):
            return node.fn.compile(node, self)
        if isinstance(node, TLiteral):
            return literal(node.type, node.value)
        if isinstance(node, TField):
            return self.field(node)
        raise TypeError(f"not a typed formula node: {node!r}")

    def field(self, node: TField) -> sql.Composable:
        ref = self.refs.sql_for(node.path)
        if node.type is T.NUMBER:
            if node.percent:
                ref = tpl("({} * 0.01)", ref)
            if node.blank_as_zero:
                ref = tpl("COALESCE({}, 0::numeric)", ref)
            return ref
        if node.type is T.BOOLEAN:
            return tpl("COALESCE({}, FALSE)", ref)
        return tpl("({})", ref)

    def now_sql(self) -> sql.Composable:
        if self.now_param:
            return tpl("({}::timestamptz)", sql.Placeholder(NOW_PARAM))
        return sql.SQL("now()")

    def today_sql(self) -> sql.Composable:
        if self.now_param:
            return tpl("({}::date)", sql.Placeholder(TODAY_PARAM))
        return tpl("((now() AT TIME ZONE {})::date)", sql.Literal(self.tz_name))


def literal(ftype: FormulaType, value: object) -> sql.Composable:
    if value is None:
        return bool_literal(False) if ftype is T.BOOLEAN else null_of(ftype)
    if isinstance(value, bool):
        return bool_literal(value)
    if isinstance(value, Decimal):
        return number_literal(value)
    if isinstance(value, str):
        return text_literal(value)
    raise TypeError(f"unexpected literal {value!r}")
