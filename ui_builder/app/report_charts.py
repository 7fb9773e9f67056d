"""A report's result as the JSON `charts.js` draws: categories, series of numbers, the drill-down
URL behind each number, and how to format them (the tenant's currency, a percent).

The chart kinds are a registry (key → label and what shapes it fits), so a new kind is one entry
here and one branch in charts.js. The report's `chart` keeps the kind, whether it is stacked and
which aggregate it shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from metadata.fieldtypes import field_types
from reports_engine.result import Column, Group, ReportResult
from reports_engine.services import drill_down_url
from tessera.registry import Registry

from .widgets import CurrencyWidget, NumberWidget, PercentWidget, widget_for_type


@dataclass(frozen=True)
class ChartKind:
    label: Any
    #: Draws several series (one per column group or second-level group).
    series: bool = True


chart_kinds: Registry[ChartKind] = Registry("chart kinds")
chart_kinds.register("column", ChartKind(_("Column")))
chart_kinds.register("bar", ChartKind(_("Bar")))
chart_kinds.register("line", ChartKind(_("Line")))
chart_kinds.register("pie", ChartKind(_("Pie"), series=False))
chart_kinds.register("donut", ChartKind(_("Donut"), series=False))
chart_kinds.register("funnel", ChartKind(_("Funnel"), series=False))
chart_kinds.register("gauge", ChartKind(_("Gauge"), series=False))
chart_kinds.register("table", ChartKind(_("Table")))

#: Result columns that hold numbers a chart can show.
VALUE_KINDS = ("aggregate", "summary_formula")
#: A table's chart draws its first rows only (a bar per record).
TABULAR_ROWS = 50


def value_columns(result: ReportResult) -> list[Column]:
    return [c for c in result.columns if c.kind in VALUE_KINDS and not c.missing]


def number_format(column: Column, currency: str) -> dict[str, Any]:
    """How charts.js formats a column's numbers: asked of the widget of the column's type."""
    widget = widget_for_type(field_types.get(column.type)) if column.type in field_types else None
    if isinstance(widget, CurrencyWidget):
        return {"style": "currency", "currency": currency}
    if isinstance(widget, PercentWidget):
        return {"style": "percent"}
    return {"style": "decimal"}


def _number(value: Any) -> float | None:
    if isinstance(value, Decimal | int | float):
        return float(value)
    return None


def drill_url(result: ReportResult, *filters: Sequence[tuple[str, str]] | None) -> str | None:
    """The list page behind a number (None when a list cannot say one of its conditions)."""
    if any(f is None for f in filters):
        return None
    combined = list(dict.fromkeys(tuple(f) for part in filters for f in (part or ())))
    return drill_down_url(result.object, combined)


def _matrix(result: ReportResult, key: str) -> tuple[list[str], list[dict]]:
    matrix = result.matrix
    assert matrix is not None
    categories = [" / ".join(entry.labels) for entry in matrix.rows]
    series = [{"name": " / ".join(column.labels),
               "values": [_number(matrix.cells[i][j].get(key)) or 0 for i in range(len(matrix.rows))],
               "urls": [drill_url(result, row.filters, column.filters) for row in matrix.rows]}
              for j, column in enumerate(matrix.columns)]
    return categories, series


def numeric(column: Column) -> bool:
    """Whether a column holds numbers (asked of the widget of its type)."""
    return column.type in field_types and isinstance(widget_for_type(field_types.get(column.type)), NumberWidget)


def _category(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or "")
    return "" if value is None else str(value)


def _tabular(result: ReportResult, chart: Mapping[str, Any]) -> tuple[Column, list[str], list[dict]] | None:
    """A table's chart: a bar per row (its first text column names it) of one number column (the
    chart's `value`, else the first), each opening its record."""
    shown = [c for c in result.columns if c.kind not in VALUE_KINDS and not c.missing]
    numbers = [c for c in shown if numeric(c)]
    column = next((c for c in numbers if c.key == chart.get("value")), numbers[0] if numbers else None)
    if column is None:
        return None
    name = next((c for c in shown if not numeric(c)), None)
    rows = result.rows[:TABULAR_ROWS]
    categories = [_category(row.get(name.key)) if name else str(i + 1) for i, row in enumerate(rows)]
    return column, categories, [{"name": column.label, "values": [_number(row.get(column.key)) for row in rows],
                                 "urls": [f"/app/{result.object}/{row['_id']}/" if row.get("_id") else None for row in rows]}]


def _summary(result: ReportResult, key: str, several: bool) -> tuple[list[str], list[dict]]:
    groups = result.groups
    categories = [g.label for g in groups]
    if several and any(g.children for g in groups):
        names = list(dict.fromkeys(child.label for g in groups for child in g.children))
        by_label: list[dict[str, Group]] = [{child.label: child for child in g.children} for g in groups]
        series = []
        for name in names:
            found = [row.get(name) for row in by_label]
            series.append({"name": name, "values": [_number(c.values.get(key)) or 0 if c else 0 for c in found],
                           "urls": [drill_url(result, c.filters) if c else None for c in found]})
        return categories, series
    return categories, [{"name": "", "values": [_number(g.values.get(key)) for g in groups],
                         "urls": [drill_url(result, g.filters) for g in groups]}]


def chart_data(result: ReportResult, chart: Mapping[str, Any], *, currency: str, language: str | None,
               empty: str = "") -> dict[str, Any] | None:
    """The chart of a result (None: an unknown kind, nothing to count, a table without a number
    column or drawn as a gauge)."""
    kind = chart.get("kind", "")
    if kind not in chart_kinds or (result.shape == "tabular" and kind == "gauge"):
        return None
    values = value_columns(result)
    column = next((c for c in values if c.key == chart.get("value")), values[0] if values else None)
    tabular = _tabular(result, chart) if result.shape == "tabular" else None
    if tabular is not None:
        column = tabular[0]
    if column is None or (result.shape == "tabular" and tabular is None):
        return None
    several = chart_kinds.get(kind).series
    if tabular is not None:
        _column, categories, series = tabular
    elif kind == "gauge":
        categories = [column.label]
        series = [{"name": column.label, "values": [_number(result.grand_total.get(column.key)) or 0],
                   "urls": [result.drill_down_url]}]
    elif result.shape == "matrix" and result.matrix is not None:
        categories, series = _matrix(result, column.key)
        if not several:
            series = series[:1]
    else:
        categories, series = _summary(result, column.key, several)
    for s in series:
        s["name"] = s["name"] or column.label
    data: dict[str, Any] = {"kind": kind, "stacked": bool(chart.get("stacked")), "title": result.label,
                            "categories": categories, "series": series, "format": number_format(column, currency),
                            "locale": "zh-Hans" if (language or "").startswith("zh") else "en", "empty": empty,
                            "category_label": next((c.label for c in result.columns if c.kind == "group"), "")}
    if kind == "gauge" and chart.get("max"):
        data["gauge"] = {"max": chart["max"]}
    return data
