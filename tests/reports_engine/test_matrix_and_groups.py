"""Matrices (totals both ways, empty cells 0), buckets, date periods with the fiscal year's start,
summary formulas (win rate, share of total, difference from the previous period), the weighted
forecast, filter logic and cross filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reports_engine import services
from reports_engine.periods import expand_period
from tessera.records.service import list_records

pytestmark = pytest.mark.django_db

MATRIX = {"api_name": "region_quarter", "object": "opportunity", "shape": "matrix",
          "groups": [{"field": "account.region"}],
          "column_groups": [{"field": "close_date", "granularity": "quarter"}],
          "aggregates": [{"key": "won", "function": "sum", "of": "amount",
                          "filters": [{"field": "stage", "value": "closed_won"}]},
                         {"key": "n", "function": "count"}]}


def ids_behind(actor, filters):
    return sorted(r.id for r in list_records("opportunity", actor, filters=filters, limit=200).records)


def test_matrix_totals_both_ways_and_empty_cells(world, admin_a):
    result = services.run_report(MATRIX, admin_a)
    matrix = result.matrix
    assert [r.labels for r in matrix.rows] == [["East"], ["West"], ["(blank)"]]
    assert [c.labels for c in matrix.columns] == [["2025 Q4"], ["2026 Q1"], ["2026 Q2"], ["2026 Q3"], ["2026 Q4"]]
    east = matrix.cells[0]
    assert [cell["won"] for cell in east] == [0, Decimal("1000"), 0, 0, 0]  # empty cells are 0
    assert [count for count in matrix.counts[0]] == [0, 2, 1, 0, 0]
    assert [r.totals["n"] for r in matrix.rows] == [3, 2, 2]
    assert [c.totals["won"] for c in matrix.columns] == [Decimal("250.50"), Decimal("4000"), 0, 0, 0]
    assert result.grand_total == {"won": Decimal("4250.50"), "n": 7}
    for i, row in enumerate(matrix.rows):
        for j, column in enumerate(matrix.columns):
            cell = {**row.cell, **column.cell}
            page = services.drill_down(MATRIX, admin_a, cell=cell, limit=200)
            assert len(page.records) == matrix.counts[i][j]
            assert sorted(r.id for r in page.records) == ids_behind(admin_a, row.filters + column.filters[len(result.filters):])


def test_fiscal_quarters_follow_the_fiscal_year(world, admin_a, monkeypatch):
    monkeypatch.setattr(services, "fiscal_start", lambda tenant: 4)  # April, until setup's setting lands
    result = services.run_report({**MATRIX, "shape": "summary", "groups": MATRIX["column_groups"]}, admin_a)
    assert [(g.label, g.count) for g in result.groups] == [
        ("FY2025 Q3", 1), ("FY2025 Q4", 3), ("FY2026 Q1", 1), ("FY2026 Q2", 1), ("FY2026 Q3", 1)]
    assert result.groups[1].value == dt.date(2026, 1, 1)
    assert ids_behind(admin_a, result.groups[1].filters) == sorted(
        d.id for d in world.deals if d.get("close_date") and dt.date(2026, 1, 1) <= d.get("close_date") < dt.date(2026, 4, 1))
    assert expand_period("this_fiscal_quarter", 4, today=dt.date(2026, 5, 20)) == "2026-04-01,2026-06-30"
    assert expand_period("last_fiscal_year", 4, today=dt.date(2026, 2, 1)) == "2024-04-01,2025-03-31"
    assert expand_period("last_n_months:12", 1, today=dt.date(2026, 5, 20)) == "2025-06-01,2026-05-20"


def test_buckets_group_values_without_a_field(world, admin_a):
    spec = {"api_name": "sizes", "object": "opportunity", "shape": "summary",
            "buckets": [{"key": "size", "field": "amount", "other": "Huge",
                         "ranges": [{"label": "Small", "below": 1000}, {"label": "Medium", "below": 3000}]}],
            "groups": [{"field": "size"}], "aggregates": [{"key": "n", "function": "count"}]}
    result = services.run_report(spec, admin_a)
    assert [(g.label, g.count) for g in result.groups] == [("Small", 2), ("Medium", 2), ("Huge", 2), ("(blank)", 1)]
    for group in result.groups:
        page = services.drill_down(spec, admin_a, cell=group.cell, limit=200)
        assert len(page.records) == group.count
        if group.filters is not None:
            assert sorted(r.id for r in page.records) == ids_behind(admin_a, group.filters)
    assert result.groups[2].filters is None  # "other" cannot be said as a list filter
    lists = {**spec, "buckets": [{"key": "size", "field": "stage", "lists": [
        {"label": "Closed", "values": ["closed_won", "closed_lost"]}], "other": "Open"}]}
    assert [(g.label, g.count) for g in services.run_report(lists, admin_a).groups] == [("Closed", 4), ("Open", 3)]


def test_summary_formulas_win_rate_share_and_previous(world, admin_a):
    spec = {"api_name": "rates", "object": "opportunity", "shape": "summary",
            "groups": [{"field": "account.region"}],
            "aggregates": [{"key": "won", "function": "count", "filters": [{"field": "stage", "value": "closed_won"}]},
                           {"key": "lost", "function": "count", "filters": [{"field": "stage", "value": "closed_lost"}]},
                           {"key": "amount", "function": "sum", "of": "amount"}],
            "summary_formulas": [{"key": "win_rate", "formula": "won / (won + lost)"},
                                 {"key": "share", "formula": "amount / total.amount", "type": "percent"},
                                 {"key": "change", "formula": "amount - previous.amount"}]}
    result = services.run_report(spec, admin_a)
    east, west, blank = result.groups
    assert east.values["win_rate"] == Decimal("0.5") and west.values["win_rate"] == Decimal("1")
    assert round(east.values["share"], 12) == round(Decimal("3500") / Decimal("10750.50"), 12)
    assert east.values["change"] is None and west.values["change"] == Decimal("-500")
    assert result.grand_total["win_rate"] == Decimal("0.75")
    assert [c.kind for c in result.columns][-3:] == ["summary_formula"] * 3


def test_weighted_forecast_by_quarter_and_owner(world, admin_a):
    spec = {"api_name": "forecast", "object": "opportunity", "shape": "summary",
            "groups": [{"field": "close_date", "granularity": "quarter"}, {"field": "owner"}],
            "aggregates": [{"key": "forecast", "function": "weighted_sum", "of": "amount", "weight": "stage"}]}
    result = services.run_report(spec, admin_a)
    by_label = {g.label: g for g in result.groups}
    assert by_label["2026 Q2"].values["forecast"] == Decimal("1200")  # 2000 × 60 %
    assert by_label["2026 Q4"].children[0].label == "Other"  # the owner's name
    assert result.grand_total["forecast"] == Decimal("1000") + Decimal("3000") + Decimal("250.50") \
        + Decimal("1200") + Decimal("3200")


def test_filter_logic_and_cross_filters(world, admin_a):
    spec = {"api_name": "logic", "object": "opportunity", "shape": "tabular", "columns": [{"field": "name"}],
            "sort": ["name"],
            "filters": [{"field": "amount", "op": "gte", "value": "1000"},
                        {"field": "stage", "value": "closed_won"},
                        {"field": "account.region", "value": "east"}],
            "filter_logic": "1 AND (2 OR 3)"}
    result = services.run_report(spec, admin_a)
    assert [r["name"] for r in result.rows] == ["d1", "d3", "d4"]
    assert result.filters is None  # OR: a list page cannot say it
    with_calls = {**spec, "filters": [], "filter_logic": "",
                  "cross_filters": [{"object": "activity", "via": "opportunity"}]}
    assert [r["name"] for r in services.run_report(with_calls, admin_a).rows] == ["d1", "d4"]
    without = {**with_calls, "cross_filters": [{"object": "activity", "via": "opportunity", "with": False}]}
    assert [r["name"] for r in services.run_report(without, admin_a).rows] == ["d2", "d3", "d5", "d6", "d7"]


def test_every_shape_exports_as_one_table(world, admin_a):
    from reports_engine.export import table_of

    header, rows = table_of(services.run_report(MATRIX, admin_a))
    rows = list(rows)
    assert header[:3] == ["Account › Region", "2025 Q4 · won", "2025 Q4 · n"] and len(header) == 1 + 6 * 2
    assert rows[0][:1] == ["East"] and rows[-1][0] == "Total" and rows[-1][-2:] == [Decimal("4250.50"), 7]
    summary = {**MATRIX, "shape": "summary", "groups": MATRIX["groups"] + MATRIX["column_groups"]}
    header, rows = table_of(services.run_report(summary, admin_a))
    rows = list(rows)
    assert header == ["Account › Region", "Expected close date", "won", "n"]
    assert rows[0] == ["East", None, Decimal("1000"), 3] and rows[1][:2] == [None, "2026 Q1"]
    assert rows[-1] == ["Grand total", None, Decimal("4250.50"), 7]
