"""Request id and tenant routing middleware."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.signals import request_finished
from django.db import connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_model

from .context import new_request_id, request_id_var

if TYPE_CHECKING:
    from tenants.models import Domain, Tenant


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
        except get_tenant_model().DoesNotExist:
            # The public tenant row is missing: the platform is not migrated yet.
            return self.no_tenant_found(request, self.hostname_from_request(request))
        if response is None:
            activate_tenant_time_zone(request.tenant)  # type: ignore[attr-defined]  # set by django-tenants
        return response

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        return render(request, "core/unknown_host.html", {"hostname": hostname}, status=404)
