"""Request context for the audit log: the client address and the request id of the work in progress."""

from . import audit


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.set_context(request)
        try:
            return self.get_response(request)
        finally:
            audit.reset_context(token)
