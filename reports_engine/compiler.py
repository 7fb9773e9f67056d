"""The report compiler: a report definition → ONE SQL statement over the primary object's records.

Everything record-shaped goes through the records query compiler (`RecordQuery`): field values,
lookup paths as LEFT JOINs (parent fields at any depth), formulas through metadata.formulas' SQL
back end, and the records API's filters (`filter_conditions`); this module only arranges them into a
report's statement: columns, GROUP BY ROLLUP for summaries (subtotals and the grand total in the same
statement), two ROLLUPs for a matrix (every row × column subtotal), bucket CASEs, date periods with
the fiscal year's start, aggregates with their own FILTER, child objects as correlated sub-queries
(aggregated columns) or EXISTS (cross filters), and the viewer's row predicate over the primary
records, every child and every record a lookup path crosses.

What the viewer may read comes in as a `Viewer` (built by the service from the permission service),
so this module decides nothing about rights: a column over a field the viewer may not read is
dropped, one over a deleted field is kept as a missing column (values NULL), a formula reading
either is blank.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from psycopg2 import sql

from metadata.formula_scope import MetaScope, formula_type_of
from metadata.formulas import FormulaError, FormulaType, compile_formula, compile_sql
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import ErrorCollector, ValidationFailed
from tessera.records.filters import filter_conditions, split_key
from tessera.records.models import RecordChange
from tessera.records.query import RecordQuery
from tessera.security.models import Department, User

from .periods import expand_period

MAX_GROUP_ROWS = 10_000
DEFAULT_LIMIT = 500
COUNT_LIKE = ("count", "count_distinct", "sum", "weighted_sum")


@dataclass(frozen=True)
class Viewer:
    """What the compiler needs to know about who runs the report (from the permission service)."""

    user_id: int | None
    owner_ids: tuple[int, ...]
    #: (object, field) → may the viewer read this field (field-level security).
    readable: Callable[[ObjectMeta, FieldMeta], bool]
    #: (object, alias) → the viewer's row predicate over that record alias, or None for every row.
    row_predicate: Callable[[ObjectMeta, str], sql.Composable | None]
    superuser: bool = False


@dataclass
class Expression:
    """One value of the report: a column, a group or the argument of an aggregate."""

    key: str
    sql: sql.Composable | None  # None: missing (deleted field, or one the viewer may not read)
    type_key: str  # field type key of its values (for display), or a formula type's name
    field: FieldMeta | None = None
    #: The path in the primary object (`account.industry`), when it is a plain field path.
    path: tuple[str, ...] | None = None
    label: str = ""
    problem: str = ""
    hidden: bool = False
    #: "field", "formula" (a calculated column) or "child" (an aggregated child object's column).
    kind: str = "field"


@dataclass
class Axis:
    """A grouping: its SQL, how its values read, and how a value turns into list filters."""

    key: str
    source: Expression
    sql: sql.Composable
    granularity: str | None = None
    bucket: dict | None = None
    #: The group value → the name shown for it (a lookup's record name, a user's name).
    label_sql: Callable[[sql.Composable], sql.Composable] | None = None


@dataclass
class Aggregate:
    key: str
    function: str
    sql: sql.Composable
    label: str
    type_key: str
    filters: list = field(default_factory=list)


@dataclass
class Compiled:
    """A report ready to run: its statement, parameters and what reading its rows needs."""

    statement: sql.Composable
    params: dict | None
    shape: str
    columns: list[Expression]
    axes: list[Axis]  # row groups (summary), then column groups (matrix)
    row_axes: int
    aggregates: list[Aggregate]
    limit: int
    #: The report's own conditions as list filters (AND only), or None when a list cannot say them.
    list_filters: list[tuple[str, str]] | None


class ReportCompiler:
    def __init__(self, tenant: TenantMeta, obj: ObjectMeta, spec: dict, viewer: Viewer, *,
                 language: str | None = None, fiscal_start: int = 1, time_zone: str = "UTC") -> None:
        self.tenant = tenant
        self.obj = obj
        self.spec = spec
        self.viewer = viewer
        self.language = language
        self.fiscal_start = fiscal_start
        self.time_zone = time_zone
        self.query = RecordQuery(tenant, obj)
        self.query.visibility = None if viewer.superuser else viewer.row_predicate
        self.errors = ErrorCollector()
        self._columns: dict[str, Expression] = {}
        self._child_aliases = 0

    # --- expressions ---------------------------------------------------------------------------
    def path_expression(self, path_text: str, key: str | None = None) -> Expression:
        """A field reached from the primary object (`account.parent.name`), guarded so a value read
        through a record the viewer may not see is NULL."""
        path = tuple(path_text.split("."))
        key = key or path_text.replace(".", "__")
        chain = self._chain(path)
        if chain is None:
            return Expression(key, None, "text", path=path, label=path_text,
                              problem=_("The field “%(name)s” no longer exists.") % {"name": path_text})
        if not self._chain_readable(chain):
            return Expression(key, None, "text", path=path, label=path_text, hidden=True)
        crossed: list[tuple[str, ObjectMeta]] = []
        expression = (self.query.field_sql(chain[-1]) if len(path) == 1
                      else self.query.path_sql(path, crossed=crossed))
        final = chain[-1]
        return Expression(key, self._guarded(expression, crossed), final.type.key, field=final, path=path,
                          label=" › ".join(f.label(self.language) for f in chain))

    def _chain(self, path: tuple[str, ...]) -> list[FieldMeta] | None:
        try:
            return MetaScope(self.tenant, self.obj).walk(path)
        except FormulaError:
            return None

    def _chain_readable(self, chain: list[FieldMeta]) -> bool:
        current = self.obj
        for step in chain:
            if not self.viewer.readable(current, step):
                return False
            target = step.type.target(step)
            current = self.tenant.objects.get(target) if target else current  # type: ignore[assignment]
            if current is None:
                return False
        return True

    def _guarded(self, expression: sql.Composable, crossed: list[tuple[str, ObjectMeta]]) -> sql.Composable:
        if self.viewer.superuser or not crossed:
            return expression
        guards = []
        for alias, target in dict.fromkeys(crossed):
            predicate = self.viewer.row_predicate(target, alias)
            if predicate is not None:
                guards.append(sql.SQL("({a}.id IS NULL OR {p})").format(a=sql.Identifier(alias), p=predicate))
        if not guards:
            return expression
        return sql.SQL("CASE WHEN {} THEN {} END").format(sql.SQL(" AND ").join(guards), expression)

    def formula_expression(self, key: str, source: str, result_type: str | None, label: str) -> Expression:
        """A calculated column in the formula language, compiled by its SQL back end over the
        primary record; a formula reading a field the viewer may not read (or a deleted one) is
        blank for that viewer."""
        hidden: list[bool] = []

        def visible(f: FieldMeta) -> bool:
            obj = self.tenant.objects_by_id.get(f.object_id)
            ok = obj is not None and self.viewer.readable(obj, f)
            if not ok:
                hidden.append(True)
            return ok

        try:
            checked = compile_formula(source, MetaScope(self.tenant, self.obj, visible=visible),
                                      result_type=FormulaType(result_type) if result_type else None)
        except FormulaError as exc:
            if hidden:  # blank for this viewer, but still there: the definition is the report's
                return Expression(key, None, result_type or "number", label=label, kind="formula",
                                  problem=_("This column reads a field you may not see."))
            self.errors.add(f"columns.{key}", "invalid_formula", str(exc))
            return Expression(key, None, result_type or "number", label=label)
        compiler = self

        class Refs:
            def sql_for(self, path: Sequence[str]) -> sql.Composable:
                crossed: list[tuple[str, ObjectMeta]] = []
                value = compiler.query.path_sql(tuple(path), crossed=crossed)
                return compiler._guarded(value, crossed)

        self.query.uses_now = self.query.uses_now or checked.uses_now
        expression = sql.SQL("({})").format(compile_sql(checked, Refs(), now_param=True))
        return Expression(key, expression, checked.result_type.value, label=label, kind="formula")

    def child_expression(self, key: str, child: dict, label: str) -> Expression:
        """An aggregated column over child records: (SELECT fn(..) FROM child c WHERE c.via = r.id …)."""
        found = self._child(child, f"columns.{key}")
        if found is None:
            return Expression(key, None, "number", label=label)
        inner, conditions = found
        function = child["function"]
        if function == "count":
            value: sql.Composable = sql.SQL("count(*)")
            type_key = "number"
        else:
            target = inner.obj.field(child.get("field", ""))
            if target is None or not self.viewer.readable(inner.obj, target):
                return Expression(key, None, "number", label=label,
                                  problem=_("The field “%(name)s” no longer exists.") % {"name": child.get("field")})
            value = sql.SQL("{}({})").format(sql.SQL(function), inner.field_sql(target))
            type_key = target.type.key
        if function in ("count", "sum"):
            value = sql.SQL("coalesce({}, 0)").format(value)
        statement = sql.SQL("(SELECT {v} FROM {t} {a} {j} WHERE {c})").format(
            v=value, t=sql.Identifier(inner.obj.table), a=sql.Identifier(inner.alias), j=inner.joins,
            c=sql.SQL(" AND ").join(conditions))
        return Expression(key, statement, type_key, label=label, kind="child")

    def _child(self, child: dict, where: str) -> tuple[RecordQuery, list[sql.Composable]] | None:
        """The child object's query and its conditions: linked to the primary record, live, the
        child's own filters and the viewer's row predicate over the child."""
        obj = self.tenant.objects.get(child["object"])
        via = obj.field(child["via"]) if obj is not None else None
        if obj is None or via is None or via.type.target(via) != self.obj.api_name:
            self.errors.add(where, "invalid_child", _("“%(object)s” has no lookup “%(via)s” to this object.")
                            % {"object": child["object"], "via": child["via"]})
            return None
        if not self.viewer.readable(obj, via):
            self.errors.add(where, "invalid_child", _("“%(object)s” has no lookup “%(via)s” to this object.")
                            % {"object": child["object"], "via": child["via"]})
            return None
        self._child_aliases += 1
        inner = RecordQuery(self.tenant, obj, alias=f"c{self._child_aliases}")
        inner.visibility = self.query.visibility
        conditions = [sql.SQL("{} = {}").format(inner.field_sql(via), self.query.column("id")),
                      sql.SQL("{} IS NULL").format(inner.column("deleted_at"))]
        conditions += self._conditions(inner, child.get("filters", ()), f"{where}.filters")
        predicate = self.viewer.row_predicate(obj, inner.alias)
        if predicate is not None:
            conditions.append(predicate)
        self.query.uses_now = self.query.uses_now or inner.uses_now
        return inner, conditions

    # --- conditions ----------------------------------------------------------------------------
    def _conditions(self, query: RecordQuery, filters: Iterable[dict], where: str) -> list[sql.Composable]:
        """Each filter's condition, in order (a condition per filter, for the filter logic)."""
        conditions = []
        for i, item in enumerate(filters):
            key, value = self.filter_param(item)
            chain = MetaScope(self.tenant, query.obj).walk(tuple(item["field"].split("."))) \
                if self._walks(query.obj, item["field"]) else None
            if chain is None or not self._chain_readable_from(query.obj, chain):
                self.errors.add(f"{where}.{i}", "unknown_field", _("No field “%(name)s”.") % {"name": item["field"]})
                conditions.append(sql.SQL("FALSE"))
                continue
            found = ErrorCollector()
            compiled = filter_conditions(query, [(key, value)], found)
            for error_field, details in found.field_errors.items():
                for detail in details:
                    self.errors.add(f"{where}.{i}" if error_field == key else error_field, detail.code, detail.message)
            guard = [p for alias, target in query.joined(tuple(item["field"].split(".")))
                     if (p := self.viewer.row_predicate(target, alias)) is not None]
            parts = compiled + guard
            conditions.append(sql.SQL("({})").format(sql.SQL(" AND ").join(parts)) if parts else sql.SQL("TRUE"))
        return conditions

    def _walks(self, obj: ObjectMeta, path: str) -> bool:
        try:
            MetaScope(self.tenant, obj).walk(tuple(path.split(".")))
        except FormulaError:
            return False
        return True

    def _chain_readable_from(self, obj: ObjectMeta, chain: list[FieldMeta]) -> bool:
        saved, self.obj = self.obj, obj
        try:
            return self._chain_readable(chain)
        finally:
            self.obj = saved

    def filter_param(self, item: dict) -> tuple[str, Any]:
        """A report filter → the records API's (key, value): `me` / `my_team` resolved for the
        viewer, report periods (last_n_months:12, this_fiscal_quarter…) to a date range."""
        op = item.get("op", "eq")
        value = item.get("value")
        key = item["field"] if op == "eq" else f"{item['field']}__{op}"
        if value == "me":
            return key, self.viewer.user_id if self.viewer.user_id is not None else 0
        if value == "my_team":
            return f"{item['field']}__in", list(self.viewer.owner_ids) or [0]
        if op == "range" and isinstance(value, str):
            value = expand_period(value, self.fiscal_start)
        if isinstance(value, list) and op == "range":
            value = [("" if v is None else v) for v in value]
        return key, value

    def where(self, extra: Sequence[tuple[str, Any]] = ()) -> list[sql.Composable]:
        """The report's conditions: its filters combined by the filter logic, cross filters, scope,
        extra filters (drill-down, dashboard filters) and the viewer's row predicate."""
        spec = self.spec
        conditions: list[sql.Composable] = []
        numbered = self._conditions(self.query, spec.get("filters", ()), "filters")
        if numbered:
            conditions.append(combine(numbered, spec.get("filter_logic", ""), self.errors))
        for i, cross in enumerate(spec.get("cross_filters", ())):
            found = self._child(cross, f"cross_filters.{i}")
            if found is None:
                continue
            inner, inner_conditions = found
            exists = sql.SQL("EXISTS (SELECT 1 FROM {t} {a} {j} WHERE {c})").format(
                t=sql.Identifier(inner.obj.table), a=sql.Identifier(inner.alias), j=inner.joins,
                c=sql.SQL(" AND ").join(inner_conditions))
            conditions.append(exists if cross.get("with", True) else sql.SQL("NOT {}").format(exists))
        scope = spec.get("scope", "all")
        if scope == "mine":
            conditions.append(sql.SQL("{} = {}").format(self.query.column("owner_id"),
                                                        sql.Literal(self.viewer.user_id or 0)))
        elif scope == "my_team":
            conditions.append(sql.SQL("{} = ANY({})").format(self.query.column("owner_id"),
                                                             sql.Literal(list(self.viewer.owner_ids) or [0])))
        if extra:
            conditions += self._conditions(self.query, [_as_filter(k, v) for k, v in extra], "extra_filters")
        predicate = self.viewer.row_predicate(self.obj, self.query.alias)
        if predicate is not None:
            conditions.append(predicate)
        return conditions

    def list_filters(self, extra: Sequence[tuple[str, Any]] = ()) -> list[tuple[str, str]] | None:
        """The report's own conditions (and the extra filters it runs with) as the list page's
        filters, when AND alone says them."""
        spec = self.spec
        if spec.get("cross_filters") or not _only_and(spec.get("filter_logic", ""), len(spec.get("filters", ()))):
            return None
        found: list[tuple[str, str]] = []
        for item in spec.get("filters", ()):
            op = item.get("op", "eq")
            key = item["field"] if op == "eq" else f"{item['field']}__{op}"
            value = item.get("value")
            if op == "range" and isinstance(value, str) and "," not in value:
                value = expand_period(value, self.fiscal_start)
            found.append((key, _text(value)))
        scope = spec.get("scope", "all")
        if scope == "mine":
            found.append(("owner", "me"))
        elif scope == "my_team":
            found.append(("owner__in", "my_team"))
        return found + [(key, _text(value)) for key, value in extra]

    # --- groups --------------------------------------------------------------------------------
    def axis(self, group: dict, index: int, prefix: str) -> Axis | None:
        name = group["field"]
        bucket = next((b for b in self.spec.get("buckets", ()) if b["key"] == name), None)
        key = f"{prefix}{index}"
        if bucket is not None:
            source = self.path_expression(bucket["field"], key)
            if source.sql is None:
                return None
            return Axis(key, source, self._bucket_sql(bucket, source), bucket=bucket)
        department = self._department(name, key)
        if department is not None:
            return department
        source = self._columns.get(name) or self.path_expression(name, key)
        if source.sql is None:
            return None
        granularity = group.get("granularity")
        ftype = formula_type_of(source.field) if source.field is not None else None
        if granularity and ftype in (FormulaType.DATE, FormulaType.DATETIME):
            day = source.sql
            if ftype is FormulaType.DATETIME:
                day = sql.SQL("({} AT TIME ZONE {})::date").format(source.sql, sql.Literal(self.time_zone))
            return Axis(key, source, period_sql(day, granularity, self.fiscal_start), granularity=granularity)
        return Axis(key, source, source.sql, label_sql=self._label_sql(source))

    def _department(self, name: str, key: str) -> Axis | None:
        """`owner.department` (any user field's): the department of the user it names."""
        head, _dot, tail = name.rpartition(".")
        if tail != "department" or not head:
            return None
        user = self.path_expression(head, key)
        f = user.field
        if user.sql is None or f is None or not f.type.is_reference or f.type.target(f) is not None:
            return None
        users, departments = sql.Identifier(User._meta.db_table), sql.Identifier(Department._meta.db_table)
        expression = sql.SQL("(SELECT u.department_id FROM {t} u WHERE u.id = {v})").format(t=users, v=user.sql)
        source = Expression(key, expression, "number", label=f"{user.label} › {_('Department')}")
        return Axis(key, source, expression, label_sql=lambda value: sql.SQL(
            "(SELECT d.name FROM {t} d WHERE d.id = {v})").format(t=departments, v=value))

    def _label_sql(self, source: Expression) -> Callable[[sql.Composable], sql.Composable] | None:
        """The name shown for a reference's group (the record's name, the user's full name)."""
        f = source.field
        if f is None or source.sql is None or not f.type.is_reference:
            return None
        target = f.type.target(f)
        if target is None:  # a user
            users = sql.Identifier(User._meta.db_table)
            return lambda value: sql.SQL("(SELECT u.full_name FROM {} u WHERE u.id = {})").format(users, value)
        obj = self.tenant.objects.get(target)
        name_field = obj.field(obj.name_field) if obj is not None else None
        if obj is None or name_field is None or not self.viewer.readable(obj, name_field):
            return None
        visible = self.viewer.row_predicate(obj, "x")
        table = sql.Identifier(obj.table)
        return lambda value: sql.SQL("(SELECT x.name FROM {t} x WHERE x.id = {ref}{v})").format(
            t=table, ref=value, v=sql.SQL(" AND {}").format(visible) if visible is not None else sql.SQL(""))

    def _bucket_sql(self, bucket: dict, source: Expression) -> sql.Composable:
        """CASE over the field: each range (values below its bound) or list → its index; the rest
        (not blank) → the index after the last; blank → NULL."""
        f = source.field
        whens = []
        if bucket.get("ranges"):
            for i, item in enumerate(bucket["ranges"]):
                if item.get("below") is None:
                    whens.append(sql.SQL("WHEN {} IS NOT NULL THEN {}").format(source.sql, sql.Literal(i)))
                    break
                bound = f.type.value_type(f).filter_one(item["below"], f) if f is not None else item["below"]
                literal = f.type.value_type(f).sql_literal(bound) if f is not None else sql.Literal(bound)
                whens.append(sql.SQL("WHEN {} < {} THEN {}").format(source.sql, literal, sql.Literal(i)))
        else:
            for i, item in enumerate(bucket.get("lists", ())):
                values = [str(v) for v in item["values"]]
                whens.append(sql.SQL("WHEN ({})::text = ANY({}) THEN {}").format(source.sql, sql.Literal(values),
                                                                                 sql.Literal(i)))
        other = len(bucket.get("ranges") or bucket.get("lists") or ())
        return sql.SQL("(CASE {} WHEN {} IS NOT NULL THEN {} END)").format(
            sql.SQL(" ").join(whens), source.sql, sql.Literal(other))

    # --- aggregates ----------------------------------------------------------------------------
    def aggregate(self, item: dict, index: int) -> Aggregate | None:
        function = item["function"]
        key = item["key"]
        label = _label(item, self.language) or key
        of = item.get("of")
        value: Expression | None = None
        if function != "count":
            if not of:
                self.errors.add(f"aggregates.{index}.of", "required", _("Say which value to aggregate."))
                return None
            value = self._columns.get(of) or self.path_expression(of, f"v_{key}")
            if value.sql is None:
                return None
        conditions = self._conditions(self.query, item.get("filters", ()), f"aggregates.{index}.filters")
        argument = value.sql if value is not None else None
        if function == "weighted_sum":
            argument = self._weighted(item, index, argument)
            if argument is None:
                return None
        expression = _aggregate_sql(function, argument, conditions)
        type_key = "number" if function in ("count", "count_distinct") or value is None else value.type_key
        return Aggregate(key, function, expression, label, type_key)

    def _weighted(self, item: dict, index: int, amount: sql.Composable | None) -> sql.Composable | None:
        """amount × the probability (%) its picklist value carries (an opportunity stage's)."""
        weight = self.path_expression(item.get("weight", ""), f"w_{item['key']}") if item.get("weight") else None
        if weight is None or weight.sql is None or weight.field is None:
            self.errors.add(f"aggregates.{index}.weight", "invalid_weight", _("Name a picklist with probabilities."))
            return None
        choices = weight.field.type.widget_descriptor(weight.field, None).get("choices") or []
        whens = [sql.SQL("WHEN {} THEN {}").format(sql.Literal(c["value"]), sql.Literal(c["probability"]))
                 for c in choices if "probability" in c]
        if not whens:
            self.errors.add(f"aggregates.{index}.weight", "invalid_weight", _("Name a picklist with probabilities."))
            return None
        return sql.SQL("({a} * (CASE {w} {whens} ELSE 0 END) / 100.0)").format(
            a=amount, w=weight.sql, whens=sql.SQL(" ").join(whens))

    # --- the statement -------------------------------------------------------------------------
    def compile(self, extra: Sequence[tuple[str, Any]] = (), *, limit: int | None = None,
                for_ids: Sequence[tuple[str, Any]] | None = None, after_id: int | None = None) -> Compiled:
        """The report's statement; `after_id`: over the records created after that one only (the
        builder's preview samples the viewer's latest records, see `sample_start`)."""
        spec = self.spec
        shape = spec["shape"]
        columns = [self._column(c, i) for i, c in enumerate(spec.get("columns", ()))]
        self._columns = {c.key: c for c in columns if c.sql is not None}
        row_axes = [a for i, g in enumerate(spec.get("groups", ())) if (a := self.axis(g, i, "g")) is not None]
        col_axes = [a for i, g in enumerate(spec.get("column_groups", ())) if (a := self.axis(g, i, "c")) is not None] \
            if shape == "matrix" else []
        aggregates = [a for i, item in enumerate(spec.get("aggregates", ())) if (a := self.aggregate(item, i))]
        where = self.where(extra)
        if after_id is not None:
            where.append(sql.SQL("{} > {}").format(self.query.column("id"), sql.Literal(int(after_id))))
        if shape != "tabular" and not row_axes and not col_axes and spec.get("groups"):
            self.errors.add("groups", "no_groups", _("None of the groups can be shown."))
        self.errors.raise_if_any()
        limit = int(limit or spec.get("limit") or DEFAULT_LIMIT)
        if shape == "stage_progress":
            statement = self._stage_progress(row_axes, where)
        elif shape == "tabular":
            statement = self._tabular(columns, aggregates, where, limit)
        else:
            statement = self._grouped(row_axes, col_axes, aggregates, where)
        return Compiled(statement=statement, params=self.query.params(), shape=shape,
                        columns=[c for c in columns if not c.hidden], axes=[*row_axes, *col_axes],
                        row_axes=len(row_axes), aggregates=aggregates, limit=limit,
                        list_filters=self.list_filters(extra))

    def _column(self, item: dict, index: int) -> Expression:
        label = _label(item, self.language)
        if item.get("formula") is not None:
            found = self.formula_expression(item["key"], item["formula"], item.get("type"), label or item["key"])
        elif "child" in item:
            found = self.child_expression(item["key"], item["child"], label or item["key"])
        else:
            found = self.path_expression(item["field"], item.get("key"))
            if label:
                found.label = label
        return found

    def _from(self) -> sql.Composable:
        return sql.SQL("FROM {t} {a} {j}").format(t=sql.Identifier(self.obj.table),
                                                   a=sql.Identifier(self.query.alias), j=self.query.joins)

    def _where_sql(self, where: list[sql.Composable]) -> sql.Composable:
        return sql.SQL(" AND ").join([sql.SQL("{} IS NULL").format(self.query.column("deleted_at")), *where])

    def _tabular(self, columns: list[Expression], aggregates: list[Aggregate], where: list[sql.Composable],
                 limit: int) -> sql.Composable:
        """Rows (their id and every column) in the report's order, each carrying the count and the
        aggregates over every matching row as window values (one statement, one pass)."""
        select: list[sql.Composable] = [self.query.column("id")]
        for c in columns:
            if not c.hidden:
                select.append(c.sql if c.sql is not None else sql.SQL("NULL"))
        select.append(sql.SQL("count(*) OVER ()"))
        select += [sql.SQL("{} OVER ()").format(a.sql) for a in aggregates]
        order = self._order(columns)
        return sql.SQL("SELECT {s} {f} WHERE {w} ORDER BY {o} LIMIT {n}").format(
            s=sql.SQL(", ").join(select), f=self._from(), w=self._where_sql(where), o=order, n=sql.Literal(limit))

    def _order(self, columns: list[Expression]) -> sql.Composable:
        by_key = {c.key: c for c in columns if c.sql is not None}
        terms = []
        for term in self.spec.get("sort", ()):
            name = term.lstrip("-")
            expression = by_key.get(name) or by_key.get(name.replace(".", "__"))
            if expression is None:
                found = self.path_expression(name)
                if found.hidden or found.problem:  # a field the viewer may not read, or deleted: not sorted by
                    continue
                expression = found if found.sql is not None else None
            if expression is None:
                self.errors.add("sort", "invalid_sort", _("Cannot sort by: %(names)s.") % {"names": name})
                continue
            direction = "DESC NULLS LAST" if term.startswith("-") else "ASC NULLS LAST"  # blanks last, both ways
            terms.append(sql.SQL("{} {}").format(expression.sql, sql.SQL(direction)))
        self.errors.raise_if_any()
        terms.append(self.query.column("id"))
        return sql.SQL(", ").join(terms)

    def _grouped(self, row_axes: list[Axis], col_axes: list[Axis], aggregates: list[Aggregate],
                 where: list[sql.Composable]) -> sql.Composable:
        """GROUP BY ROLLUP(row groups)[, ROLLUP(column groups)]: every subtotal and the grand total
        in one pass; GROUPING(...) says which groups a row is a total over. The names of
        referenced records and users are read by the outer SELECT, once per group."""
        axes = [*row_axes, *col_axes]
        inner: list[sql.Composable] = [sql.SQL("{} AS {}").format(a.sql, sql.Identifier(a.key)) for a in axes]
        inner.append(sql.SQL("GROUPING({})").format(sql.SQL(", ").join(a.sql for a in axes)) if axes
                     else sql.SQL("0"))
        inner.append(sql.SQL("count(*)"))
        inner += [a.sql for a in aggregates]
        group_by = sql.SQL("")
        if axes:
            rollups = [sql.SQL("ROLLUP ({})").format(sql.SQL(", ").join(a.sql for a in part))
                       for part in (row_axes, col_axes) if part]
            group_by = sql.SQL(" GROUP BY {}").format(sql.SQL(", ").join(rollups))
        grouped = sql.SQL("SELECT {s} {f} WHERE {w}{g} LIMIT {n}").format(
            s=sql.SQL(", ").join(inner), f=self._from(), w=self._where_sql(where), g=group_by,
            n=sql.Literal(MAX_GROUP_ROWS + 1))
        if not any(a.label_sql is not None for a in axes):
            return grouped
        labels = [a.label_sql(sql.SQL("s.{}").format(sql.Identifier(a.key))) if a.label_sql is not None
                  else sql.SQL("NULL") for a in axes]
        return sql.SQL("SELECT s.*, {l} FROM ({g}) s").format(l=sql.SQL(", ").join(labels), g=grouped)

    def _stage_progress(self, axes: list[Axis], where: list[sql.Composable]) -> sql.Composable:
        """From the field history of the report's records: for each value the stage field took, how
        many records entered it, their average days in it (until the next change, or now) and how
        many are in it still."""
        stage = axes[0].source.field if axes else None
        if stage is None or not stage.history_tracked or len(axes) != 1:
            raise ValidationFailed.single("groups", "invalid_stage_field",
                                          _("Group by one field whose history is kept (an opportunity's stage)."))
        key = sql.Literal(stage.key)
        return sql.SQL(
            "WITH v AS (SELECT {id} {f} WHERE {w}), "
            "e AS (SELECT h.record_id, (h.changes -> {k} ->> 1) AS stage, h.at, "
            "lead(h.at) OVER (PARTITION BY h.record_id ORDER BY h.id) AS left_at "
            "FROM {h} h JOIN v ON v.id = h.record_id WHERE h.object_id = {o} AND h.changes ? {k}) "
            "SELECT stage, count(DISTINCT record_id), "
            "avg(extract(epoch FROM (coalesce(left_at, now()) - at))) / 86400.0, "
            "count(DISTINCT record_id) FILTER (WHERE left_at IS NULL) "
            "FROM e WHERE stage IS NOT NULL GROUP BY stage").format(
            id=self.query.column("id"), f=self._from(), w=self._where_sql(where), k=key,
            h=sql.Identifier(RecordChange._meta.db_table), o=sql.Literal(self.obj.id))

    def sample_start(self, size: int) -> sql.Composable:
        """The id after which the `size` latest records the viewer may read begin (no row: they
        have no more than that). An index walk (down the primary key, or the owner index and a
        top-N sort for a viewer who reads only their team's), so a preview over a sample costs
        about the same at 100,000 records as at 10 million."""
        where = [sql.SQL("{} IS NULL").format(self.query.column("deleted_at"))]
        predicate = self.viewer.row_predicate(self.obj, self.query.alias)
        if predicate is not None:
            where.append(predicate)
        return sql.SQL("SELECT {i} FROM {t} {a} WHERE {w} ORDER BY {i} DESC OFFSET {n} LIMIT 1").format(
            i=self.query.column("id"), t=sql.Identifier(self.obj.table), a=sql.Identifier(self.query.alias),
            w=sql.SQL(" AND ").join(where), n=sql.Literal(int(size)))

    def ids_statement(self, extra: Sequence[tuple[str, Any]], cell: dict[str, Any], *, after: int | None,
                      limit: int) -> sql.Composable:
        """The ids of the records behind a cell (a group's values; None = blank), in id order, a
        page at a time: exactly the rows the report's aggregates counted there."""
        spec = self.spec
        self._columns = {c.key: c for c in (self._column(c, i) for i, c in enumerate(spec.get("columns", ())))
                         if c.sql is not None}
        axes = {a.key: a for i, g in enumerate(spec.get("groups", ())) if (a := self.axis(g, i, "g"))}
        axes.update({a.key: a for i, g in enumerate(spec.get("column_groups", ())) if (a := self.axis(g, i, "c"))})
        where = self.where(extra)
        for key, value in cell.items():
            axis = axes.get(key)
            if axis is None:
                self.errors.add(f"cell.{key}", "unknown_group", _("No such group."))
                continue
            where.append(cell_condition(axis.sql, value))
        if after is not None:
            where.append(sql.SQL("{} > {}").format(self.query.column("id"), sql.Literal(int(after))))
        self.errors.raise_if_any()
        return sql.SQL("SELECT {i} {f} WHERE {w} ORDER BY {i} LIMIT {n}").format(
            i=self.query.column("id"), f=self._from(), w=self._where_sql(where), n=sql.Literal(int(limit)))


