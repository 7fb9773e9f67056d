"""A field's other designer pages: changing its type after the engine's dry run, and who sees it
(field-level security across the profiles)."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from metadata.fieldtypes import field_types
from metadata.services import change_field_type
from tessera.errors import TesseraError
from tessera.security.services.field_access import LEVELS, field_levels, set_field_levels

from .access import setup_view
from .fields import field_or_404
from .forms import error_map
from .pages import object_or_404, render_setup


@setup_view
@require_http_methods(["GET", "POST"])
def change_type(request, object_name: str, field_name: str):
    obj = object_or_404(object_name)
    field = field_or_404(obj, field_name)
    targets = [field_types.get(key) for key in sorted(field.type.converts_to) if key in field_types]
    chosen = request.POST.get("new_type", "")
    report, errors = None, {}
    if request.method == "POST" and chosen:
        confirm = request.POST.get("confirm") == "1"
        try:
            report = change_field_type(obj.api_name, field.api_name, chosen, request.user,
                                       options=field_types.get(chosen).default_options() if chosen in field_types else {},
                                       dry_run=not confirm)
        except TesseraError as exc:
            errors = error_map(exc)
        else:
            if confirm:
                return redirect(reverse("setup:field", kwargs={"object_name": obj.api_name,
                                                               "field_name": field.api_name}) + "?converted=1")
    context = {"object": obj, "field": field, "label": field.label(get_language()), "targets": targets,
               "chosen": chosen, "report": report, "errors": [m for ms in errors.values() for m in ms],
               "title": _("Change the type of %(field)s") % {"field": field.label(get_language())}}
    return render_setup(request, "ui_builder/setup/fields/change_type.html", context, section="objects",
                        object_name=obj.api_name, tab="fields", status=400 if errors else 200)


@setup_view
@require_http_methods(["GET", "POST"])
def field_security(request, object_name: str, field_name: str):
    obj = object_or_404(object_name)
    field = field_or_404(obj, field_name)
    errors: list[str] = []
    if request.method == "POST":
        levels = {key.removeprefix("level."): value for key, value in request.POST.items() if key.startswith("level.")}
        try:
            set_field_levels(obj.api_name, field.api_name, levels, request.user)
        except TesseraError as exc:
            errors = [m for ms in error_map(exc).values() for m in ms]
        else:
            return redirect(request.path + "?saved=1")
    language = get_language()
    rows = [{"profile": p, "label": (p.spec or {}).get("labels", {}).get(language) or p.api_name, "level": level,
             "locked": p.api_name == "administrator"} for p, level in field_levels(obj.api_name, field.api_name)]
    context = {"object": obj, "field": field, "rows": rows, "levels": LEVELS, "errors": errors,
               "saved": request.GET.get("saved") == "1",
               "title": _("Who sees %(field)s") % {"field": field.label(language)}}
    return render_setup(request, "ui_builder/setup/fields/security.html", context, section="objects",
                        object_name=obj.api_name, tab="fields", status=400 if errors else 200)
