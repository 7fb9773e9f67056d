"""Helpers shared by the metadata services."""

from __future__ import annotations

from django.utils.translation import gettext as _

from metadata.cache import get_meta
from metadata.meta import ObjectMeta, TenantMeta
from tessera.errors import NotFound

#: Fixed page names under /app/ (see shared UI conventions): `/app/<object>/` must never mean them.
APP_PAGE_NAMES = frozenset(
    """search recent reports dashboards notifications approvals recycle_bin kanban new import
    export""".split()
)
#: Names the records API, the storage or the app's pages use for themselves.
RESERVED_OBJECT_NAMES = frozenset(
    """api meta record records user users file files schema schemas object objects field fields
    search recent recycle_bin bulk form openapi system tenant tenants""".split()
) | APP_PAGE_NAMES
RESERVED_FIELD_NAMES = frozenset(
    """id pk version category owner created_by created_at updated_by updated_at deleted_at deleted_by
    data object object_id record sort cursor fields expand limit format search q page offset confirm
    layout include""".split()
)


def get_object(api_name: str, meta: TenantMeta | None = None) -> ObjectMeta:
    meta = meta or get_meta()
    obj = meta.object(api_name)
    if obj is None:
        raise NotFound(_("No object named “%(name)s”.") % {"name": api_name}, code="unknown_object")
    return obj


def merged(current: dict, changes: dict) -> dict:
    """A spec with `changes` applied; a None value removes the key."""
    result = dict(current)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result
