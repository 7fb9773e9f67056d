"""The one place where domain errors become HTTP responses, in one shape for every endpoint:

    {"errors": {"<field>": [{"code": "...", "message": "..."}]}, "non_field_errors": [...]}
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tessera.errors import TesseraError


def exception_handler(exc, context):
    if isinstance(exc, TesseraError):
        return Response(exc.as_payload(), status=exc.status)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = _reshape(exc, response.data)
    return response


def _reshape(exc, data) -> dict:
    if isinstance(exc, drf_exceptions.ValidationError) and isinstance(data, dict):
        errors = {}
        non_field = []
        for name, details in data.items():
            items = [_detail(d) for d in (details if isinstance(details, list) else [details])]
            if name in ("non_field_errors", "detail"):
                non_field.extend(items)
            else:
                errors[name] = items
        return {"errors": errors, "non_field_errors": non_field}
    if isinstance(data, list):
        return {"errors": {}, "non_field_errors": [_detail(d) for d in data]}
    detail = data.get("detail", data) if isinstance(data, dict) else data
    return {"errors": {}, "non_field_errors": [_detail(detail)]}


def _detail(detail) -> dict:
    if isinstance(detail, dict):
        # A nested serializer's errors: flatten to the first message, keep the code.
        first = next(iter(detail.values()), "")
        return _detail(first[0] if isinstance(first, list) and first else first)
    return {"code": getattr(detail, "code", "invalid") or "invalid", "message": str(detail)}
