"""Request-level guard of the API: what must be refused before routing, tenant lookup or a view.

A NUL character in the URL or the query string reaches PostgreSQL (which refuses it in any text
parameter) from a filter, a lookup by name or a sort; it is refused here for every `/api/` path,
with a 400 in the one error shape naming the parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from .limits import FORBIDDEN_CHARS_RE, forbidden_text_message

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_response(status: int, code: str, message: str, *, field: str | None = None, **extra: Any) -> JsonResponse:
    """The one error shape, for responses made outside DRF (middleware, Django's error handlers)."""
    detail = [{"code": code, "message": str(message)}]
    body = {"errors": {field: detail} if field else {}, "non_field_errors": [] if field else detail, **extra}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


class ApiRequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_api_request(request):
            refused = self._refused(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refused(self, request: HttpRequest) -> JsonResponse | None:
        if FORBIDDEN_CHARS_RE.search(request.path_info):
            return error_response(400, "invalid_text", _("The address may not contain NUL characters."))
        for key, values in request.GET.lists():
            if FORBIDDEN_CHARS_RE.search(key) or any(FORBIDDEN_CHARS_RE.search(v) for v in values):
                return error_response(400, "invalid_text", forbidden_text_message(),
                                      field=FORBIDDEN_CHARS_RE.sub("", key) or "query")
        return None
