"""Rows of a compiled report's statement → a `ReportResult`: the summary tree, the matrix, labels
of group values (picklist labels, record and user names, periods, buckets), the drill-down
coordinates and list filters of every group and cell, and summary formulas (the formula language's
Python back end over the aggregates: won / (won + lost), total.<key>, previous.<key>)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from metadata.formula_scope import formula_type_of
from metadata.formulas import (
    FieldInfo,
    FormulaError,
    FormulaType,
    UnknownReference,
    compile_formula,
    evaluate,
)
from tessera.errors import ErrorCollector

from .compiler import COUNT_LIKE, Axis, Compiled, period_end, period_label
from .result import AxisEntry, Column, Group, Matrix, ReportResult

NUMERIC = (FormulaType.NUMBER, FormulaType.CURRENCY, FormulaType.PERCENT)


class SummaryScope:
    """Summary formulas see the aggregates by key, `total.<key>` and `previous.<key>`."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = set(keys)

    def resolve(self, path: tuple[str, ...]) -> FieldInfo:
        names = tuple(p.lower() for p in path)
        if (len(names) == 1 and names[0] in self.keys) or (
                len(names) == 2 and names[0] in ("total", "previous") and names[1] in self.keys):
            return FieldInfo(type=FormulaType.NUMBER, path=names)
        raise UnknownReference(tuple(path))


class Values:
    def __init__(self, own: dict, total: dict, previous: dict | None) -> None:
        self.own, self.total, self.previous = own, total, previous or {}

    def get(self, path: tuple[str, ...]) -> Any:
        if len(path) == 2:
            source = self.total if path[0] == "total" else self.previous
            return _number(source.get(path[1]))
        return _number(self.own.get(path[0]))


def _number(value: Any) -> Any:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(value)
    return None


