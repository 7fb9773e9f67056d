"""Global search: the records whose name starts with a text (as typed, or its pinyin or pinyin
initials: 王建国 is found by "wjg"), whose phone numbers equal it in any format, or whose unique
fields (an account number, a tax id) equal it, across the objects the actor may read.

Each object is one statement: every way of matching is its own ordered, limited SELECT read from
its own index (the name keys' prefix indexes, a phone field's normalised-value index, a unique
field's index) under the reader's row predicate, united. The predicate filters what the index
yields, so the first hits come after reading a few index entries, not after collecting everything
the reader may see (docs/benchmarks.md, "Global search").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from psycopg2 import sql

from metadata.cache import get_meta
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import ErrorCollector
from tessera.security.access import RecordAccess, access_for
from tessera.security.actor import Actor

from . import repository
from .filters import filter_conditions
from .query import RecordQuery
from .record import Record
from .service import get_object_meta, readable_fields

HITS_PER_OBJECT = 5
#: A text that may be a phone number: digits with the usual separators, at least five digits.
PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]{5,}$")


@dataclass(frozen=True)
class SearchGroup:
    object: ObjectMeta
    records: list[Record]


def search_records(actor: Actor, text: str, *, per_object: int = HITS_PER_OBJECT) -> list[SearchGroup]:
    """The first hits of `text` in every object the actor may read that takes part in search."""
    text = text.strip()
    if not text:
        return []
    tenant = get_meta()
    access = access_for(actor)
    groups = []
    for obj in tenant.objects.values():
        if not obj.spec.get("in_search", True) or not access.can(obj, "read"):
            continue
        records = _search_object(tenant, obj, access, text, per_object, by_values=True)
        if records:
            groups.append(SearchGroup(obj, records))
    return groups


def search_names(object_api_name: str, actor: Actor, text: str, *, limit: int) -> list[Record]:
    """Records of one object whose name starts with `text` (or its pinyin, or its initials), for a
    lookup's search-as-you-type."""
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "read")
    return _search_object(tenant, obj, access, text.strip(), limit, by_values=False)


def _search_object(tenant: TenantMeta, obj: ObjectMeta, access: RecordAccess, text: str, limit: int, *,
                   by_values: bool) -> list[Record]:
    query = RecordQuery(tenant, obj)
    matches = query.name_matches(text)
    if by_values:
        matches += _value_matches(query, readable_fields(obj, access), text)
    if not matches:
        return []
    predicate = access.row_predicate(obj, "read", "r", tenant)
    where = [query.first_of(matches, limit, where=[] if predicate is None else [predicate])]
    statement = query.select([], where=where, order=query.sort_terms([obj.name_field]), limit=limit)
    return repository.fetch_records(obj, statement, query.params())


def _value_matches(query: RecordQuery, fields: Iterable[FieldMeta], text: str) -> list[tuple[sql.Composable, sql.Composable]]:
    """Phone fields whose normalised value equals a phone-like text; unique fields equal to it (a
    value the field cannot hold, such as text for a number, finds nothing)."""
    matches: list[tuple[sql.Composable, sql.Composable]] = []
    phone_like = PHONE_LIKE.match(text) is not None and sum(c.isdigit() for c in text) >= 5
    for field in fields:
        if field.column is not None or field.type.computed:
            continue
        if field.unique:
            errors = ErrorCollector()
            conditions = filter_conditions(query, [(field.api_name, text)], errors)
            if not errors and conditions:
                matches.append((sql.SQL(" AND ").join(conditions), query.column("id")))
        elif field.type.searched_normalized and phone_like:
            matches.append((query.normalized_equals(field, text), query.column("id")))
    return matches
