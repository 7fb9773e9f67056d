"""Lookup filters (Salesforce's "lookup filter"): which records of its target a lookup may point at.

A lookup's `filter` option holds the records API's filters over the target object, as list views and
sharing rules store them (`{"type": "customer"}`, `{"stage__in": ["won"]}`, through one lookup:
`{"account.industry": "it"}`), compiled by the same compiler (tessera.records.filters). A value
`{"field": "account"}` compares with a field of the record being written ("the contact must belong to
this opportunity's account"): eq or ne, on a stored field of the target whose values compare with the
source field's (same SQL type, same target for lookups); a blank source value matches a blank value.

Three users:
- the metadata service checks a filter against the target's metadata (`check_filter`: errors keyed
  `options.filter.<key>`);
- the write path (`check_references`, called once by tessera.records.service) checks every changed
  lookup, or a lookup whose source fields changed, in ONE statement per filtered field per batch;
- the lookup picker (tessera.records.search) offers only allowed records (`allowed_predicate`).

Permissions: the picker ANDs the reader's row predicate over the target, so it offers nothing the
reader may not read. The write check runs as a data rule, without the writer's predicate: the chosen
record must be readable by the writer already (check_lookups), and the rule then holds the same for
every writer (an import by an administrator and an edit by a salesperson get the same answer); a
filter through a lookup (`account.industry`) reads that field whoever writes, and the error names
only the chosen record and the rule itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from psycopg2 import sql

from metadata.fieldtypes.lookup import SOURCE_KEY, describe_filter
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import ErrorCollector
from tessera.security.predicates import compile_filters

from .draft import Draft
from .filters import split_key
from .query import RecordQuery

logger = logging.getLogger(__name__)
#: Operators a condition on a field of the record being written may use.
SOURCE_OPS = frozenset({"eq", "ne"})


@dataclass(frozen=True)
class SourceCondition:
    """`<target field> eq|ne <this record's field>`."""

    key: str
    op: str
    target_field: FieldMeta
    source_field: FieldMeta


@dataclass(frozen=True)
class LookupFilter:
    field: FieldMeta
    target: ObjectMeta
    #: The records-API filters with constant values.
    constant: list[tuple[str, Any]]
    source: list[SourceCondition]

    @property
    def source_names(self) -> set[str]:
        return {c.source_field.api_name for c in self.source}


def check_filter(tenant: TenantMeta, field: FieldMeta, siblings: Mapping[str, FieldMeta], errors: ErrorCollector,
                 *, prefix: str = "options.filter") -> None:
    """Errors (keyed `<prefix>.<filter key>`) for a filter that does not compile over the target:
    unknown fields, operators the field does not take, values it cannot hold, bad source fields."""
    filters = field.type.record_filter(field)
    target = tenant.object(field.type.target(field) or "")
    if not filters or target is None:
        return
    found = ErrorCollector()
    constant, _source = _split(target, filters, siblings, found)
    compile_filters(tenant, target, constant, "t", found)
    for key, details in found.field_errors.items():
        for d in details:
            errors.add(f"{prefix}.{key}", d.code, d.message)
    for d in found.non_field_errors:
        errors.add(prefix, d.code, d.message)


def lookup_filter(tenant: TenantMeta, field: FieldMeta) -> LookupFilter | None:
    """The field's filter, read against the metadata as it is now; None without a filter. (The
    metadata service keeps the fields a filter names from being deleted or changing type; should a
    comparison with this record's field no longer fit, it is left out, and constant filters that no
    longer compile match nothing, with a warning in the log.)"""
    filters = field.type.record_filter(field)
    target = tenant.object(field.type.target(field) or "")
    obj = tenant.object(field.object_api_name)
    if not filters or target is None or obj is None:
        return None
    constant, source = _split(target, filters, obj.fields_by_name, ErrorCollector())
    return LookupFilter(field, target, constant, source)


def _split(target: ObjectMeta, filters: Mapping[str, Any], siblings: Mapping[str, FieldMeta],
           errors: ErrorCollector) -> tuple[list[tuple[str, Any]], list[SourceCondition]]:
    """(constant filters, conditions on a field of the record being written)."""
    constant: list[tuple[str, Any]] = []
    source: list[SourceCondition] = []
    for key, raw in filters.items():
        if not isinstance(raw, Mapping):
            constant.append((key, list(raw) if isinstance(raw, list | tuple) else raw))
            continue
        name, op = split_key(key)
        tf = target.field(name)
        sf = siblings.get(str(raw.get(SOURCE_KEY, "")))
        if op not in SOURCE_OPS:
            errors.add(key, "invalid_operator", _("Compare with a field of this record by “is” or “is not” only."))
        elif tf is None or tf.type.computed:
            errors.add(key, "unknown_field", _("No stored field “%(name)s” (a field of this record is compared with "
                                               "a stored field of the referred object).") % {"name": name})
        elif sf is None or sf.type.computed:
            errors.add(key, "unknown_field", _("This record has no stored field “%(name)s”.")
                       % {"name": raw.get(SOURCE_KEY)})
        elif not _comparable(tf, sf):
            errors.add(key, "incompatible", _("“%(source)s” cannot be compared with “%(target)s”.")
                       % {"source": sf.label(), "target": tf.label()})
        else:
            source.append(SourceCondition(key, op, tf, sf))
    return constant, source


def _comparable(target_field: FieldMeta, source_field: FieldMeta) -> bool:
    a, b = target_field.type.value_type(target_field), source_field.type.value_type(source_field)
    return a.sql_type == b.sql_type and target_field.type.target(target_field) == source_field.type.target(source_field)


def _conditions(tenant: TenantMeta, flt: LookupFilter, alias: str,
                operands: list[sql.Composable]) -> list[sql.Composable]:
    """The filter's predicate over `alias`: the constant filters, then each source condition against
    its operand (a literal for the picker, a column of the batch's VALUES for a write)."""
    errors = ErrorCollector()
    constant = compile_filters(tenant, flt.target, flt.constant, alias, errors)
    if constant is None:  # cannot happen while the metadata service guards the filter's fields
        logger.warning("the filter of %s.%s does not compile: %s", flt.field.object_api_name, flt.field.api_name,
                       errors.field_errors or errors.non_field_errors)
    parts = [constant if constant is not None else sql.SQL("FALSE")]
    query = RecordQuery(tenant, flt.target, alias=alias)
    for condition, operand in zip(flt.source, operands, strict=True):
        parts.append(sql.SQL("{} IS {} DISTINCT FROM {}").format(
            query.field_sql(condition.target_field), sql.SQL("NOT" if condition.op == "eq" else ""), operand))
    return parts


def allowed_predicate(tenant: TenantMeta, field: FieldMeta, values: Mapping[str, Any], alias: str) -> sql.Composable | None:
    """For the picker: the records of the lookup's target `field` may point at, as a predicate over
    `alias`; `values` are the record's own field values as the form holds them (a source condition
    whose field is not given is left out: the write checks it). None: no filter."""
    flt = lookup_filter(tenant, field)
    if flt is None:
        return None
    given = [c for c in flt.source if c.source_field.api_name in values]
    flt = LookupFilter(flt.field, flt.target, flt.constant, given)
    operands = [c.target_field.type.value_type(c.target_field).sql_literal(values[c.source_field.api_name])
                for c in given]
    return sql.SQL(" AND ").join(_conditions(tenant, flt, alias, operands))


def check_references(tenant: TenantMeta, obj: ObjectMeta, drafts: list[Draft]) -> None:
    """Each filtered lookup a draft sets, or whose source fields it changes, must point at an
    allowed record: one statement per filtered field for the whole batch."""
    for field in obj.fields:
        flt = lookup_filter(tenant, field) if field.type.record_filter(field) else None
        if flt is None:
            continue
        watched = {field.api_name} | flt.source_names
        rows = [d for d in drafts if not d.errors.has(field.api_name) and d.values.get(field.api_name) is not None
                and not watched.isdisjoint(d.changed)]
        if rows:
            _check_rows(tenant, flt, rows)


def _check_rows(tenant: TenantMeta, flt: LookupFilter, rows: list[Draft]) -> None:
    """One statement: the batch's rows as arrays (row number, the id chosen, the values compared
    with), unnested and joined to the target by id; each row says whether its record is allowed.
    Arrays, not a VALUES row per draft: composing a thousand rows' SQL cost more than running it."""
    name = flt.field.api_name
    columns = [sql.Identifier(f"s{i}") for i in range(len(flt.source))]
    arrays = [sql.SQL("{}::integer[]").format(sql.Literal(list(range(len(rows))))),
              sql.SQL("{}::bigint[]").format(sql.Literal([draft.values[name] for draft in rows]))]
    for c in flt.source:
        kind = c.target_field.type.value_type(c.target_field)
        arrays.append(sql.SQL("{}::{}[]").format(
            sql.Literal([kind.to_projection(draft.values.get(c.source_field.api_name), c.target_field)
                         for draft in rows]), sql.SQL(kind.sql_type)))
    conditions = _conditions(tenant, flt, "t", [sql.SQL("k.{}").format(c) for c in columns])
    statement = sql.SQL("SELECT k.n, t.name, ({allowed}) FROM unnest({arrays}) AS k ({columns}) "
                        "JOIN {table} t ON t.id = k.ref").format(
        allowed=sql.SQL(" AND ").join(conditions), arrays=sql.SQL(", ").join(arrays),
        table=sql.Identifier(flt.target.table),
        columns=sql.SQL(", ").join([sql.Identifier("n"), sql.Identifier("ref"), *columns]))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        refused = [(n, record_name) for n, record_name, allowed in cursor.fetchall() if not allowed]
    if not refused:
        return
    language = get_language()
    obj = tenant.object(flt.field.object_api_name)
    rule = "; ".join(text for _key, text in describe_filter(
        tenant, flt.target.api_name, flt.field.type.record_filter(flt.field) or {}, obj, language))
    for n, record_name in refused:
        draft = rows[n]
        draft.errors.add(name, "not_allowed", _("“%(record)s” is not allowed for %(field)s: %(rule)s.") % {
            "record": record_name or f"#{draft.values[name]}", "field": flt.field.label(language), "rule": rule})
