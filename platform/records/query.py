"""The query compiler: the only code that turns metadata into SQL over records.

`RecordQuery` builds one SELECT over an object's partition: the typed expression of every field
(system column, projection slot, JSON, or compiled formula / roll-up), joins through lookups for
paths such as `account.industry`, sorts and keyset pages. The conditions are given to each statement
as parts (`where=`): the filters' (tessera.records.filters), the permission service's row predicates
and the cursor's; the query itself keeps only what compiling them needs (joins, NOW() parameters).
Identifiers come only from metadata (validated api_names, partition names, slot columns) and go
through psycopg2.sql; values are literals or parameters, never formatted into the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2 import sql

from metadata.fieldtypes.text import escape_like
from metadata.formula_scope import MetaScope, checked_formula
from metadata.formulas import compile_sql, sql_params
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import ValidationFailed

from .search_keys import INITIALS_COLUMN, PINYIN_COLUMN, query_key

SYSTEM_SELECT = ("id", "version", "category", "deleted_at", "name", "owner_id", "created_by", "created_at",
                 "updated_by", "updated_at")
#: Ids are bigint: -2**63 <= id < 2**63.
BIGINT_LIMIT = 2**63


@dataclass(frozen=True)
class SortTerm:
    field: FieldMeta | None  # None: the record id
    descending: bool
    expression: sql.Composable


class RecordQuery:
    def __init__(self, tenant: TenantMeta, obj: ObjectMeta, *, alias: str = "r") -> None:
        self.tenant = tenant
        self.obj = obj
        self.alias = alias
        self._joins: dict[tuple[str, ...], tuple[str, ObjectMeta]] = {}
        self._join_sql: list[sql.Composable] = []
        self.uses_now = False
        #: (object, alias) → the reader's row predicate over a record reached through a lookup (set
        #: by the service from the permission service before any formula is compiled), so expanded
        #: names and formula values read through records the reader may not see stay empty. None:
        #: no restriction.
        self.visibility: Callable[[ObjectMeta, str], sql.Composable | None] | None = None

    def params(self) -> dict | None:
        """The statement's parameters: `now` and the time zone when a formula uses NOW()/TODAY()."""
        if not self.uses_now:
            return None
        return sql_params(timezone.now(), timezone.get_current_timezone())

    # --- expressions -------------------------------------------------------------------------
    def column(self, name: str, alias: str | None = None) -> sql.Composable:
        return sql.SQL("{}.{}").format(sql.Identifier(alias or self.alias), sql.Identifier(name))

    def field_sql(self, field: FieldMeta, alias: str | None = None, obj: ObjectMeta | None = None) -> sql.Composable:
        """The typed SQL value of `field` in the row `alias` (of object `obj`)."""
        alias = alias or self.alias
        if field.column:
            return self.column(field.column, alias)
        if field.slot and field.slot_ready:  # a projection, or a materialised formula's stored value
            return self.column(field.slot, alias)
        if field.type.computed_on_read:
            return field.type.computed_sql(field, self, alias, obj or self.obj)
        return field.type.json_sql(self.column("data", alias), field.key)

    def path_sql(self, path: tuple[str, ...], *, root_alias: str | None = None,
                 root: ObjectMeta | None = None, crossed: list | None = None) -> sql.Composable:
        """A field reached through lookups (`account.industry`), joining what the path crosses
        (each join's (alias, object) appended to `crossed` when given)."""
        root = root or self.obj
        chain = MetaScope(self.tenant, root).walk(path)
        alias, obj = root_alias or self.alias, root
        for depth, lookup in enumerate(chain[:-1]):
            key = (alias, *tuple(f.api_name for f in chain[: depth + 1]))
            if key not in self._joins:
                target = self.tenant.objects[lookup.type.target(lookup)]  # type: ignore[index]  # a lookup
                join_alias = f"j{len(self._joins) + 1}"
                self._join_sql.append(sql.SQL("LEFT JOIN {t} {a} ON {a}.id = {ref} AND {a}.deleted_at IS NULL").format(
                    t=sql.Identifier(target.table), a=sql.Identifier(join_alias), ref=self.field_sql(lookup, alias, obj)))
                self._joins[key] = (join_alias, target)
            alias, obj = self._joins[key]
            if crossed is not None:
                crossed.append((alias, obj))
        return self.field_sql(chain[-1], alias, obj)

    @property
    def joins(self) -> sql.Composable:
        """The LEFT JOINs the paths used so far need (for statements built outside select())."""
        return sql.SQL(" ").join(self._join_sql)

    @property
    def has_joins(self) -> bool:
        return bool(self._join_sql)

    def joined(self, path: tuple[str, ...]) -> list[tuple[str, ObjectMeta]]:
        """(alias, object) of each record a path crosses (after path_sql built its joins): the
        permission service adds its row predicate over them, so a filter through a lookup only
        matches through records the reader may see."""
        found = []
        for depth in range(1, len(path)):
            entry = self._joins.get((self.alias, *path[:depth]))
            if entry is not None:
                found.append(entry)
        return found

    def formula_sql(self, field: FieldMeta, alias: str, obj: ObjectMeta) -> sql.Composable:
        """A formula field's value, its formula compiled to SQL (see FormulaFieldType.computed_sql)."""
        formula = field.type.formula(field)
        assert formula is not None  # a formula field
        checked = checked_formula(self.tenant, obj, formula.source, formula.result_type, formula.blank_as)
        self.uses_now = self.uses_now or checked.uses_now
        query = self
        crossed: list[tuple[str, ObjectMeta]] = []

        class Refs:
            def sql_for(self, path: Sequence[str]) -> sql.Composable:
                return query.path_sql(tuple(path), root_alias=alias, root=obj, crossed=crossed)

        expression = field.type.finish_sql(  # type: ignore[attr-defined]  # a formula field
            sql.SQL("({})").format(compile_sql(checked, Refs(), now_param=True)), field)
        return self._reader_guard(field, crossed, expression)

    def _reader_guard(self, field: FieldMeta, crossed: list[tuple[str, ObjectMeta]],
                      expression: sql.Composable) -> sql.Composable:
        """A formula read through lookups is NULL unless the reader may see every record it reads
        through: CASE WHEN <each record joined is absent or visible> THEN <formula> END, with the
        permission service's row predicate over each join (no guard for superusers, for records of
        objects every reader sees, or for a field an administrator opted out)."""
        if self.visibility is None or not crossed or not field.type.follows_reader(field):
            return expression
        guards = []
        for join_alias, target in dict.fromkeys(crossed):
            predicate = self.visibility(target, join_alias)
            if predicate is not None:
                guards.append(sql.SQL("({a}.id IS NULL OR {p})").format(a=sql.Identifier(join_alias), p=predicate))
        if not guards:
            return expression
        return sql.SQL("CASE WHEN {} THEN {} END").format(sql.SQL(" AND ").join(guards), expression)

    def rollup_sql(self, field: FieldMeta, alias: str) -> sql.Composable:
        """A roll-up's value: its aggregate over the live child records (see RollupFieldType)."""
        options = field.options
        child = self.tenant.objects[options["child_object"]]
        link = child.fields_by_name[options["child_field"]]
        function = options["function"]
        inner = RecordQuery(self.tenant, child, alias="c")
        value = sql.SQL("*") if function == "count" else inner.field_sql(child.fields_by_name[options["value_field"]])
        aggregate = sql.SQL("{}({})").format(sql.SQL(function), value)
        if function in ("count", "sum"):
            aggregate = sql.SQL("coalesce({}, 0)").format(aggregate)
        return sql.SQL("(SELECT {agg} FROM {t} c WHERE {link} = {me}.id AND c.deleted_at IS NULL)").format(
            agg=aggregate, t=sql.Identifier(child.table), link=inner.field_sql(link), me=sql.Identifier(alias))

    # --- conditions ---------------------------------------------------------------------------
    def has_id(self, record_id: int) -> sql.Composable:
        return sql.SQL("{} = {}").format(self.column("id"), sql.Literal(int(record_id)))

    def id_in(self, ids: Iterable[int]) -> sql.Composable:
        # bigint[], the column's type: where the planner scans (a partition not analysed yet), the
        # list is then hashed, not searched once per row.
        # (An id outside bigint's range names no record: left out, not an error.)
        ids = [int(i) for i in ids]
        return sql.SQL("{} = ANY({}::bigint[])").format(
            self.column("id"), sql.Literal([i for i in ids if -BIGINT_LIMIT <= i < BIGINT_LIMIT]))

    def _with_deleted(self, where: Iterable[sql.Composable], include_deleted: bool | str) -> list[sql.Composable]:
        """`where` after the recycle-bin condition: live records (the default), every record
        (`include_deleted`), or the recycle bin only ("only")."""
        conditions = list(where)
        if include_deleted == "only":
            conditions.insert(0, sql.SQL("{} IS NOT NULL").format(self.column("deleted_at")))
        elif not include_deleted:
            conditions.insert(0, sql.SQL("{} IS NULL").format(self.column("deleted_at")))
        return conditions

    # --- global search -----------------------------------------------------------------------
    def name_matches(self, text: str) -> list[tuple[sql.Composable, sql.Composable]]:
        """(condition, key) of each way a record's name can start with `text`: its lower-cased
        name, and for text without Chinese characters the name's full pinyin and its initials
        (search_keys). Each key is an index in byte order (storage.SEARCH_INDEXES), so the first
        hits of a prefix are read in order from its range."""
        keys = [(sql.SQL('(lower({}) COLLATE "C")').format(self.column("name")), text.strip().lower())]
        compact = query_key(text)
        if compact:
            keys += [(sql.SQL('({} COLLATE "C")').format(self.column(column)), compact)
                     for column in (PINYIN_COLUMN, INITIALS_COLUMN)]
        return [(sql.SQL("{} LIKE {}").format(key, sql.Literal(escape_like(prefix) + "%")), key)
                for key, prefix in keys if prefix]

    def name_starts_with(self, text: str) -> sql.Composable:
        """One condition: the name starts with `text` in any of the ways of name_matches() (a list's
        own search box; each alternative is a range of its index, OR-ed into a bitmap)."""
        matches = self.name_matches(text)
        if not matches:
            return sql.SQL("TRUE")
        return sql.SQL("({})").format(sql.SQL(" OR ").join(condition for condition, _key in matches))

    def normalized_sql(self, field: FieldMeta) -> sql.Composable:
        """A stored field's value with case, white space and punctuation ignored, the expression of
        its normalised-value index (indexing.normalized_expression)."""
        return sql.SQL("public.tessera_normalize({})").format(field.type.json_sql(self.column("data"), field.key))

    def normalized_equals(self, field: FieldMeta, text: str) -> sql.Composable:
        return sql.SQL("{} = public.tessera_normalize({})").format(self.normalized_sql(field), sql.Literal(text))

    def first_of(self, matches: list[tuple[sql.Composable, sql.Composable]], limit: int, *,
                 where: Iterable[sql.Composable] = ()) -> sql.Composable:
        """`r.id IN (…)`: for each (condition, key) of `matches`, the first `limit` live records
        under `where` (the reader's row predicate) that meet the condition, in the key's order, so
        each is read from the key's index and stops at `limit`; united."""
        conditions = self._with_deleted(where, False)
        parts = [
            sql.SQL("(SELECT {a}.id FROM {t} {a} WHERE {c} ORDER BY {k}, {a}.id LIMIT {n})").format(
                a=sql.Identifier(self.alias), t=sql.Identifier(self.obj.table),
                c=sql.SQL(" AND ").join([*conditions, condition]), k=key, n=sql.Literal(int(limit)))
            for condition, key in matches
        ]
        return sql.SQL("{}.id IN ({})").format(sql.Identifier(self.alias), sql.SQL(" UNION ").join(parts))

    # --- statements ---------------------------------------------------------------------------
    def select(self, fields: Iterable[FieldMeta], *, where: Iterable[sql.Composable] = (),
               expand: Iterable[FieldMeta] = (), order: list[SortTerm] | None = None, limit: int | None = None,
               include_deleted: bool | str = False) -> sql.Composable:
        """SELECT system columns, `data`, the computed values of `fields`, expanded lookup names, of
        the records matching every condition of `where`."""
        columns = [self.column(c) for c in SYSTEM_SELECT] + [sql.SQL("{}::text").format(self.column("data"))]
        for field in fields:
            if field.type.computed_on_read:
                columns.append(sql.SQL("{} AS {}").format(self.field_sql(field), sql.Identifier(f"c_{field.key}")))
        for lookup in expand:
            target = self.tenant.objects.get(lookup.type.target(lookup) or "")
            if target is None:
                continue
            visible = self.visibility(target, "x") if self.visibility is not None else None
            columns.append(sql.SQL("(SELECT x.name FROM {t} x WHERE x.id = {ref}{v}) AS {a}").format(
                t=sql.Identifier(target.table), ref=self.field_sql(lookup), a=sql.Identifier(f"x_{lookup.key}"),
                v=sql.SQL(" AND {}").format(visible) if visible is not None else sql.SQL("")))
        conditions = self._with_deleted(where, include_deleted)
        statement = sql.SQL("SELECT {cols} FROM {t} {a} {joins}").format(
            cols=sql.SQL(", ").join(columns), t=sql.Identifier(self.obj.table), a=sql.Identifier(self.alias),
            joins=sql.SQL(" ").join(self._join_sql))
        if conditions:
            statement = sql.SQL("{} WHERE {}").format(statement, sql.SQL(" AND ").join(conditions))
        if order:
            statement = sql.SQL("{} ORDER BY {}").format(statement, sql.SQL(", ").join(
                sql.SQL("{} {}").format(term.expression, sql.SQL("DESC" if term.descending else "ASC"))
                for term in order))
        if limit is not None:
            statement = sql.SQL("{} LIMIT {}").format(statement, sql.Literal(int(limit)))
        return statement

    def any_of(self, branches: list[sql.Composable], order: list[SortTerm], limit: int, *,
               where: Iterable[sql.Composable] = (), include_deleted: bool | str = False) -> sql.Composable:
        """`r.id IN (…)`: the ids of the first `limit` rows, in `order`, of each branch (every condition
        of `where`, keyset cursor included, AND the branch), united. Added to those conditions, a page
        equals that of WHERE (b1 OR b2 …), but each branch is its own SELECT that PostgreSQL can read
        in order from its own index (an OR keeps it from reading a composite (owner, sort) index in
        order)."""
        conditions = self._with_deleted(where, include_deleted)
        order_sql = sql.SQL(", ").join(sql.SQL("{} {}").format(t.expression, sql.SQL("DESC" if t.descending else "ASC"))
                                       for t in order)
        parts = [
            sql.SQL("(SELECT {a}.id FROM {t} {a} {joins} WHERE {c} ORDER BY {o} LIMIT {n})").format(
                a=sql.Identifier(self.alias), t=sql.Identifier(self.obj.table), joins=self.joins,
                c=sql.SQL(" AND ").join([*conditions, branch]), o=order_sql, n=sql.Literal(int(limit)))
            for branch in branches
        ]
        return sql.SQL("{}.id IN ({})").format(sql.Identifier(self.alias), sql.SQL(" UNION ").join(parts))

    def count(self, *, where: Iterable[sql.Composable] = (), include_deleted: bool | str = False,
              limit: int | None = None) -> sql.Composable:
        """SELECT count(*) of the records matching `where`; with `limit`, counting stops there
        (`SELECT count(*) FROM (SELECT 1 … LIMIT n)`: exact below it, and never reads more rows)."""
        conditions = self._with_deleted(where, include_deleted)
        statement = sql.SQL("SELECT {what} FROM {t} {a} {joins}").format(
            what=sql.SQL("1" if limit is not None else "count(*)"), t=sql.Identifier(self.obj.table),
            a=sql.Identifier(self.alias), joins=sql.SQL(" ").join(self._join_sql))
        if conditions:
            statement = sql.SQL("{} WHERE {}").format(statement, sql.SQL(" AND ").join(conditions))
        if limit is not None:
            statement = sql.SQL("SELECT count(*) FROM ({} LIMIT {}) counted").format(statement, sql.Literal(int(limit)))
        return statement

    def group_totals(self, by: FieldMeta, total: FieldMeta | None, *,
                     where: Iterable[sql.Composable] = ()) -> sql.Composable:
        """SELECT value, count(*), sum(total) of the live records matching `where`, grouped by the
        value of `by` (a board's columns: one statement whatever the number of columns)."""
        value = self.field_sql(by)
        summed = sql.SQL("sum({})").format(self.field_sql(total)) if total is not None else sql.SQL("NULL")
        statement = sql.SQL("SELECT {v}, count(*), {s} FROM {t} {a} {joins} WHERE {c} GROUP BY 1").format(
            v=value, s=summed, t=sql.Identifier(self.obj.table), a=sql.Identifier(self.alias), joins=self.joins,
            c=sql.SQL(" AND ").join(self._with_deleted(where, False)))
        return statement

    def ids(self, *, where: Iterable[sql.Composable] = (), limit: int | None = None,
            for_update: bool = False) -> sql.Composable:
        """SELECT the ids of the live records matching `where`, in id order (locked: `for_update`)."""
        statement = sql.SQL("SELECT {a}.id FROM {t} {a} {joins} WHERE {c} ORDER BY {a}.id").format(
            a=sql.Identifier(self.alias), t=sql.Identifier(self.obj.table), joins=self.joins,
            c=sql.SQL(" AND ").join(self._with_deleted(where, False)))
        if limit is not None:
            statement = sql.SQL("{} LIMIT {}").format(statement, sql.Literal(int(limit)))
        if for_update:
            statement = sql.SQL("{} FOR UPDATE OF {}").format(statement, sql.Identifier(self.alias))
        return statement

    # --- sorting and keyset pages -------------------------------------------------------------
    def sort_terms(self, spec: Iterable[str]) -> list[SortTerm]:
        """`["-close_date", "name"]` → terms, ending with the id as a tiebreaker (same direction
        as the first term, so a single-field sort pages along one index)."""
        terms: list[SortTerm] = []
        errors = {}
        for raw in spec:
            descending = raw.startswith("-")
            name = raw.lstrip("-")
            if name == "id":
                terms.append(SortTerm(None, descending, self.column("id")))
                continue
            field = self.obj.field(name)
            if field is None or not field.type.sortable:
                errors[raw] = name
                continue
            terms.append(SortTerm(field, descending, self.field_sql(field)))
        if errors:
            raise ValidationFailed.single("sort", "invalid_sort", _("Cannot sort by: %(names)s.")
                                          % {"names": ", ".join(errors.values())})
        if not any(term.field is None for term in terms):
            terms.append(SortTerm(None, terms[0].descending if terms else False, self.column("id")))
        return terms

    def after(self, terms: list[SortTerm], values: list) -> sql.Composable:
        """Rows strictly after the row whose sort values are `values` (NULLs last ascending, first
        descending, as PostgreSQL orders them, so plain btree indexes serve every direction)."""
        if (len(terms) == 2 and terms[1].field is None and terms[0].descending == terms[1].descending
                and values[0] is not None):
            # One field and the id, same direction: a row comparison, which a btree index serves.
            op = sql.SQL("<" if terms[0].descending else ">")
            row = sql.SQL("(({e}, {i}) {op} ({v}, {x}))").format(
                e=terms[0].expression, i=terms[1].expression, op=op,
                v=_typed_literal(terms[0], values[0]), x=_typed_literal(terms[1], values[1]))
            if terms[0].descending:
                return row
            return sql.SQL("({} OR {} IS NULL)").format(row, terms[0].expression)
        alternatives = []
        equal_so_far: list[sql.Composable] = []
        for term, value in zip(terms, values, strict=True):
            literal = _typed_literal(term, value)
            if value is None:
                beyond = sql.SQL("{} IS NOT NULL").format(term.expression) if term.descending else None
                same = sql.SQL("{} IS NULL").format(term.expression)
            else:
                op = sql.SQL("<" if term.descending else ">")
                beyond = sql.SQL("{e} {op} {v}").format(e=term.expression, op=op, v=literal)
                if not term.descending:
                    beyond = sql.SQL("({} OR {} IS NULL)").format(beyond, term.expression)
                same = sql.SQL("{} = {}").format(term.expression, literal)
            if beyond is not None:
                alternatives.append(sql.SQL(" AND ").join([*equal_so_far, beyond]))
            equal_so_far.append(same)
        if not alternatives:
            return sql.SQL("FALSE")
        return sql.SQL("({})").format(sql.SQL(" OR ").join(sql.SQL("({})").format(a) for a in alternatives))


def _typed_literal(term: SortTerm, value: Any) -> sql.Composable:
    if term.field is None:
        return sql.Literal(int(value))
    field = term.field
    sql_type = field.type.value_type(field).sql_type
    return sql.SQL("{}::{}").format(sql.Literal(value), sql.SQL(sql_type))
