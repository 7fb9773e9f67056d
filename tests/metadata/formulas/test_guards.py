"""Hostile input: SQL fragments, huge nesting, long formulas, pathological patterns, cycles.

Everything must be refused cleanly with the right error class, or computed safely -- and nothing
from a formula may ever run as SQL or Python.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg2 import sql

from metadata.formulas import (
    FormulaError,
    FormulaSyntaxError,
    FormulaTooComplex,
    FormulaTypeError,
    check,
    compile_sql,
    find_cycle,
    parse,
)
from metadata.formulas.limits import MAX_FORMULA_LENGTH, MAX_NESTING_DEPTH, MAX_TEXT_LENGTH
from tests.helpers.formulas.sample import RECORD, TYPES
from tests.helpers.formulas.support import TABLE, DictScope, JsonbRefs, run_python, run_sql

INJECTIONS = [
    "'; DROP TABLE formula_records; --",
    "\\'; DROP TABLE formula_records; --",
    "$$; DROP TABLE formula_records; $$",
    "%s %(tessera_now)s %% {} {0}",
    "data->>'x'",
    "\" || pg_sleep(5) || \"",
]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_in_text_literals_stays_text(payload: str, formula_db: Any) -> None:
    checked = check(parse(f"{_quote(payload)} & txt"), DictScope(TYPES))
    assert run_python(checked, RECORD) == payload + "Hello World"
    assert run_sql(formula_db, checked, TYPES, RECORD) == payload + "Hello World"
    with formula_db.cursor() as cur:
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(TABLE)))
        assert cur.fetchone()[0] > 0


def test_compiled_sql_is_safe_with_and_without_parameters(formula_db: Any) -> None:
    """No '%' ever reaches the SQL text, so it runs whether or not parameters are passed."""
    checked = check(parse('"100% " & SUBSTITUTE(txt, "o", "%") & "%(x)s"'), DictScope(TYPES))
    expr = compile_sql(checked, JsonbRefs(TYPES))
    text = expr.as_string(formula_db)
    assert "%" not in text
    query = sql.SQL("SELECT {} FROM (SELECT '{{\"f0\": \"Hello World\"}}'::jsonb AS data) AS r").format(expr)
    with formula_db.cursor() as cur:
        cur.execute(query)
        assert cur.fetchone()[0] == "100% Hell% W%rld%(x)s"
        cur.execute(query, {"unused": 1})
        assert cur.fetchone()[0] == "100% Hell% W%rld%(x)s"


@pytest.mark.parametrize("source", [
    "data->>'x'", "x; DROP TABLE y", "r.data", "1) OR (1=1", "txt -- comment", "pg_sleep(10)",
    "__import__('os')", "eval(\"1\")",
])
def test_sql_or_python_in_names_is_refused(source: str) -> None:
    with pytest.raises((FormulaSyntaxError, FormulaTypeError)) as info:
        check(parse(source), DictScope(TYPES))
    assert info.value.line is not None


def test_unknown_functions_are_not_resolved_anywhere() -> None:
    for name in ("pg_sleep", "version", "current_setting", "exec", "getattr", "NEG", "tessera_f_div"):
        with pytest.raises(FormulaTypeError, match="unknown function"):
            check(parse(f"{name}(1)"), DictScope(TYPES))


def test_ten_thousand_parentheses_are_refused_early() -> None:
    with pytest.raises(FormulaTooComplex, match="characters long"):
        parse("(" * 10_000 + "1" + ")" * 10_000)


def test_deep_nesting_under_the_length_limit_is_refused() -> None:
    source = "(" * 1500 + "1" + ")" * 1500
    assert len(source) <= MAX_FORMULA_LENGTH
    with pytest.raises(FormulaTooComplex, match="nested more than"):
        parse(source)
    with pytest.raises(FormulaTooComplex):
        parse("ABS(" * 900 + "1" + ")" * 900)
    with pytest.raises(FormulaTooComplex):
        parse("-" * 3000 + "1")


def test_long_operator_chains() -> None:
    with pytest.raises(FormulaTooComplex):
        parse("+".join(["1"] * 1500))
    ok = "+".join(["1"] * (MAX_NESTING_DEPTH - 1))
    assert run_python(check(parse(ok), DictScope(TYPES)), RECORD) == MAX_NESTING_DEPTH - 1
    # & chains are flattened into one call, so long concatenations stay shallow
    concat = " & ".join(['"ab"'] * 500)
    assert len(concat) <= MAX_FORMULA_LENGTH
    assert run_python(check(parse(concat), DictScope(TYPES)), RECORD) == "ab" * 500


def test_nesting_at_the_limit_works_in_both_back_ends(formula_db: Any) -> None:
    depth = MAX_NESTING_DEPTH - 2  # the unary minus and the literal are two more levels
    source = "ABS(" * depth + "-1" + ")" * depth
    checked = check(parse(source), DictScope(TYPES))
    assert run_python(checked, RECORD) == 1
    assert run_sql(formula_db, checked, TYPES, RECORD) == 1


def test_formula_too_long() -> None:
    with pytest.raises(FormulaTooComplex):
        parse("1" + " " * MAX_FORMULA_LENGTH)


def test_exponential_text_growth_is_capped(formula_db: Any) -> None:
    source = "txt"
    for _ in range(8):
        source = f'SUBSTITUTE({source}, "o", "oooooooooo")'
    checked = check(parse(source), DictScope(TYPES))
    started = time.perf_counter()
    # 2 * 10^8 characters would exceed MAX_TEXT_LENGTH: the innermost oversized SUBSTITUTE is blank,
    # and blank text is "" for the enclosing ones.
    assert run_python(checked, RECORD) == ""
    assert run_sql(formula_db, checked, TYPES, RECORD) == ""
    assert time.perf_counter() - started < 5
    pad = check(parse(f"LPAD('x', {MAX_TEXT_LENGTH + 1})"), DictScope(TYPES))
    assert run_python(pad, RECORD) is None and run_sql(formula_db, pad, TYPES, RECORD) is None


def test_catastrophic_regex_is_linear(formula_db: Any) -> None:
    checked = check(parse('REGEX(LPAD("c", 4000, "a"), "(a+)+b")'), DictScope(TYPES))
    started = time.perf_counter()
    assert run_python(checked, RECORD) is False
    assert run_sql(formula_db, checked, TYPES, RECORD) is False
    assert time.perf_counter() - started < 5


def test_find_cycle() -> None:
    assert find_cycle({}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"a"}}) == ["a", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"x": {"plain_field"}, "y": {"z", "x"}, "z": {"y"}}) == ["y", "z", "y"]
    # diamond: shared dependencies are not cycles
    assert find_cycle({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()}) is None
    # very long chains: no recursion
    chain = {f"f{i}": {f"f{i + 1}"} for i in range(20_000)}
    assert find_cycle(chain) is None
    chain["f20000"] = {"f0"}
    cycle = find_cycle(chain)
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 20_002


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("()\"',.$&|!=<>+-*/^ \n\\ab1IFNULcase")) | st.characters(),
               max_size=60))
def test_arbitrary_text_is_parsed_or_refused_cleanly(source: str) -> None:
    """Fuzz: any text either checks or raises a FormulaError -- never anything else."""
    try:
        check(parse(source), DictScope(TYPES))
    except FormulaError:
        pass
