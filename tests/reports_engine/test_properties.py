"""Property test: random records and random report definitions, the engine's answer against a plain
Python computation of the same question (fixed seed, bounded examples)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from reports_engine import services
from tessera.records.service import create_records
from tessera.security.access import SYSTEM

pytestmark = pytest.mark.django_db

COLORS = ["red", "green", "blue"]
BOUNDS = [10, 100]

records_strategy = st.lists(st.fixed_dictionaries({
    "color": st.sampled_from([*COLORS, None]),
    "size": st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
    "price": st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2)),
    "day": st.one_of(st.none(), st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 31))),
    "flag": st.booleans(),
}), max_size=12)

GROUPS = {"color": {"field": "color"}, "flag": {"field": "flag"},
          "month": {"field": "day", "granularity": "month"}, "bucket": {"field": "size_band"}}
AGGREGATES = {"count": {"key": "v", "function": "count"}, "sum": {"key": "v", "function": "sum", "of": "price"},
              "min": {"key": "v", "function": "min", "of": "size"}, "max": {"key": "v", "function": "max", "of": "size"}}
FILTERS = {"size": lambda v: ({"field": "size", "op": "gte", "value": str(v)},
                              lambda r: r["size"] is not None and r["size"] >= v),
           "color": lambda v: ({"field": "color", "op": "in", "value": ",".join(v)},
                               lambda r: r["color"] in v)}

filter_strategy = st.one_of(st.builds(lambda v: FILTERS["size"](v), st.integers(min_value=0, max_value=200)),
                            st.builds(lambda v: FILTERS["color"](v),
                                      st.lists(st.sampled_from(COLORS), min_size=1, max_size=2, unique=True)))
report_strategy = st.fixed_dictionaries({
    "shape": st.sampled_from(["summary", "matrix"]),
    "groups": st.lists(st.sampled_from(sorted(GROUPS)), min_size=1, max_size=2, unique=True),
    "aggregate": st.sampled_from(sorted(AGGREGATES)),
    "filters": st.lists(filter_strategy, max_size=2),
    "logic": st.sampled_from(["AND", "OR"]),
})


def group_value(name: str, record: dict):
    if name == "color":
        return record["color"]
    if name == "flag":
        return record["flag"]
    if name == "month":
        return record["day"].replace(day=1) if record["day"] else None
    size = record["size"]
    return None if size is None else next((i for i, b in enumerate(BOUNDS) if size < b), len(BOUNDS))


def aggregate(name: str, records: list[dict]):
    if name == "count":
        return len(records)
    if name == "sum":
        return sum((r["price"] for r in records if r["price"] is not None), Decimal(0))
    values = [r["size"] for r in records if r["size"] is not None]
    return (min if name == "min" else max)(values) if values else None


def expected(report: dict, records: list[dict]) -> tuple[dict, object]:
    kept = []
    for r in records:
        checks = [test(r) for _spec, test in report["filters"]]
        if not checks or (all(checks) if report["logic"] == "AND" else any(checks)):
            kept.append(r)
    cells = defaultdict(list)
    for r in kept:
        cells[tuple(group_value(g, r) for g in report["groups"])].append(r)
    return {key: (len(rs), aggregate(report["aggregate"], rs)) for key, rs in cells.items()}, \
        aggregate(report["aggregate"], kept)


def spec_of(report: dict) -> dict:
    groups = [GROUPS[g] for g in report["groups"]]
    spec = {"api_name": "prop", "object": "gadget", "shape": report["shape"],
            "buckets": [{"key": "size_band", "field": "size", "ranges": [{"label": "S", "below": 10},
                                                                        {"label": "M", "below": 100}]}],
            "aggregates": [AGGREGATES[report["aggregate"]]],
            "filters": [f for f, _test in report["filters"]],
            "filter_logic": f" {report['logic']} ".join(str(i + 1) for i in range(len(report["filters"])))}
    if report["shape"] == "matrix" and len(groups) == 2:
        spec.update(groups=groups[:1], column_groups=groups[1:])
    else:
        spec.update(shape="summary", groups=groups)
    return spec


def leaves(groups, depth: int, prefix=()) -> dict:
    found = {}
    for g in groups:
        key = (*prefix, g.value)
        if len(key) == depth:
            found[key] = (g.count, g.values["v"])
        found.update(leaves(g.children, depth, key))
    return found


def answer(result, depth: int) -> dict:
    if result.matrix is None:
        return leaves(result.groups, depth)
    found = {}
    for i, row in enumerate(result.matrix.rows):
        for j, column in enumerate(result.matrix.columns):
            if result.matrix.counts[i][j]:
                found[(*row.values, *column.values)] = (result.matrix.counts[i][j], result.matrix.cells[i][j]["v"])
    return found


def normal(value):
    return Decimal(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) else value


def test_random_reports_agree_with_python(make_object, admin_a):
    make_object("gadget", fields=[
        {"api_name": "color", "type": "picklist", "options": {"values": [{"key": c, "labels": {"en": c}} for c in COLORS]}},
        {"api_name": "size", "type": "number", "options": {"precision": 10, "scale": 0}},
        {"api_name": "price", "type": "currency"},
        {"api_name": "day", "type": "date"},
        {"api_name": "flag", "type": "boolean"}])

    @seed(20261206)
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(records=records_strategy, report=report_strategy)
    def check(records, report):
        savepoint = transaction.savepoint()
        try:
            if records:
                create_records("gadget", [{**{k: (v.isoformat() if isinstance(v, dt.date) else v)
                                              for k, v in r.items()}, "name": f"g{i}"}
                                          for i, r in enumerate(records)], SYSTEM)
            result = services.run_report(spec_of(report), admin_a)
            cells, total = expected(report, records)
            got = answer(result, len(report["groups"]))
            assert {k: (n, normal(v)) for k, (n, v) in got.items()} == \
                {k: (n, normal(v)) for k, (n, v) in cells.items()}
            assert normal(result.grand_total["v"]) == normal(total)
            assert result.total_rows == sum(n for n, _v in cells.values())
        finally:
            transaction.savepoint_rollback(savepoint)

    check()
