"""What the metadata views share beyond the API base (tessera.api.base): the snapshot, what a
reader may see of it, and the shape of small command bodies."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.request import Request

from metadata.cache import get_meta
from metadata.formula_scope import fields_read
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from metadata.services.common import get_object
from tessera.errors import ErrorDetail, ValidationFailed
from tessera.security.access import access_for

#: The documented answer of endpoints that list things (a JSON array of objects).
JSON_LIST = {"type": "array", "items": {"type": "object"}}


def tenant_and_object(object_api_name: str) -> tuple[TenantMeta, ObjectMeta]:
    tenant = get_meta()
    return tenant, get_object(object_api_name, tenant)


def reader_fields(request: Request, obj: ObjectMeta, fields: Iterable[FieldMeta]) -> list[FieldMeta]:
    """The fields this reader may know about: all of them for those who customise; for everyone
    else, only those field-level security lets them read (a hidden field stays unknown here too)."""
    access = access_for(request.user)
    if access.has_right("customize"):
        return list(fields)
    return [f for f in fields if access.readable(obj, f)]


def reader_definitions(request: Request, obj: ObjectMeta) -> Callable[[FieldMeta], bool]:
    """`definition(field)`: whether this reader may see how a computed field is made (a formula's
    text, a roll-up's source): those who customise, and those who may read every field it names."""
    access = access_for(request.user)
    if access.has_right("customize"):
        return lambda field: True
    return lambda field: access.sources_readable(obj, field)


def reader_rules(request: Request, tenant: TenantMeta, obj: ObjectMeta) -> Callable[[Mapping[str, Any]], bool]:
    """`visible(rule)`: whether this reader may see a validation rule, whose formula text names
    fields: those who customise, and those who may read every field it names."""
    access = access_for(request.user)
    if access.has_right("customize"):
        return lambda rule: True

    def visible(rule: Mapping[str, Any]) -> bool:
        found = fields_read(tenant, obj, rule.get("formula", ""), "boolean")
        return found is not None and all(access.readable(o, f) for o, f in found)

    return visible


def reader_objects(request: Request, objects: Iterable[ObjectMeta]) -> list[ObjectMeta]:
    access = access_for(request.user)
    if access.has_right("customize"):
        return list(objects)
    return [obj for obj in objects if access.can(obj, "read")]


def require_keys(body: dict, types: dict[str, type | tuple[type, ...]], *,
                 optional: frozenset[str] = frozenset()) -> None:
    """Shape of a small command body: each key present (unless optional) with the right JSON type."""
    errors: dict[str, str] = {}
    for key, expected in types.items():
        if key not in body:
            if key not in optional:
                errors[key] = "required"
            continue
        value = body[key]
        if isinstance(value, bool) and bool not in (expected if isinstance(expected, tuple) else (expected,)):
            errors[key] = "invalid"
        elif not isinstance(value, expected):
            errors[key] = "invalid"
    if errors:
        messages = {"required": _("This property is required."), "invalid": _("This value has the wrong type.")}
        raise ValidationFailed({key: [ErrorDetail(code, messages[code])] for key, code in errors.items()})