# --- helpers ---------------------------------------------------------------------------------------


def cell_condition(expression: sql.Composable, value: Any) -> sql.Composable:
    """The group's expression equals a value as the result carries it (None: blank)."""
    if value is None:
        return sql.SQL("{} IS NULL").format(expression)
    if isinstance(value, bool):
        return sql.SQL("{} = {}").format(expression, sql.Literal(value))
    if isinstance(value, int):  # an integer literal keeps an index on a bigint column (owner, lookups) usable
        return sql.SQL("{} = {}").format(expression, sql.Literal(value))
    if isinstance(value, float):
        return sql.SQL("{} = {}::numeric").format(expression, sql.Literal(str(value)))
    return sql.SQL("({})::text = {}").format(expression, sql.Literal(str(value)))


def _aggregate_sql(function: str, argument: sql.Composable | None, conditions: list[sql.Composable]) -> sql.Composable:
    if function == "count":
        expression: sql.Composable = sql.SQL("count(*)")
    elif function == "count_distinct":
        expression = sql.SQL("count(DISTINCT {})").format(argument)
    elif function == "weighted_sum":
        expression = sql.SQL("sum({})").format(argument)
    else:
        expression = sql.SQL("{}({})").format(sql.SQL(function), argument)
    if conditions:
        expression = sql.SQL("{} FILTER (WHERE {})").format(expression, sql.SQL(" AND ").join(conditions))
    return expression


