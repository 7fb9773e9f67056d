"""Salesforce conformance vectors through both back ends: Python evaluator and PostgreSQL.

Every suite of every example is evaluated in Python; every one is also inserted as a record
(storage contract of ``support``) and its compiled SQL selected. Results must equal the expected
value and have the expected type. Known, justified deviations are listed in XFAIL (one place).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from psycopg2 import sql

from metadata.formulas import check, compile_sql, evaluate, parse, sql_params
from tests.helpers.formulas.conformance import Case, load_cases
from tests.helpers.formulas.support import TABLE, DictScope, DictValues, JsonbRefs, insert_record

CASES = load_cases()
NOW = dt.datetime(2020, 4, 20, 12, 0, tzinfo=dt.UTC)
TZ = ZoneInfo("America/Los_Angeles")

#: case id -> reason. Each entry is a documented, deliberate deviation (none at the moment).
XFAIL: dict[str, str] = {}


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(reason=XFAIL[case.id], strict=True)] if case.id in XFAIL else []
    return pytest.param(case, id=case.id, marks=marks)


PARAMS = [_param(c) for c in CASES]


def _checked(case: Case) -> Any:
    # The vectors follow Salesforce's "treat blank fields as blanks" option.
    return check(parse(case.formula), DictScope(case.types), blank_as="blank")


def _assert_result(case: Case, result: Any) -> None:
    assert type(result) is case.expected_python_type or (
        case.expected_type == "datetime" and isinstance(result, dt.datetime)), (
        f"expected {case.expected_type}, got {type(result).__name__} {result!r}")
    assert result == case.expected


def test_conformance_files_are_complete() -> None:
    assert len(CASES) > 100
    assert set(XFAIL) <= {c.id for c in CASES}, "XFAIL names a case that does not exist"


@pytest.mark.parametrize("case", PARAMS)
def test_python(case: Case) -> None:
    result = evaluate(_checked(case), DictValues(case.values), now=NOW, tz=TZ)
    _assert_result(case, result)


@pytest.mark.parametrize("case", PARAMS)
def test_sql(case: Case, formula_db: Any) -> None:
    checked = _checked(case)
    refs = JsonbRefs(case.types, globals={p: v for p, v in case.values.items() if p[0].startswith("$")})
    expr = compile_sql(checked, refs)
    with formula_db.cursor() as cur:
        record_id = insert_record(cur, refs, case.values)
        query = sql.SQL("SELECT {} FROM {} AS r WHERE r.id = %(record_id)s").format(expr, sql.Identifier(TABLE))
        cur.execute(query, {**sql_params(NOW, TZ), "record_id": record_id})
        (result,) = cur.fetchone()
    _assert_result(case, result)
