"""Request context for the audit log: the client address and the request id of the work in progress."""

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from . import audit


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = audit.set_context(request)
        try:
            return self.get_response(request)
        finally:
            audit.reset_context(token)
