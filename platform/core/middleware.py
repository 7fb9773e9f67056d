"""Request id, tenant routing, and answering 503 while the database is unavailable."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.signals import got_request_exception, request_finished
from django.db import InterfaceError, OperationalError, connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_model

from tessera.api.middleware import error_response, is_api_request

from .context import new_request_id, request_id_var
from .health import healthz, is_health_request

if TYPE_CHECKING:
    from tenants.models import Domain, Tenant
#: What a database that is down, restarting or unreachable raises (also a statement cancelled by
#: a restart); every other database error is a bug and stays a 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
#: Seconds a client is asked to wait before trying again while the database is unavailable.
RETRY_AFTER_SECONDS = 10

logger = logging.getLogger(__name__)



def activate_tenant_time_zone(tenant: Tenant | None) -> None:
    """Dates without an offset, "today" and date ranges are in the tenant's time zone."""
    try:
        timezone.activate(ZoneInfo(getattr(tenant, "time_zone", None) or settings.TIME_ZONE))
    except (ZoneInfoNotFoundError, ValueError):
        timezone.activate(ZoneInfo(settings.TIME_ZONE))


class RequestIdMiddleware:
    """Gives each request an id (kept from X-Request-ID when well formed), echoed in the response.

    The id stays set until `request_finished`, because Django logs a response (404s, 500s) after
    the middleware chain has returned.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.id = request_id = new_request_id(request.headers.get("X-Request-ID"))  # type: ignore[attr-defined]
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


@receiver(request_finished)
def _forget_request_id(sender: object, **kwargs: Any) -> None:
    request_id_var.set("-")


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants routing by host, with the platform hosts mapped to the public schema.

    `<slug>.<base domain>` finds its tenant through the Domain table; the base domain and
    TESSERA_PUBLIC_HOSTS serve the public site; anything else gets a plain 404 page, never a traceback
    or another tenant.
    """

    def get_tenant(self, domain_model: type[Domain], hostname: str) -> Tenant:
        if hostname in settings.TESSERA_PUBLIC_HOSTS:
            return get_tenant_model().objects.get(schema_name=get_public_schema_name())
        tenant = super().get_tenant(domain_model, hostname)
        if not tenant.is_active:
            raise domain_model.DoesNotExist
        return tenant

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            response = super().process_request(request)
        except DATABASE_UNAVAILABLE as exc:
            logger.warning("database unavailable: %s", exc)
            return database_unavailable_response(request)
        except get_tenant_model().DoesNotExist:
            # The public tenant row is missing: the platform is not migrated yet.
            return self.no_tenant_found(request, self.hostname_from_request(request))
        if response is None:
            activate_tenant_time_zone(request.tenant)  # type: ignore[attr-defined]  # set by django-tenants
        return response

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        return render(request, "core/unknown_host.html", {"hostname": hostname}, status=404)



class DatabaseUnavailableMiddleware:
    """While the database is unavailable, answer 503 with Retry-After instead of a 500: in the API's
    error shape on API paths, a short page elsewhere, and `/healthz` its own report of what is down.

    The database is first queried by the tenant routing (which host is which tenant), before any
    view runs, so a view's `process_exception` alone cannot catch an outage: this middleware sits
    before the routing, and a failure anywhere inside it (routing, session, view) is recognised by
    the exception Django reports with `got_request_exception` while turning it into a response.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if getattr(request, "_tessera_database_unavailable", False):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("database unavailable: %s", exception)
            return database_unavailable_response(request)
        return None


@receiver(got_request_exception)
def _note_database_unavailable(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        request._tessera_database_unavailable = True  # type: ignore[attr-defined]


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if is_health_request(request):
        response = healthz(request)
    elif is_api_request(request):
        response = error_response(503, "unavailable", _("The service is briefly unavailable. Try again in a few seconds."))
    else:
        response = render(request, "core/unavailable.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
