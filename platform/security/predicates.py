"""Sharing-rule criteria → SQL, through the records query compiler (the same filters the records
API takes, compiled by tessera.records.filters.apply_filters)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from psycopg2 import sql

from tessera.errors import ErrorCollector

if TYPE_CHECKING:
    from metadata.meta import ObjectMeta, TenantMeta

    from .rights import RuleGrant

logger = logging.getLogger(__name__)


def compile_filters(tenant: TenantMeta, obj: ObjectMeta, filters: Iterable[tuple[str, object]], alias: str,
                    errors: ErrorCollector) -> sql.Composable | None:
    """A predicate over `alias` for records-API filters (AND of all), or None when `errors` got some.

    Filters through lookups (`account.industry=it`) join inside an EXISTS subquery, so the predicate
    stands alone in any query over the object.
    """
    from tessera.records.filters import apply_filters
    from tessera.records.query import RecordQuery

    filters = list(filters)
    query = RecordQuery(tenant, obj, alias=alias)
    apply_filters(query, filters, errors)
    if errors:
        return None
    if query.uses_now:
        errors.add("filters", "uses_now", "Sharing criteria cannot depend on the current time.")
        return None
    if not query.where:
        return sql.SQL("TRUE")
    if not query.has_joins:
        return sql.SQL("({})").format(sql.SQL(" AND ").join(query.where))
    inner_alias = f"{alias}_s"
    inner = RecordQuery(tenant, obj, alias=inner_alias)
    apply_filters(inner, filters, errors)
    return sql.SQL("EXISTS (SELECT 1 FROM {t} {a} {joins} WHERE {a}.id = {outer}.id AND {conds})").format(
        t=sql.Identifier(obj.table), a=sql.Identifier(inner_alias), joins=inner.joins,
        outer=sql.Identifier(alias), conds=sql.SQL(" AND ").join(inner.where))


def rule_sql(tenant: TenantMeta, obj: ObjectMeta, rule: RuleGrant, alias: str) -> sql.Composable:
    """The predicate of one sharing rule; a rule that no longer compiles (a field deleted since)
    matches nothing, and says so in the log."""
    errors = ErrorCollector()
    predicate = compile_filters(tenant, obj, rule.filters, alias, errors)
    if predicate is None:
        logger.warning("sharing rule %s does not compile: %s", rule.id, errors.field_errors or errors.non_field_errors)
        return sql.SQL("FALSE")
    return predicate
