"""Filters of the records API: `field__op=value` (and `lookup.field__op=value`) → SQL predicates.

Operators: eq (default), ne, lt, lte, gt, gte, in (comma-separated), contains, startswith,
isnull (true/false), range (`low,high`, either end open, or a relative period for dates:
today, yesterday, this_week, last_week, this_month, last_month, next_month, this_quarter,
last_quarter, this_year, last_year, last_n_days:N, next_n_days:N). Values are parsed by the
field's type (`FieldType.filter_value`), so `amount__gte=abc` is a 400 naming the parameter, never a
SQL error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _
from psycopg2 import sql

from metadata.fieldtypes import FieldValueError
from metadata.formula_scope import MetaScope
from metadata.formulas import FormulaError
from metadata.meta import FieldMeta
from tessera.errors import ErrorCollector

from .query import RecordQuery

PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*){0,4}$")
ALL_OPS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "startswith", "isnull", "range"})


def filter_conditions(query: RecordQuery, params: Iterable[tuple[str, object]],
                      errors: ErrorCollector) -> list[sql.Composable]:
    """A condition over `query`'s records for each (key, value) (AND them; the joins a path through
    lookups needs are made in `query`); errors are keyed by the parameter name."""
    conditions: list[sql.Composable] = []
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
            value = field.type.value_type(field).filter_value(op, raw, field)
        except FieldValueError as exc:
            errors.add(key, exc.code, str(exc.message))
            continue
        conditions.append(field.type.compile_filter(op, expression, value, field))
    return conditions


def split_key(key: str) -> tuple[str, str]:
    """`amount__gte` → ("amount", "gte"); `amount` → ("amount", "eq"). API names never contain "__"."""
    name, sep, op = key.rpartition("__")
    return (name, op) if sep else (key, "eq")


def filter_ops(field: FieldMeta) -> frozenset[str]:
    return field.type.value_type(field).filter_ops


def _walk(query: RecordQuery, path: tuple[str, ...]) -> FieldMeta:
    return MetaScope(query.tenant, query.obj).walk(path)[-1]
