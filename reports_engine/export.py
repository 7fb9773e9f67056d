"""A report result as one table (header, rows) for files: what the export writer streams to CSV or
XLSX (tessera.transfer's `write_table(columns, rows, format, path)`, once it is on main).

- tabular: the columns, one row per record, then a row per grand total ("Total · Amount", value);
- summary: the group columns, then the values; a row per group at each level (its label in its
  level's column: the tree reads top-down as in the report), then the grand total;
- matrix: the row groups' labels, then for each column entry each value, then the row totals; the
  last row holds the column totals and the grand total.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from .result import Group, ReportResult


def table_of(result: ReportResult) -> tuple[list[str], Iterator[list[Any]]]:
    if result.matrix is not None:
        return _matrix(result)
    if result.shape == "tabular":
        return _tabular(result)
    return _grouped(result)


def _tabular(result: ReportResult) -> tuple[list[str], Iterator[list[Any]]]:
    columns = [c for c in result.columns if c.kind != "aggregate"]
    totals = [c for c in result.columns if c.kind == "aggregate"]

    def rows() -> Iterator[list[Any]]:
        for row in result.rows:
            yield [row.get(c.key) for c in columns]
        for column in totals:
            yield [f"{_('Total')} · {column.label}", result.grand_total.get(column.key)]

    return [c.label for c in columns], rows()


def _grouped(result: ReportResult) -> tuple[list[str], Iterator[list[Any]]]:
    groups = [c for c in result.columns if c.kind == "group"]
    values = [c for c in result.columns if c.kind != "group"]

    def walk(nodes: list[Group], depth: int) -> Iterator[list[Any]]:
        for node in nodes:
            labels: list[Any] = [None] * len(groups)
            labels[depth] = node.label
            yield [*labels, *(node.values.get(c.key) for c in values)]
            yield from walk(node.children, depth + 1)

    def rows() -> Iterator[list[Any]]:
        yield from walk(result.groups, 0)
        yield [_("Grand total"), *([None] * (len(groups) - 1)), *(result.grand_total.get(c.key) for c in values)]

    return [c.label for c in groups] + [c.label for c in values], rows()


def _matrix(result: ReportResult) -> tuple[list[str], Iterator[list[Any]]]:
    matrix = result.matrix
    assert matrix is not None
    groups = [c for c in result.columns if c.kind == "group"][: len(matrix.rows[0].labels) if matrix.rows else 1]
    values = [c for c in result.columns if c.kind not in ("group",)]
    header = [c.label for c in groups]
    for entry in matrix.columns:
        header += [f"{' / '.join(entry.labels)} · {c.label}" for c in values]
    header += [f"{_('Total')} · {c.label}" for c in values]

    def rows() -> Iterator[list[Any]]:
        for i, entry in enumerate(matrix.rows):
            line: list[Any] = list(entry.labels)
            for cell in matrix.cells[i]:
                line += [cell.get(c.key) for c in values]
            yield line + [entry.totals.get(c.key) for c in values]
        last: list[Any] = [_("Total"), *([None] * (len(groups) - 1))]
        for entry in matrix.columns:
            last += [entry.totals.get(c.key) for c in values]
        yield last + [result.grand_total.get(c.key) for c in values]

    return header, rows()