def period_sql(day: sql.Composable, granularity: str, fiscal_start: int) -> sql.Composable:
    """The first day of the period holding `day`; quarters and years start with the fiscal year."""
    if granularity == "day":
        return sql.SQL("({})::date").format(day)
    if granularity in ("week", "month"):
        return sql.SQL("date_trunc({}, {})::date").format(sql.Literal(granularity), day)
    shift = sql.Literal(f"{fiscal_start - 1} months")
    return sql.SQL("(date_trunc({g}, {d} - {s}::interval) + {s}::interval)::date").format(
        g=sql.Literal(granularity), d=day, s=shift)


def period_end(start: dt.date, granularity: str) -> dt.date:
    """The first day after the period starting on `start`."""
    if granularity == "day":
        return start + dt.timedelta(days=1)
    if granularity == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_label(start: dt.date, granularity: str, fiscal_start: int) -> str:
    if granularity in ("day", "week"):
        return start.isoformat()
    if granularity == "month":
        return start.strftime("%Y-%m")
    # A fiscal year is named for the calendar year it starts in.
    offset = (start.month - fiscal_start) % 12
    year = start.year if start.month >= fiscal_start else start.year - 1
    prefix = "FY" if fiscal_start != 1 else ""
    if granularity == "year":
        return f"{prefix}{year}"
    return f"{prefix}{year} Q{offset // 3 + 1}"


