"""Ownership: reassign one record or many (by records-API filters), optionally with their children
(contacts, opportunities, open activities…: records of objects pointing at them through a lookup and
owned by the same previous owner); transfer everything a user owns (deactivation). Owner changes
always go to the record history and the audit log; nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from metadata.cache import get_meta
from tessera.errors import ErrorCollector, NotFound, PermissionDenied, ValidationFailed
from tessera.records import history
from tessera.records.filters import filter_conditions, split_key
from tessera.records.query import RecordQuery
from tessera.records.service import get_object_meta
from tessera.records.signals import records_changed
from tessera.security.actor import Actor

from .. import audit, repository
from ..access import SYSTEM, RecordAccess, access_for
from ..predicates import NOTHING
from .common import get_user, require_manage_users

if TYPE_CHECKING:
    from metadata.meta import FieldMeta, ObjectMeta, TenantMeta

    from ..models import User

#: Children reassigned only while open: object → (picklist field, closed values).
OPEN_ONLY = {"activity": ("status", ("done", "cancelled"))}
#: Records reassigned by filter in one call, at most.
MAX_BY_FILTER = 50_000


@dataclass
class Reassigned:
    to: int
    counts: dict[str, int] = field(default_factory=dict)
    ids: dict[str, list[int]] = field(default_factory=dict)


def reassign_records(object_api_name: str, actor: Actor, *, to: Any, record_id: Any = None, filters: Sequence | None = None,
                     children: Iterable[str] = ()) -> Reassigned:
    """Give a record (`record_id`) or the records matching `filters` to the user `to`."""
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "edit")
    errors = ErrorCollector()
    target = get_user(to, field="to", errors=errors, active=True)
    child_links = _child_links(tenant, obj, children, errors)
    if (record_id is None) == (filters is None):
        errors.add(None, "invalid", _("Give either one record id or filters."))
    errors.raise_if_any()
    assert target is not None  # else raise_if_any() raised
    with transaction.atomic():
        if record_id is not None:
            ids = _one_record(obj, record_id, access)
        else:
            ids = _matching(tenant, obj, filters, access)
        result = Reassigned(to=target.pk)
        moved = _move(tenant, obj, ids, target, access, result)
        for child, lookups in child_links:
            _move_children(tenant, child, lookups, moved, target, access, result)
        audit.log(actor, "records.reassign", target_type="object", target_id=obj.api_name,
                  detail={"to": target.pk, "counts": result.counts,
                          "record_id": record_id, "filters": [list(f) for f in filters or ()]})
    return result


def transfer_all(user: User, to_user: User, actor: Actor) -> dict[str, int]:
    """Every record `user` owns, of every object (recycle bin included), to `to_user`."""
    tenant = get_meta()
    counts = {}
    for obj in tenant.objects.values():
        moved = repository.set_owner(obj, to_user.pk, access_for(actor).user_id, from_owner=user.pk,
                                     include_deleted=True)
        if moved:
            owner = obj.fields_by_name["owner"]
            history.write(obj, [(rid, "owner", {owner.key: [history.api_form(owner, old),
                                                            history.api_form(owner, to_user.pk)]})
                                for rid, old in moved], access_for(actor).user_id)
            _changed_after_commit(obj, [rid for rid, _o in moved])
            counts[obj.api_name] = len(moved)
    return counts


def owned_records(user: User, actor: Actor) -> dict[str, int]:
    """What `transfer_all` would move now: the records `user` owns per object api_name, the recycle
    bin included (for the deactivation wizard, shown before the administrator confirms)."""
    require_manage_users(actor)
    by_id = get_meta().objects_by_id
    return {by_id[object_id].api_name: count for object_id, count in sorted(repository.owned_counts(user.pk).items())
            if object_id in by_id and count}


def _child_links(tenant: TenantMeta, obj: ObjectMeta, names: Iterable[str],
                 errors: ErrorCollector) -> list[tuple[ObjectMeta, list[FieldMeta]]]:
    links: list[tuple[ObjectMeta, list[FieldMeta]]] = []
    for name in names or ():
        child = tenant.object(name) if isinstance(name, str) else None
        lookups = [f for f in child.fields if f.type.target(f) == obj.api_name] \
            if child is not None else []
        if not lookups or child is None:
            errors.add("children", "invalid_child", _("“%(name)s” has no lookup to this object.") % {"name": name})
            continue
        links.append((child, lookups))
    return links


def _one_record(obj: ObjectMeta, record_id: Any, access: RecordAccess) -> list[int]:
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        raise ValidationFailed.single("id", "invalid", _("A record id is a whole number.")) from None
    if not repository.visible_ids(obj, [record_id], access.row_predicate(obj, "read")):
        raise NotFound(_("No such record."), code="unknown_record")
    if not repository.visible_ids(obj, [record_id], access.row_predicate(obj, "reassign")):
        raise PermissionDenied(_("You may not reassign this record."), code="no_reassign_right")
    return [record_id]


def _matching(tenant: TenantMeta, obj: ObjectMeta, filters: Sequence | None, access: RecordAccess) -> list[int]:
    errors = ErrorCollector()
    pairs = []
    for item in filters or ():
        if not (isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str)):
            errors.add("filters", "invalid", _("Filters are [key, value] pairs."))
            break
        pairs.append((item[0], item[1]))
    for key, _value in pairs:
        f = obj.field(split_key(key)[0].split(".")[0])
        if f is not None and not access.readable(obj, f):
            errors.add(key, "unknown_field", _("No field “%(name)s”.") % {"name": split_key(key)[0]})
    errors.raise_if_any()
    query = RecordQuery(tenant, obj)
    where = filter_conditions(query, pairs, errors)
    errors.raise_if_any()
    for action in ("read", "reassign"):
        predicate = access.row_predicate(obj, action, "r", tenant)
        if predicate is not None:
            where.append(predicate)
    ids = repository.select_ids(query.ids(where=where, limit=MAX_BY_FILTER + 1, for_update=True))
    if len(ids) > MAX_BY_FILTER:
        raise ValidationFailed.single("filters", "too_many", _("More than %(n)d records match; narrow the filters.")
                                      % {"n": MAX_BY_FILTER})
    return ids


def _move(tenant: TenantMeta, obj: ObjectMeta, ids: Sequence[int], target: User, access: RecordAccess,
          result: Reassigned) -> list[tuple[int, int | None]]:
    moved = repository.set_owner(obj, target.pk, access.user_id, ids=ids)
    if moved:
        owner = obj.fields_by_name["owner"]
        history.write(obj, [(rid, "owner", {owner.key: [history.api_form(owner, old),
                                                        history.api_form(owner, target.pk)]})
                            for rid, old in moved], access.user_id)
        _changed_after_commit(obj, [rid for rid, _o in moved])
    result.counts[obj.api_name] = result.counts.get(obj.api_name, 0) + len(moved)
    result.ids.setdefault(obj.api_name, []).extend(rid for rid, _o in moved)
    return moved


def _move_children(tenant: TenantMeta, child: ObjectMeta, lookups: list[FieldMeta],
                   parents: Sequence[tuple[int, int | None]], target: User, access: RecordAccess,
                   result: Reassigned) -> None:
    predicate = access.row_predicate(child, "reassign", "c", tenant) if access.can(child, "edit") else NOTHING
    open_only = None
    if child.api_name in OPEN_ONLY:
        name, closed = OPEN_ONLY[child.api_name]
        status = child.field(name)
        if status is not None:
            open_only = (status, closed)
    ids: set[int] = set()
    for lookup in lookups:
        ids.update(repository.children_owned_alike(tenant, child, lookup, parents, predicate=predicate,
                                                   open_only=open_only))
    _move(tenant, child, sorted(ids), target, access, result)


def _changed_after_commit(obj: ObjectMeta, ids: list[int]) -> None:
    schema = connection.schema_name  # type: ignore[attr-defined]
    transaction.on_commit(lambda: records_changed.send(sender=None, schema=schema, object=obj.api_name,
                                                       action="update", ids=list(ids)))


__all__ = ["SYSTEM", "Reassigned", "owned_records", "reassign_records", "transfer_all"]
