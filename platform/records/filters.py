"""Filters of the records API: `field__op=value` (and `lookup.field__op=value`) → SQL predicates.

Operators: eq (default), ne, lt, lte, gt, gte, in (comma-separated), contains, startswith,
isnull (true/false), range (`low,high`, either end open, or a relative period for dates:
today, yesterday, this_week, last_week, this_month, last_month, next_month, this_quarter,
last_quarter, this_year, last_year, last_n_days:N, next_n_days:N). Values are coerced by the
field's type, so `amount__gte=abc` is a 400 naming the parameter, never a SQL error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from metadata.fieldtypes import FieldType, FieldValueError
from metadata.formulas import FormulaError
from metadata.meta import FieldMeta
from tessera.errors import ErrorCollector

from .query import RecordQuery

PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*){0,4}$")
ALL_OPS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "startswith", "isnull", "range"})


def apply_filters(query: RecordQuery, params: Iterable[tuple[str, object]], errors: ErrorCollector) -> None:
    """Add a predicate to `query` for each (key, value); errors are keyed by the parameter name."""
    for key, raw in params:
        name, op = split_key(key)
        if not PATH_RE.match(name):
            errors.add(key, "invalid_filter", _("Unknown filter."))
            continue
        if op not in ALL_OPS:
            errors.add(key, "invalid_operator", _("Unknown operator “%(op)s”.") % {"op": op})
            continue
        path = tuple(name.split("."))
        try:
            field = query.obj.field(path[0]) if len(path) == 1 else _walk(query, path)
            if field is None:
                raise LookupError
            expression = query.field_sql(field) if len(path) == 1 else query.path_sql(path)
        except (LookupError, FormulaError):
            errors.add(key, "unknown_field", _("No field “%(name)s”.") % {"name": ".".join(path)})
            continue
        if op not in filter_ops(field):
            errors.add(key, "invalid_operator", _("“%(op)s” cannot filter this field.") % {"op": op})
            continue
        try:
            value = _coerce(field, op, raw)
        except FieldValueError as exc:
            errors.add(key, exc.code, str(exc.message))
            continue
        query.where.append(field.type.compile_filter(op, expression, value, field))


def split_key(key: str) -> tuple[str, str]:
    """`amount__gte` → ("amount", "gte"); `amount` → ("amount", "eq"). API names never contain "__"."""
    name, sep, op = key.rpartition("__")
    return (name, op) if sep else (key, "eq")


def filter_ops(field: FieldMeta) -> frozenset[str]:
    if field.type.key in ("formula", "rollup"):
        return field.type.result_field_type(field).filter_ops
    return field.type.filter_ops


def _walk(query: RecordQuery, path: tuple[str, ...]) -> FieldMeta:
    from metadata.formula_scope import MetaScope

    return MetaScope(query.tenant, query.obj).walk(path)[-1]


def _value_type(field: FieldMeta) -> FieldType:
    if field.type.key in ("formula", "rollup"):
        return field.type.result_field_type(field)
    return field.type


def _coerce(field: FieldMeta, op: str, raw: Any) -> Any:
    value_type = _value_type(field)
    if op == "isnull":
        text = str(raw).strip().lower()
        if text not in ("true", "false", "1", "0"):
            raise FieldValueError("invalid", _("Use true or false."))
        return text in ("true", "1")
    if op == "in":
        items = raw if isinstance(raw, list | tuple) else [p for p in str(raw).split(",")]
        values = [_one(field, value_type, item) for item in items if str(item).strip() != ""]
        if not values:
            raise FieldValueError("invalid", _("Give at least one value."))
        return values
    if op == "range":
        if value_type.key in ("date", "datetime") and isinstance(raw, str) and "," not in raw:
            low, high = relative_period(raw.strip())
            if value_type.key == "datetime":
                return _day_bounds(low, high)
            return low, high
        parts = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        if len(parts) != 2:
            raise FieldValueError("invalid", _("Give a range as low,high (either may be empty)."))
        low, high = (_one(field, value_type, p) if str(p).strip() else None for p in parts)
        return low, high
    if op in ("contains", "startswith") and value_type.key not in ("multi_picklist",):
        text = str(raw)
        if not text:
            raise FieldValueError("invalid", _("Give some text."))
        return text
    return _one(field, value_type, raw)


def _one(field: FieldMeta, value_type: FieldType, raw: Any) -> Any:
    value = value_type.coerce(raw, field)
    if value is None:
        raise FieldValueError("invalid", _("Give a value (use __isnull to find blanks)."))
    if value_type.key == "multi_picklist" and isinstance(value, tuple) and len(value) == 1:
        return value[0]
    return value


def _day_bounds(low: dt.date, high: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(low, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(high, dt.time(23, 59, 59), tzinfo=tz)
    return start, end


def relative_period(name: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """A named period around today (the tenant's today) → (first day, last day)."""
    today = today or timezone.localdate()
    name = name.lower()
    if name.startswith(("last_n_days:", "next_n_days:")):
        try:
            days = int(name.split(":", 1)[1])
        except ValueError:
            days = -1
        if not 0 <= days <= 3660:
            raise FieldValueError("invalid_period", _("Give a number of days between 0 and 3660."))
        if name.startswith("last"):
            return today - dt.timedelta(days=days), today
        return today, today + dt.timedelta(days=days)
    month_start = today.replace(day=1)
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    week_start = today - dt.timedelta(days=today.weekday())
    periods = {
        "today": (today, today),
        "yesterday": (today - dt.timedelta(days=1),) * 2,
        "tomorrow": (today + dt.timedelta(days=1),) * 2,
        "this_week": (week_start, week_start + dt.timedelta(days=6)),
        "last_week": (week_start - dt.timedelta(days=7), week_start - dt.timedelta(days=1)),
        "next_week": (week_start + dt.timedelta(days=7), week_start + dt.timedelta(days=13)),
        "this_month": (month_start, _add_months(month_start, 1) - dt.timedelta(days=1)),
        "last_month": (_add_months(month_start, -1), month_start - dt.timedelta(days=1)),
        "next_month": (_add_months(month_start, 1), _add_months(month_start, 2) - dt.timedelta(days=1)),
        "this_quarter": (quarter_start, _add_months(quarter_start, 3) - dt.timedelta(days=1)),
        "last_quarter": (_add_months(quarter_start, -3), quarter_start - dt.timedelta(days=1)),
        "next_quarter": (_add_months(quarter_start, 3), _add_months(quarter_start, 6) - dt.timedelta(days=1)),
        "this_year": (today.replace(month=1, day=1), today.replace(month=12, day=31)),
        "last_year": (today.replace(year=today.year - 1, month=1, day=1),
                      today.replace(year=today.year - 1, month=12, day=31)),
        "next_year": (today.replace(year=today.year + 1, month=1, day=1),
                      today.replace(year=today.year + 1, month=12, day=31)),
    }
    if name not in periods:
        raise FieldValueError("invalid_period", _("Give a range as low,high or a period such as this_month."))
    return periods[name]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)

