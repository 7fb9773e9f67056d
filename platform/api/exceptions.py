"""The one place where errors become HTTP responses, in one shape for every endpoint:

    {"errors": {"<field>": [{"code": "...", "message": "..."}]}, "non_field_errors": [...]}

`exception_handler` serves DRF views (domain errors → 400/403/404/409). The `handler…` functions
are Django's error views of both URL configurations: under `/api/` they answer in the same JSON
shape (an unknown URL, an oversized body, an unexpected error: the 500 carries the request id, and
Django logs it with its traceback), elsewhere Django's own pages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tessera.errors import TesseraError

from .limits import max_json_bytes
from .middleware import error_response, is_api_request


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, TesseraError):
        return Response(exc.as_payload(), status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        return Response(_too_big_payload(), status=413)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = _reshape(exc, response.data)
    return response


def _reshape(exc: Exception, data: Any) -> dict:
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


def _detail(detail: Any) -> dict:
    if isinstance(detail, dict):
        # A nested serializer's errors: flatten to the first message, keep the code.
        first = next(iter(detail.values()), "")
        return _detail(first[0] if isinstance(first, list) and first else first)
    return {"code": getattr(detail, "code", "invalid") or "invalid", "message": str(detail)}


def _too_big_payload() -> dict:
    return {"errors": {}, "non_field_errors": [{"code": "too_large", "message": str(
        _("The body is larger than %(size)d bytes.") % {"size": max_json_bytes()})}]}


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return error_response(413, "too_large", _too_big_payload()["non_field_errors"][0]["message"])
    return error_response(400, "bad_request", _("The request could not be understood."))


def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.permission_denied(request, exception)
    return error_response(403, "permission_denied", _("You do not have permission to do this."))


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.page_not_found(request, exception)
    return error_response(404, "not_found", _("Not found."))


def handler500(request: HttpRequest) -> HttpResponse:
    if not is_api_request(request):
        return defaults.server_error(request)
    request_id = getattr(request, "id", None)
    return error_response(500, "server_error", _("Something went wrong on our side; it has been logged "
                                                 "(request id %(id)s).") % {"id": request_id},
                          request_id=request_id)