TOKEN = re.compile(r"\s*(\d+|AND|OR|NOT|\(|\))", re.IGNORECASE)


def combine(conditions: list[sql.Composable], logic: str, errors: ErrorCollector) -> sql.Composable:
    """The numbered conditions combined by `logic` ("1 AND (2 OR NOT 3)"); empty: all of them."""
    if not logic.strip():
        return sql.SQL(" AND ").join(conditions)
    tokens = []
    rest = logic
    while rest.strip():
        match = TOKEN.match(rest)
        if match is None:
            errors.add("filter_logic", "invalid_logic", _("Use filter numbers, AND, OR, NOT and brackets."))
            return sql.SQL("FALSE")
        tokens.append(match.group(1).upper())
        rest = rest[match.end():]
    parser = _LogicParser(tokens, conditions)
    try:
        result = parser.expression()
        if parser.position != len(tokens):
            raise ValueError
    except (ValueError, IndexError):
        errors.add("filter_logic", "invalid_logic", _("Use filter numbers, AND, OR, NOT and brackets."))
        return sql.SQL("FALSE")
    unused = set(range(1, len(conditions) + 1)) - parser.used
    if unused:
        errors.add("filter_logic", "invalid_logic", _("The logic leaves out filter %(n)s.")
                   % {"n": ", ".join(str(n) for n in sorted(unused))})
    return result


