"""What running a report returns, for every shape: `ReportResult`.

One structure serves the API (`to_json()`), the builder's preview, charts, dashboards and exports:

- `columns`: every column the viewer may see, in order: `key` (the key of the values in rows,
  groups and cells), `label` (in the viewer's language), `type` (the field type key of its values —
  "currency", "picklist", "date"… — or a formula type: "number", "percent"…), `kind` ("field",
  "formula", "child", "group", "aggregate", "summary_formula"), and `missing` with a `problem` when
  the column reads a field deleted since (its values are blank; the report still runs). A column
  over a field the viewer may not read is not there at all.
- tabular: `rows` (dicts: "_id" = the record id, then each column's key), `total_rows` (all rows
  matching, not just those returned), `truncated`, and `grand_total` (each aggregate over every row).
- summary: `groups`, a tree (up to three levels) of `Group`: `key` (the grouping's key: g0, g1,
  g2), `value` (the API form: a picklist key, a record or user id, a period's first day, a bucket's
  index; None = blank), `label` (what to show), `values` (each aggregate's and summary formula's key
  → the subtotal), `count`, `cell` (the group values from the root down: the drill-down's
  coordinates) and `filters` (the same as the list page's filters, or None when a list cannot say
  them: a bucket's "other", OR logic, cross filters), `children`. `grand_total` holds the totals.
- matrix: `matrix` with `rows` and `columns` (each an `Axis`: header entries, the leaves of the row
  or column grouping with their own totals: an entry has `values` (its labels, one per level),
  `cell`, `filters`, `totals`), and `cells[i][j]` (aggregates of row i × column j; 0 where no record
  falls). `grand_total` is the corner.

The builder's preview: `sample` (N when the result counts only the viewer's N latest records,
`run_report(sample=N)`) and `cut_off` (rows left out by `cut`, which keeps a tree's or a matrix's
first rows and every total).

Drill-down: `run_report(..., extra_filters=cell filters)`, `drill_down(report, cell)` (the exact
records, paged) and `drill_down_url(object, filters)` (the list page) take what a group or cell
carries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from metadata.fieldtypes import field_types


@dataclass
class Column:
    key: str
    label: str
    type: str
    kind: str
    missing: bool = False
    problem: str = ""


@dataclass
class Group:
    key: str
    value: Any
    label: str
    values: dict[str, Any]
    count: int
    cell: dict[str, Any]
    filters: list[tuple[str, str]] | None
    children: list[Group] = field(default_factory=list)


@dataclass
class AxisEntry:
    values: list[Any]
    labels: list[str]
    cell: dict[str, Any]
    filters: list[tuple[str, str]] | None
    totals: dict[str, Any]
    count: int


@dataclass
class Matrix:
    rows: list[AxisEntry]
    columns: list[AxisEntry]
    #: cells[i][j]: aggregate key → value for rows[i] × columns[j] (0 where no record falls).
    cells: list[list[dict[str, Any]]]
    counts: list[list[int]]


@dataclass
class ReportResult:
    object: str
    shape: str
    columns: list[Column]
    report: str | None = None
    label: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    matrix: Matrix | None = None
    grand_total: dict[str, Any] = field(default_factory=dict)
    total_rows: int = 0
    truncated: bool = False
    #: The report's own conditions as list filters (None when a list page cannot say them).
    filters: list[tuple[str, str]] | None = None
    #: The list page showing every record of the report (None when its filters cannot be said there).
    drill_down_url: str | None = None
    #: Computed over the viewer's N latest records only (the builder's preview), else None.
    sample: int | None = None
    #: Groups (summary) or matrix rows / columns left out by `cut` (the preview shows the first ones).
    cut_off: bool = False

    def cut(self, rows: int) -> ReportResult:
        """The first `rows` rows of the summary's tree (depth first) or of the matrix's rows and
        columns, totals unchanged: what a preview draws quickly. Tabular rows are limited by the
        statement itself (`limit`)."""
        budget = [rows]

        def keep(groups: list[Group]) -> list[Group]:
            kept = []
            for group in groups:
                if budget[0] <= 0:
                    self.cut_off = True
                    break
                budget[0] -= 1
                group.children = keep(group.children)
                kept.append(group)
            return kept

        self.groups = keep(self.groups)
        if self.matrix is not None and (len(self.matrix.rows) > rows or len(self.matrix.columns) > rows):
            self.cut_off = True
            self.matrix = Matrix(rows=self.matrix.rows[:rows], columns=self.matrix.columns[:rows],
                                 cells=[r[:rows] for r in self.matrix.cells[:rows]],
                                 counts=[r[:rows] for r in self.matrix.counts[:rows]])
        return self

    def to_json(self) -> dict[str, Any]:
        return _json(asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportResult:
        """The result `to_json` wrote (a prepared report's, kept on its job): numbers of numeric
        columns back to Decimal, as `run_report` gives them; dates stay ISO text (shown as such)."""
        columns = [Column(**c) for c in data.get("columns", [])]
        numeric = {c.key for c in columns if c.type in field_types and field_types.get(c.type).sql_type == "numeric"}

        def values(found: dict[str, Any]) -> dict[str, Any]:
            return {k: Decimal(v) if k in numeric and isinstance(v, str) else v for k, v in found.items()}

        def group(g: dict[str, Any]) -> Group:
            return Group(**{**g, "values": values(g["values"]), "children": [group(c) for c in g["children"]]})

        def entry(e: dict[str, Any]) -> AxisEntry:
            return AxisEntry(**{**e, "totals": values(e["totals"])})

        matrix = data.get("matrix")
        return cls(**{
            **data, "columns": columns, "rows": [values(r) for r in data.get("rows", [])],
            "groups": [group(g) for g in data.get("groups", [])], "grand_total": values(data.get("grand_total", {})),
            "matrix": Matrix(rows=[entry(e) for e in matrix["rows"]], columns=[entry(e) for e in matrix["columns"]],
                             cells=[[values(cell) for cell in row] for row in matrix["cells"]],
                             counts=matrix["counts"]) if matrix else None,
        })


def _json(value: Any) -> Any:
    """Decimals as exact strings, dates as ISO text, tuples as lists: what the API sends."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
