"""Property test: the Python evaluator and the compiled SQL agree on random formulas and records.

Each example is one random well-typed formula and three random records (blanks included), checked
with a random blank-handling option, evaluated in Python and in ONE SQL round trip.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg2 import sql

from metadata.formulas import check, compile_sql, evaluate, parse, sql_params
from tests.helpers.formulas.generators import SCHEMA, formulas, records
from tests.helpers.formulas.support import DictScope, DictValues, JsonbRefs, dumps, record_json

ZONES = ["UTC", "America/Los_Angeles", "Pacific/Kiritimati", "Asia/Kolkata"]
NOWS = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1)).map(
    lambda d: d.replace(tzinfo=dt.UTC))


def _same(py: Any, db: Any) -> bool:
    if py is None or db is None:
        return py is None and db is None
    if isinstance(py, dt.datetime):
        return isinstance(db, dt.datetime) and py == db
    return type(py) is type(db) and py == db


#: Raise locally to hunt for disagreements, e.g. TESSERA_FORMULA_EXAMPLES=20000.
EXAMPLES = int(os.environ.get("TESSERA_FORMULA_EXAMPLES", "200"))
DEPTH = int(os.environ.get("TESSERA_FORMULA_DEPTH", "4"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula=formulas(max_depth=DEPTH), rows=st.lists(records(), min_size=3, max_size=3),
       blank_as=st.sampled_from(["zero", "blank"]), zone=st.sampled_from(ZONES), now=NOWS)
def test_python_and_sql_agree(formula_db: Any, formula: tuple[str, Any], rows: list[dict], blank_as: str,
                              zone: str, now: dt.datetime) -> None:
    source, ftype = formula
    checked = check(parse(source), DictScope(SCHEMA), blank_as=blank_as)
    assert checked.result_type in (ftype, ftype.NULL)
    tz = ZoneInfo(zone)
    expected = [evaluate(checked, DictValues(row), now=now, tz=tz) for row in rows]

    refs = JsonbRefs(dict(SCHEMA))
    expr = compile_sql(checked, refs)
    values = sql.SQL(", ").join(
        sql.SQL("({}, {}::jsonb)").format(sql.Literal(i), sql.Placeholder(f"row{i}")) for i in range(len(rows)))
    query = sql.SQL("SELECT {} FROM (VALUES {}) AS r(id, data) ORDER BY r.id").format(expr, values)
    params = {**sql_params(now, tz), **{f"row{i}": dumps(record_json(refs, row)) for i, row in enumerate(rows)}}
    with formula_db.cursor() as cur:
        cur.execute(query, params)
        got = [row[0] for row in cur.fetchall()]
    for row, py, db in zip(rows, expected, got, strict=True):
        assert _same(py, db), f"{source!r} on {row}: Python {py!r} != SQL {db!r}"