class _LogicParser:
    def __init__(self, tokens: list[str], conditions: list[sql.Composable]) -> None:
        self.tokens = tokens
        self.conditions = conditions
        self.position = 0
        self.used: set[int] = set()

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def expression(self) -> sql.Composable:
        parts = [self.term()]
        while self._peek() == "OR":
            self.position += 1
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else sql.SQL("({})").format(sql.SQL(" OR ").join(parts))

    def term(self) -> sql.Composable:
        parts = [self.factor()]
        while self._peek() == "AND":
            self.position += 1
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else sql.SQL("({})").format(sql.SQL(" AND ").join(parts))

    def factor(self) -> sql.Composable:
        token = self.tokens[self.position]
        self.position += 1
        if token == "NOT":
            return sql.SQL("(NOT {})").format(self.factor())
        if token == "(":
            inner = self.expression()
            if self._peek() != ")":
                raise ValueError("unclosed bracket")
            self.position += 1
            return inner
        if token.isdigit() and 1 <= int(token) <= len(self.conditions):
            self.used.add(int(token))
            return self.conditions[int(token) - 1]
        raise ValueError(token)


def _only_and(logic: str, count: int) -> bool:
    words = [t.upper() for t in TOKEN.findall(logic)]
    return not logic.strip() or (not {"OR", "NOT"} & set(words) and len(words) >= 1)


def _as_filter(key: str, value: Any) -> dict:
    name, op = split_key(key)
    return {"field": name, "op": op, "value": value}


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join("" if v is None else str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _label(item: dict, language: str | None) -> str:
    labels = item.get("labels") or {}
    if not labels:
        return ""
    return labels.get(language or "", "") or next(iter(labels.values()), "")

