"""Create, update and delete for the metadata kept as one spec per row (categories, layouts, list
views): one implementation, with each kind's own schema and semantic check."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.utils.translation import gettext as _

from metadata import schemas
from metadata.cache import get_meta
from metadata.meta import ObjectMeta, TenantMeta
from metadata.versioning import lock_metadata, record_change
from tessera.errors import ErrorCollector, NotFound
from tessera.security.actor import Actor

from .common import get_object, merged

#: Layout, RecordCategory or ListView: each has object_id, api_name and spec.
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class SpecKind(Generic[M]):
    model: type[M]
    schema: str
    entity: str
    #: Semantic checks against the object (fields exist…) in the change's snapshot of the tenant
    #: (other objects, for related lists): add errors to the collector.
    check: Callable[[ObjectMeta, dict, ErrorCollector, TenantMeta], None]
    #: Spec properties also kept in real columns of the row.
    columns: tuple[str, ...] = ()
    #: Properties that never change after creation.
    immutable: tuple[str, ...] = ("api_name",)


def is_personal(extra: dict | None) -> bool:
    """A definition with an owner (a personal list view) is that user's preference, not the tenant's
    metadata: no other request reads it from the snapshot, so changing it takes neither the tenant's
    metadata lock nor a new metadata version (users saving their views never make every process
    recompile the tenant's metadata)."""
    return bool(extra and extra.get("owner_id"))


def _begin(extra: dict | None) -> None:
    if not is_personal(extra):
        lock_metadata()


def _record(extra: dict | None, **change: Any) -> None:
    if not is_personal(extra):
        record_change(**change)


def create(kind: SpecKind[M], object_api_name: str, spec: dict, actor: Actor, *, extra: dict | None = None) -> M:
    errors = ErrorCollector()
    schemas.collect(kind.schema, spec, errors)
    errors.raise_if_any()
    with transaction.atomic():
        _begin(extra)
        tenant = get_meta()  # one snapshot for every check of this change (compiled afresh under the lock)
        obj = get_object(object_api_name, tenant)
        lookup = {"object_id": obj.id, "api_name": spec["api_name"], **(extra or {})}
        if kind.model._default_manager.filter(**lookup).exists():
            errors.add("api_name", "taken", _("“%(name)s” exists already.") % {"name": spec["api_name"]})
        kind.check(obj, spec, errors, tenant)
        errors.raise_if_any()
        stored = {k: copy.deepcopy(v) for k, v in spec.items() if k != "api_name" and k not in kind.columns}
        row = kind.model._default_manager.create(
            object_id=obj.id, api_name=spec["api_name"], spec=stored,
            **{c: spec[c] for c in kind.columns if c in spec}, **(extra or {}),
        )
        _record(extra, entity=kind.entity, action="create", entity_id=row.pk, after=spec, user=actor,
                object_id=obj.id)
    return row


def update(kind: SpecKind[M], object_api_name: str, api_name: str, changes: dict, actor: Actor, *,
           extra: dict | None = None) -> M:
    errors = ErrorCollector()
    for key in kind.immutable:
        if key in changes:
            errors.add(key, "immutable", _("This property cannot be changed."))
    errors.raise_if_any()
    with transaction.atomic():
        _begin(extra)
        tenant = get_meta()
        obj = get_object(object_api_name, tenant)
        row: Any = _get(kind, obj, api_name, extra)  # an M, with api_name and spec
        before = full_spec(kind, row)
        spec = merged(before, changes)
        schemas.collect(kind.schema, spec, errors)
        errors.raise_if_any()
        kind.check(obj, spec, errors, tenant)
        errors.raise_if_any()
        row.spec = {k: v for k, v in spec.items() if k != "api_name" and k not in kind.columns}
        for column in kind.columns:
            if column in spec:
                setattr(row, column, spec[column])
        row.save()
        _record(extra, entity=kind.entity, action="update", entity_id=row.pk, before=before, after=spec, user=actor,
                object_id=obj.id)
    return row


def delete(kind: SpecKind[M], object_api_name: str, api_name: str, actor: Actor, *, extra: dict | None = None) -> None:
    with transaction.atomic():
        _begin(extra)
        obj = get_object(object_api_name)
        row = _get(kind, obj, api_name, extra)
        before, row_id = full_spec(kind, row), row.pk
        row.delete()
        _record(extra, entity=kind.entity, action="delete", entity_id=row_id, before=before, user=actor,
                object_id=obj.id)


def full_spec(kind: SpecKind[M], row: Any) -> dict:  # row: M, with api_name and spec
    return {"api_name": row.api_name, **{c: getattr(row, c) for c in kind.columns}, **copy.deepcopy(row.spec)}


def _get(kind: SpecKind[M], obj: ObjectMeta, api_name: str, extra: dict | None) -> M:
    try:
        return kind.model._default_manager.select_for_update().get(object_id=obj.id, api_name=api_name,
                                                                   **(extra or {}))
    except ObjectDoesNotExist:
        raise NotFound(_("No %(kind)s named “%(name)s”.") % {"kind": kind.entity.replace("_", " "), "name": api_name},
                       code=f"unknown_{kind.entity}") from None


def check_field_names(obj: ObjectMeta, names: Iterable[str], errors: ErrorCollector, where: str) -> None:
    for i, name in enumerate(names):
        if obj.field(name) is None:
            errors.add(f"{where}.{i}", "unknown_field", _("No field named “%(name)s”.") % {"name": name})
