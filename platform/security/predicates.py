"""The permission service's row predicates as SQL over a record alias: ownership, manual shares and
sharing rules (whose criteria are the records API's filters, compiled by the records query compiler,
tessera.records.filters.filter_conditions). tessera.security.access decides which apply; this module is
the only one that writes them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from psycopg2 import sql

from tessera.errors import ErrorCollector
from tessera.records.filters import filter_conditions
from tessera.records.query import RecordQuery

from .models import RecordShare

if TYPE_CHECKING:
    from metadata.meta import ObjectMeta, TenantMeta

    from .rights import RuleGrant

logger = logging.getLogger(__name__)

#: Matches no record.
NOTHING = sql.SQL("FALSE")


def any_of(branches: list[sql.Composable]) -> sql.Composable:
    """The OR of a row predicate's branches (one branch stands alone)."""
    if len(branches) == 1:
        return branches[0]
    return sql.SQL("({})").format(sql.SQL(" OR ").join(branches))


def owned_by(alias: str, owner_ids: tuple[int, ...]) -> sql.Composable:
    """Records owned by any of `owner_ids`: `owner_id = N` for one owner, so its index serves it."""
    column = sql.SQL("{}.owner_id").format(sql.Identifier(alias))
    if not owner_ids:
        return NOTHING
    if len(owner_ids) == 1:
        return sql.SQL("{} = {}").format(column, sql.Literal(owner_ids[0]))
    return sql.SQL("{} = ANY({}::bigint[])").format(column, sql.Literal(list(owner_ids)))


def shared_with(obj: ObjectMeta, alias: str, *, edit: bool, user_id: int | None, department_id: int | None,
                department_ancestors: tuple[int, ...]) -> sql.Composable:
    """Records of `obj` shared by hand with the user, their department, or (shares that include
    sub-departments) a department above theirs; `edit`: only shares that allow editing."""
    reach = [sql.SQL("s.user_id = {}").format(sql.Literal(user_id))]
    if department_id is not None:
        reach.append(sql.SQL("s.department_id = {}").format(sql.Literal(department_id)))
        if department_ancestors:
            reach.append(sql.SQL("(s.include_sub AND s.department_id = ANY({}::bigint[]))").format(
                sql.Literal(list(department_ancestors))))
    return sql.SQL(
        "{a}.id IN (SELECT s.record_id FROM {shares} s WHERE s.object_id = {o} AND ({reach}){edit})"
    ).format(a=sql.Identifier(alias), shares=sql.Identifier(RecordShare._meta.db_table), o=sql.Literal(obj.id),
             reach=sql.SQL(" OR ").join(reach), edit=sql.SQL(" AND s.access = 'edit'") if edit else sql.SQL(""))


def compile_filters(tenant: TenantMeta, obj: ObjectMeta, filters: Iterable[tuple[str, object]], alias: str,
                    errors: ErrorCollector) -> sql.Composable | None:
    """A predicate over `alias` for records-API filters (AND of all), or None when `errors` got some.

    Filters through lookups (`account.industry=it`) join inside an EXISTS subquery, so the predicate
    stands alone in any query over the object.
    """
    filters = list(filters)
    query = RecordQuery(tenant, obj, alias=alias)
    conditions = filter_conditions(query, filters, errors)
    if errors:
        return None
    if query.uses_now:
        errors.add("filters", "uses_now", "These conditions cannot depend on the current time.")
        return None
    if not conditions:
        return sql.SQL("TRUE")
    if not query.has_joins:
        return sql.SQL("({})").format(sql.SQL(" AND ").join(conditions))
    inner_alias = f"{alias}_s"
    inner = RecordQuery(tenant, obj, alias=inner_alias)
    inner_conditions = filter_conditions(inner, filters, errors)
    return sql.SQL("EXISTS (SELECT 1 FROM {t} {a} {joins} WHERE {a}.id = {outer}.id AND {conds})").format(
        t=sql.Identifier(obj.table), a=sql.Identifier(inner_alias), joins=inner.joins,
        outer=sql.Identifier(alias), conds=sql.SQL(" AND ").join(inner_conditions))


def rule_sql(tenant: TenantMeta, obj: ObjectMeta, rule: RuleGrant, alias: str) -> sql.Composable:
    """The predicate of one sharing rule; a rule that no longer compiles (a field deleted since)
    matches nothing, and says so in the log."""
    errors = ErrorCollector()
    predicate = compile_filters(tenant, obj, rule.filters, alias, errors)
    if predicate is None:
        logger.warning("sharing rule %s does not compile: %s", rule.id, errors.field_errors or errors.non_field_errors)
        return NOTHING
    return predicate
