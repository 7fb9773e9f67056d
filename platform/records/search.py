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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from psycopg2 import sql

from metadata.cache import get_meta
from metadata.fieldtypes import FieldValueError
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import ErrorCollector, NotFound
from tessera.security.access import RecordAccess, access_for
from tessera.security.actor import Actor

from . import lookup_filters, repository
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


def lookup_choices(object_api_name: str, field_api_name: str, actor: Actor, text: str, values: Mapping[str, Any], *,
                   limit: int) -> list[Record]:
    """What the picker of a lookup offers: records of its target the actor may read that its filter
    allows (tessera.records.lookup_filters), whose name starts with `text` (all of them, by name, for
    no text). `values`: the record's own fields as the form holds them (raw), for a filter comparing
    with them; a value its field cannot hold counts as not given."""
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    field = obj.field(field_api_name)
    target = tenant.object(field.type.target(field) or "") if field is not None else None
    if field is None or target is None or not access.readable(obj, field):
        raise NotFound(_("No such lookup."))
    access.require(target, "read")
    given = {}
    for name, raw in values.items():
        source = obj.field(name)
        if source is None or not access.readable(obj, source):
            continue
        try:
            given[name] = source.type.coerce(raw, source) if raw not in ("", None) else None
        except FieldValueError:
            continue
    allowed = lookup_filters.allowed_predicate(tenant, field, given, "r")
    return _search_object(tenant, target, access, text.strip(), limit, by_values=False,
                          where=[] if allowed is None else [allowed], everything=not text.strip())


def _search_object(tenant: TenantMeta, obj: ObjectMeta, access: RecordAccess, text: str, limit: int, *,
                   by_values: bool, where: Sequence[sql.Composable] = (), everything: bool = False) -> list[Record]:
    """`everything`: no text, the first records by name."""
    query = RecordQuery(tenant, obj)
    predicate = access.row_predicate(obj, "read", "r", tenant)
    conditions = [*where, *([] if predicate is None else [predicate])]
    order = query.sort_terms([obj.name_field])
    if everything:
        return repository.fetch_records(obj, query.select([], where=conditions, order=order, limit=limit), query.params())
    matches = query.name_matches(text)
    if by_values:
        matches += _value_matches(query, readable_fields(obj, access), text)
    if not matches:
        return []
    statement = query.select([], where=[query.first_of(matches, limit, where=conditions)], order=order, limit=limit)
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
