"""`/setup/organization/`: the organisation's settings (tenants.organization does the work)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tenants import organization
from tessera.errors import NotFound, ValidationFailed

from .access import setup_view
from .pages import render_setup


@setup_view
@require_http_methods(["GET", "POST"])
def organization_settings(request):
    tenant = request.tenant
    values = organization.settings_of(tenant)
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    if request.method == "POST":
        data = request.POST
        values = {**values, "name": data.get("name", ""), "time_zone": data.get("time_zone", ""),
                  "currency": data.get("currency", ""),
                  "fiscal_year_start_month": data.get("fiscal_year_start_month", ""),
                  "languages": data.getlist("languages"), "language": data.get("language", "")}
        changes = {key: values[key] for key in organization.FIELDS}
        try:
            organization.update_organization(changes, request.user, logo=request.FILES.get("logo"),
                                              remove_logo=data.get("remove_logo") == "on")
        except ValidationFailed as exc:
            errors = {name: [str(d.message) for d in details] for name, details in exc.field_errors.items()}
            form_errors = [str(d.message) for d in exc.non_field_errors]
        else:
            return redirect(f"{request.path}?saved=1")
    context = {
        "values": values,
        "errors": errors,
        "form_errors": form_errors,
        "has_errors": bool(errors or form_errors),
        "saved": request.GET.get("saved") == "1",
        "time_zones": organization.time_zones(),
        "currencies": organization.CURRENCIES,
        "months": sorted(MONTHS.items()),
        "languages": settings.LANGUAGES,
        "logo_version": tenant.logo.rsplit("/", 1)[-1] if tenant.logo else "",
        "title": _("Organisation"),
    }
    return render_setup(request, "ui_builder/setup/organization.html", context, section="organization",
                        status=400 if context["has_errors"] else 200)


@login_required
def logo(request):
    """The tenant's logo, for any of its signed-in users: only a proven raster image, never sniffed
    or run as anything else."""
    try:
        found = organization.logo_file()
    except NotFound:
        raise Http404("logo") from None
    response = FileResponse(found.open(), content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"
    return response