class Reader:
    def __init__(self, compiled: Compiled, spec: dict, *, language: str | None, fiscal_start: int,
                 time_zone: str) -> None:
        self.compiled = compiled
        self.spec = spec
        self.language = language
        self.fiscal_start = fiscal_start
        self.time_zone = time_zone
        self.formulas = self._summary_formulas()

    def _summary_formulas(self) -> list[tuple[str, Any, str]]:
        keys = [a.key for a in self.compiled.aggregates]
        found = []
        errors = ErrorCollector()
        for i, item in enumerate(self.spec.get("summary_formulas", ())):
            try:
                checked = compile_formula(item["formula"], SummaryScope(keys), result_type=FormulaType.NUMBER,
                                          blank_as="blank")
            except FormulaError as exc:
                errors.add(f"summary_formulas.{i}.formula", "invalid_formula", str(exc))
                continue
            found.append((item["key"], checked, item.get("type", "number")))
        errors.raise_if_any()
        return found

    # --- columns -------------------------------------------------------------------------------
    def columns(self) -> list[Column]:
        compiled = self.compiled
        if compiled.shape == "tabular":
            found = [Column(c.key, c.label or c.key, c.type_key, _kind(c), missing=c.sql is None,
                            problem=c.problem) for c in compiled.columns]
        else:
            found = [Column(a.key, _bucket_label(a.bucket, self.language) or a.source.label,
                            a.source.type_key if not (a.granularity or a.bucket) else "text", "group")
                     for a in compiled.axes]
        if compiled.shape == "stage_progress":
            words = {"entered": _("Entered"), "avg_days": _("Average days in stage"), "current": _("In it now"),
                     "conversion": _("Conversion to the next")}
            return found + [Column(key, str(words[key]), "percent" if key == "conversion" else "number",
                                   "aggregate") for key in self.STAGE_COLUMNS]
        found += [Column(a.key, a.label, a.type_key, "aggregate") for a in compiled.aggregates]
        found += [Column(key, _label_of(self.spec, key, self.language), kind_type, "summary_formula")
                  for key, _checked, kind_type in self.formulas]
        return found

    # --- stage progress ------------------------------------------------------------------------
    STAGE_COLUMNS = ("entered", "avg_days", "current", "conversion")

    def stage_progress(self, rows: list[tuple], result: ReportResult) -> ReportResult:
        """One group per stage, in the picklist's order: records that entered it, average days in
        it, records in it now, and the share of those that entered it that entered the next one."""
        axis = self.compiled.axes[0]
        found = {row[0]: row for row in rows}
        order = _choice_order(axis)
        keys = sorted(found, key=lambda k: _sort_key(k, order))
        for i, key in enumerate(keys):
            _stage, entered, seconds_days, current = found[key]
            following = found[keys[i + 1]][1] if i + 1 < len(keys) else None
            values = {"entered": entered, "avg_days": seconds_days, "current": current,
                      "conversion": Decimal(following) / Decimal(entered) if following is not None and entered
                      else None}
            result.groups.append(Group(key=axis.key, value=key, label=self._label(axis, key, None), values=values,
                                       count=entered, cell={axis.key: key},
                                       filters=self._filters([axis], [key])))
        result.total_rows = sum(row[3] for row in rows)  # each record is in one stage now
        return result

    # --- tabular -------------------------------------------------------------------------------
    def tabular(self, rows: list[tuple], result: ReportResult) -> ReportResult:
        columns = [c for c in self.compiled.columns]
        width = 1 + len(columns)
        for row in rows:
            item = {"_id": row[0]}
            item.update({c.key: row[1 + i] for i, c in enumerate(columns)})
            result.rows.append(item)
        if rows:
            result.total_rows = rows[0][width]
            result.grand_total = {a.key: rows[0][width + 1 + i] for i, a in enumerate(self.compiled.aggregates)}
        else:
            result.grand_total = {a.key: (0 if a.function in COUNT_LIKE else None) for a in self.compiled.aggregates}
        result.truncated = result.total_rows > len(rows)
        self._formulas(result.grand_total, result.grand_total, None)
        return result

    # --- grouped -------------------------------------------------------------------------------
    def _split(self, row: tuple) -> tuple[list[Any], int, int, dict[str, Any], list[Any]]:
        axes = self.compiled.axes
        n = len(axes)
        values = list(row[:n])
        mask, count = row[n], row[n + 1]
        aggregates = {a.key: row[n + 2 + i] for i, a in enumerate(self.compiled.aggregates)}
        for a in self.compiled.aggregates:
            if aggregates[a.key] is None and a.function in COUNT_LIKE:
                aggregates[a.key] = 0
        labels = list(row[n + 2 + len(self.compiled.aggregates):]) or [None] * n
        return values, mask, count, aggregates, labels

    def _rolled(self, mask: int, index: int) -> bool:
        return bool(mask & (1 << (len(self.compiled.axes) - 1 - index)))

    def summary(self, rows: list[tuple], result: ReportResult) -> ReportResult:
        levels = self.compiled.row_axes
        nodes: dict[tuple, Group] = {}
        for row in rows:
            values, mask, count, aggregates, labels = self._split(row)
            depth = next((i for i in range(levels) if self._rolled(mask, i)), levels)
            if depth == 0:
                result.grand_total = aggregates
                result.total_rows = count
                continue
            axis = self.compiled.axes[depth - 1]
            cell = {a.key: self._api_value(a, values[i]) for i, a in enumerate(self.compiled.axes[:depth])}
            nodes[tuple(values[:depth])] = Group(
                key=axis.key, value=cell[axis.key], label=self._label(axis, values[depth - 1], labels[depth - 1]),
                values=aggregates, count=count, cell=cell, filters=self._filters(self.compiled.axes[:depth],
                                                                                 values[:depth]))
        if not result.grand_total:
            result.grand_total = {a.key: (0 if a.function in COUNT_LIKE else None) for a in self.compiled.aggregates}
        for key in sorted(nodes, key=len):
            if len(key) > 1:
                parent = nodes.get(key[:-1])
                if parent is not None:
                    parent.children.append(nodes[key])
        result.groups = [node for key, node in nodes.items() if len(key) == 1]
        self._sort(result.groups, 0)
        self._formulas(result.grand_total, result.grand_total, None)
        self._tree_formulas(result.groups, result.grand_total)
        result.truncated = len(rows) > 10_000
        return result

    def _sort(self, groups: list[Group], level: int) -> None:
        axis = self.compiled.axes[level]
        order = _choice_order(axis)
        groups.sort(key=lambda g: _sort_key(g.value, order))
        for g in groups:
            if g.children:
                self._sort(g.children, level + 1)

    def _tree_formulas(self, groups: list[Group], total: dict) -> None:
        previous: dict | None = None
        for g in groups:
            self._formulas(g.values, total, previous)
            previous = g.values
            self._tree_formulas(g.children, total)

    def _formulas(self, own: dict, total: dict, previous: dict | None) -> None:
        now = timezone.now()
        tz = ZoneInfo(self.time_zone)
        for key, checked, _type in self.formulas:
            try:
                own[key] = evaluate(checked, Values(own, total, previous), now=now, tz=tz)
            except (ArithmeticError, TypeError, ValueError, FormulaError):
                own[key] = None

    def matrix(self, rows: list[tuple], result: ReportResult) -> ReportResult:
        r = self.compiled.row_axes
        axes = self.compiled.axes
        row_axes, col_axes = axes[:r], axes[r:]
        cells: dict[tuple, tuple[int, dict]] = {}
        row_entries: dict[tuple, AxisEntry] = {}
        col_entries: dict[tuple, AxisEntry] = {}
        for row in rows:
            values, mask, count, aggregates, labels = self._split(row)
            rows_full = not any(self._rolled(mask, i) for i in range(r))
            rows_none = all(self._rolled(mask, i) for i in range(r))
            cols_full = not any(self._rolled(mask, i) for i in range(r, len(axes)))
            cols_none = all(self._rolled(mask, i) for i in range(r, len(axes)))
            row_key, col_key = tuple(values[:r]), tuple(values[r:])
            if rows_full and cols_full:
                cells[(row_key, col_key)] = (count, aggregates)
            elif rows_full and cols_none:
                row_entries[row_key] = self._entry(row_axes, values[:r], labels[:r], aggregates, count)
            elif rows_none and cols_full:
                col_entries[col_key] = self._entry(col_axes, values[r:], labels[r:], aggregates, count)
            elif rows_none and cols_none:
                result.grand_total = aggregates
                result.total_rows = count
        zero = {a.key: (0 if a.function in COUNT_LIKE else None) for a in self.compiled.aggregates}
        if not result.grand_total:
            result.grand_total = dict(zero)
        row_keys = sorted(row_entries, key=lambda k: [_sort_key(v, _choice_order(a))
                                                      for a, v in zip(row_axes, row_entries[k].values, strict=True)])
        col_keys = sorted(col_entries, key=lambda k: [_sort_key(v, _choice_order(a))
                                                      for a, v in zip(col_axes, col_entries[k].values, strict=True)])
        grid, counts = [], []
        for rk in row_keys:
            line, line_counts = [], []
            for ck in col_keys:
                count, values = cells.get((rk, ck), (0, zero))
                values = dict(values)
                self._formulas(values, result.grand_total, None)
                line.append(values)
                line_counts.append(count)
            grid.append(line)
            counts.append(line_counts)
        for entry in [*row_entries.values(), *col_entries.values()]:
            self._formulas(entry.totals, result.grand_total, None)
        self._formulas(result.grand_total, result.grand_total, None)
        result.matrix = Matrix(rows=[row_entries[k] for k in row_keys], columns=[col_entries[k] for k in col_keys],
                               cells=grid, counts=counts)
        return result

    def _entry(self, axes: Sequence[Axis], values: list, labels: list, totals: dict, count: int) -> AxisEntry:
        return AxisEntry(values=[self._api_value(a, v) for a, v in zip(axes, values, strict=True)],
                         labels=[self._label(a, v, lab) for a, v, lab in zip(axes, values, labels, strict=True)],
                         cell={a.key: self._api_value(a, v) for a, v in zip(axes, values, strict=True)},
                         filters=self._filters(axes, values), totals=dict(totals), count=count)

    # --- one group value -----------------------------------------------------------------------
    def _api_value(self, axis: Axis, value: Any) -> Any:
        if isinstance(value, Decimal) and value == value.to_integral():
            return int(value)
        return value

    def _label(self, axis: Axis, value: Any, name: Any) -> str:
        if value is None:
            return _("(blank)")
        if axis.bucket is not None:
            items = axis.bucket.get("ranges") or axis.bucket.get("lists") or []
            return items[value]["label"] if value < len(items) else axis.bucket.get("other") or _("Other")
        if axis.granularity:
            return period_label(value, axis.granularity, self.fiscal_start)
        if name is not None:
            return str(name)
        choices = _choices(axis, self.language)
        if choices:
            return next((c["label"] for c in choices if c["value"] == value), str(value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return str(value)

    def _filters(self, axes: Sequence[Axis], values: Sequence[Any]) -> list[tuple[str, str]] | None:
        """A group's values as the list page's filters (None when a list cannot say one of them)."""
        base = self.compiled.list_filters
        if base is None:
            return None
        found = list(base)
        for axis, value in zip(axes, values, strict=True):
            more = self._axis_filters(axis, value)
            if more is None:
                return None
            found += more
        return found

    def _axis_filters(self, axis: Axis, value: Any) -> list[tuple[str, str]] | None:
        path = axis.source.path
        if path is None:
            return None
        name = ".".join(path)
        if axis.bucket is not None:
            return _bucket_filters(name, axis.bucket, value)
        if value is None:
            return [(f"{name}__isnull", "true")]
        if axis.granularity:
            end = period_end(value, axis.granularity)
            low, high = value.isoformat(), end.isoformat()
            field = axis.source.field
            if field is not None and formula_type_of(field) is FormulaType.DATETIME:
                tz = ZoneInfo(self.time_zone)
                low = dt.datetime.combine(value, dt.time.min, tzinfo=tz).isoformat()
                high = dt.datetime.combine(end, dt.time.min, tzinfo=tz).isoformat()
            return [(f"{name}__gte", low), (f"{name}__lt", high)]
        if isinstance(value, bool):
            return [(name, "true" if value else "false")]
        return [(name, str(self._api_value(axis, value)))]


def _bucket_filters(name: str, bucket: dict, index: int | None) -> list[tuple[str, str]] | None:
    if index is None:
        return [(f"{name}__isnull", "true")]
    ranges = bucket.get("ranges")
    if ranges:
        if index >= len(ranges):
            return None
        found = []
        if index > 0 and ranges[index - 1].get("below") is not None:
            found.append((f"{name}__gte", str(ranges[index - 1]["below"])))
        if ranges[index].get("below") is not None:
            found.append((f"{name}__lt", str(ranges[index]["below"])))
        else:
            found.append((f"{name}__isnull", "false"))
        return found
    lists = bucket.get("lists") or []
    if index >= len(lists):
        return None
    return [(f"{name}__in", ",".join(str(v) for v in lists[index]["values"]))]


def _choices(axis: Axis, language: str | None) -> list[dict]:
    field = axis.source.field
    if field is None or axis.bucket is not None or axis.granularity or not field.type.choice_keys(field):
        return []
    return field.type.widget_descriptor(field, language).get("choices") or []


def _choice_order(axis: Axis) -> dict[Any, int]:
    if axis.bucket is not None:
        return {}
    field = axis.source.field
    keys = field.type.choice_keys(field) if field is not None and not axis.granularity else None
    return {k: i for i, k in enumerate(keys or ())}


def _sort_key(value: Any, order: dict[Any, int]) -> tuple:
    """Blank last; picklist values in their order; the rest by value (mixed types by their text)."""
    if value is None:
        return (2, 0, "")
    if order:
        return (0, order.get(value, len(order)), str(value))
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return (0, value, "")
    if isinstance(value, dt.date):
        return (0, value.toordinal(), "")
    return (1, 0, str(value))


def _kind(column: Any) -> str:
    return column.kind


def _bucket_label(bucket: dict | None, language: str | None) -> str:
    """A bucket's own name ("Deal size") heads its group, rather than the field it buckets."""
    labels = (bucket or {}).get("labels") or {}
    return labels.get(language or "", "") or next(iter(labels.values()), "")


def _label_of(spec: dict, key: str, language: str | None) -> str:
    for item in spec.get("summary_formulas", ()):
        if item["key"] == key:
            labels = item.get("labels") or {}
            return labels.get(language or "", "") or next(iter(labels.values()), "") or key
    return key
