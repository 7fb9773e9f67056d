"""What every metadata view shares: JSON in, the snapshot out, shape checks of the input.

Views check only the SHAPE of the input (a JSON object, a list, a boolean); the services validate
the content and check the actor's rights, and their domain errors become HTTP in the one exception
handler (tessera.api.exceptions).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.views import APIView

from metadata.cache import get_meta
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from metadata.services.common import get_object
from tessera.errors import ErrorDetail, NotFound, ValidationFailed

#: The documented answer of endpoints that list things (a JSON array of objects).
JSON_LIST = {"type": "array", "items": {"type": "object"}}
TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no", ""})


class MetaView(APIView):
    """JSON only; reading needs an authenticated tenant user (the project default), writing the
    customise right (enforced by the services)."""



def body_object(request: Request) -> dict:
    """The request body, which must be a JSON object."""
    data = request.data
    if not isinstance(data, dict):
        raise ValidationFailed.single(None, "invalid", _("Send a JSON object."))
    return dict(data)


def tenant_and_object(object_api_name: str) -> tuple[TenantMeta, ObjectMeta]:
    tenant = get_meta()
    return tenant, get_object(object_api_name, tenant)


def reader_fields(request: Request, obj: ObjectMeta, fields: Iterable[FieldMeta]) -> list[FieldMeta]:
    """The fields this reader may know about: all of them for those who customise; for everyone
    else, only those field-level security lets them read (a hidden field stays unknown here too)."""
    from tessera.security.access import access_for

    access = access_for(request.user)
    if access.has_right("customize"):
        return list(fields)
    return [f for f in fields if access.readable(obj, f)]


def reader_objects(request: Request, objects: Iterable[ObjectMeta]) -> list[ObjectMeta]:
    from tessera.security.access import access_for

    access = access_for(request.user)
    if access.has_right("customize"):
        return list(objects)
    return [obj for obj in objects if access.can(obj, "read")]


def active_field(obj: ObjectMeta, field_api_name: str) -> FieldMeta:
    field = obj.field(field_api_name)
    if field is None:
        raise NotFound(_("No field named “%(name)s”.") % {"name": field_api_name}, code="unknown_field")
    return field


def bool_param(request: Request, name: str, default: bool = False) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationFailed.single(name, "invalid", _("Use true or false."))


@overload
def int_param(request: Request, name: str, *, default: int, low: int = 1, high: int = 2**63 - 1) -> int: ...
@overload
def int_param(request: Request, name: str, *, default: None = None, low: int = 1,
              high: int = 2**63 - 1) -> int | None: ...
def int_param(request: Request, name: str, *, default: int | None = None, low: int = 1,
              high: int = 2**63 - 1) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ValidationFailed.single(name, "invalid", _("A whole number from %(low)d to %(high)d.")
                                      % {"low": low, "high": high})
    return value


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
