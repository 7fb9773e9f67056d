"""Tessera's formula language: Salesforce formula syntax and semantics, in Python and in SQL.

Pipeline: ``parse(text)`` -> syntax tree; ``check(tree, scope)`` -> :class:`CheckedFormula`
(typed, with its references); then either ``evaluate(checked, values, now=, tz=)`` for one record
in Python, or ``compile_sql(checked, refs)`` for a PostgreSQL expression usable in SELECT/WHERE/
ORDER BY over many records. Both back ends implement the same semantics (one registry entry per
function holds both halves) and the test-suite checks they agree.

No Django here: the runtime plugs in through the ``Scope``, ``ValueSource`` and ``SqlRefs``
protocols, installs :data:`SQL_FUNCTIONS` once (a migration), and calls :func:`find_cycle` to
refuse circular formula fields.
"""

from __future__ import annotations

from pathlib import Path

from .checker import CheckedFormula, check
from .cycles import find_cycle
from .errors import (
    DuplicateKey,
    FormulaError,
    FormulaSyntaxError,
    FormulaTooComplex,
    FormulaTypeError,
    RegistryError,
    UnknownKey,
    UnknownReference,
)
from .evaluator import evaluate
from .functions import FUNCTIONS
from .nodes import Node
from .parser import parse
from .sql import NOW_PARAM, TODAY_PARAM, compile_sql, sql_params
from .types import FieldInfo, FormulaType, Scope, SqlRefs, ValueSource

SQL_FUNCTIONS_PATH = Path(__file__).with_name("sql_functions.sql")
#: The helper functions compiled SQL needs (CREATE OR REPLACE FUNCTION tessera_f_...; idempotent).
SQL_FUNCTIONS: str = SQL_FUNCTIONS_PATH.read_text(encoding="utf-8")


def compile_formula(source: str, scope: Scope, *, result_type: FormulaType | None = None,
                    blank_as: str = "zero") -> CheckedFormula:
    """Convenience: ``check(parse(source), scope, ...)`` keeping the source on the result."""
    return check(parse(source), scope, result_type=result_type, blank_as=blank_as, source=source)


__all__ = [
    "FUNCTIONS", "NOW_PARAM", "SQL_FUNCTIONS", "SQL_FUNCTIONS_PATH", "TODAY_PARAM",
    "CheckedFormula", "DuplicateKey", "FieldInfo", "FormulaError", "FormulaSyntaxError",
    "FormulaTooComplex", "FormulaType", "FormulaTypeError", "Node", "RegistryError", "Scope",
    "SqlRefs", "UnknownKey", "UnknownReference", "ValueSource",
    "check", "compile_formula", "compile_sql", "evaluate", "find_cycle", "parse", "sql_params",
]
