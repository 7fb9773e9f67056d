"""Tabular and summary reports: values through lookups at any depth, calculated and child columns,
subtotals and the grand total in one statement, drill-down filters that find exactly the records
behind each number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports_engine import services
from tessera.records.service import list_records

pytestmark = pytest.mark.django_db

SUMMARY = {"api_name": "by_region", "object": "opportunity", "shape": "summary",
           "groups": [{"field": "account.region"}, {"field": "stage"}],
           "aggregates": [{"key": "total", "function": "sum", "of": "amount"},
                          {"key": "n", "function": "count"}]}


def run_counting(spec, actor, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        result = services.run_report(spec, actor, **kwargs)
    report_statements = [q for q in queries.captured_queries if "record_o" in q["sql"]]
    assert len(report_statements) == 1, [q["sql"] for q in report_statements]
    return result


def ids_behind(actor, filters):
    page = list_records("opportunity", actor, filters=filters, limit=200)
    return sorted(r.id for r in page.records)


def test_summary_groups_subtotals_and_grand_total(world, admin_a):
    result = run_counting(SUMMARY, admin_a)
    east, west, blank = result.groups
    assert (east.value, east.label, east.values["total"], east.count) == ("east", "East", Decimal("3500"), 3)
    assert [(g.value, g.values["total"]) for g in east.children] == [
        ("proposal", Decimal("2000")), ("closed_won", Decimal("1000")), ("closed_lost", Decimal("500"))]
    assert west.values["total"] == Decimal("3000") and blank.value is None and blank.values["total"] == Decimal("4250.50")
    assert result.grand_total == {"total": Decimal("10750.50"), "n": 7}
    assert result.total_rows == 7
    assert [c.key for c in result.columns] == ["g0", "g1", "total", "n"]


def test_every_group_drills_down_to_exactly_its_records(world, admin_a):
    result = services.run_report(SUMMARY, admin_a)
    for group in result.groups:
        for node in [group, *group.children]:
            behind = ids_behind(admin_a, node.filters)
            assert len(behind) == node.count
            page = services.drill_down(SUMMARY, admin_a, cell=node.cell, limit=200)
            assert sorted(r.id for r in page.records) == behind
    url = services.drill_down_url("opportunity", result.groups[0].children[0].filters)
    assert url == "/app/opportunity/?f.account.region=east&f.stage=proposal"


def test_tabular_rows_parent_fields_formulas_and_child_columns(world, admin_a):
    spec = {"api_name": "deals", "object": "opportunity", "shape": "tabular", "sort": ["-amount"],
            "columns": [{"field": "name"}, {"field": "account.parent.name"},
                        {"key": "double", "formula": "amount * 2", "type": "currency"},
                        {"key": "calls", "child": {"object": "activity", "via": "opportunity", "function": "count"}}],
            "aggregates": [{"key": "total", "function": "sum", "of": "amount"}]}
    result = run_counting(spec, admin_a)
    rows = {r["name"]: r for r in result.rows}
    assert [r["name"] for r in result.rows][:2] == ["d7", "d4"]
    assert rows["d3"]["account__parent__name"] == "Acme" and rows["d1"]["account__parent__name"] is None
    assert rows["d6"]["double"] == Decimal("501.00")
    assert (rows["d1"]["calls"], rows["d4"]["calls"], rows["d2"]["calls"]) == (2, 1, 0)
    assert result.grand_total == {"total": Decimal("10750.50")} and result.total_rows == 7
    assert [c.kind for c in result.columns] == ["field", "field", "formula", "child", "aggregate"]


def test_saved_report_runs_by_name(world, admin_a):
    services.create_report(SUMMARY, admin_a)
    result = services.run_report("by_region", admin_a)
    assert result.report == "by_region" and result.grand_total["n"] == 7
