"""`/setup/objects/<object>/fields/`: an object's fields, the field designer, deleting a field.

The designer posts to itself: with `?preview=1` (htmx, on every change) the metadata service checks
the field without saving it and the page shows its errors and the field as users will see it; with
`?options=1` the options part is drawn again (a new lookup target, child object or controlling
field changes what the next inputs offer); a plain POST saves through add_field / update_field.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from metadata.cache import get_meta
from metadata.fieldtypes import FieldType, field_types
from metadata.meta import FieldMeta, ObjectMeta
from metadata.services import add_field, check_field, delete_field, update_field
from metadata.services.fields import active_field
from metadata.services.presets import add_china_divisions
from metadata.services.usage import field_usage
from tessera.errors import NotFound, TesseraError, ValidationFailed

from . import field_form
from .access import setup_view
from .forms import error_map, unplaced
from .pages import object_or_404, render_setup

DESIGNER = "ui_builder/setup/fields/designer.html"


@setup_view
def field_list(request, object_name: str):
    obj = object_or_404(object_name)
    language = get_language()
    # Built here, not per row in the template: a wide object draws hundreds of rows.
    base = reverse("setup:fields", kwargs={"object_name": obj.api_name})
    type_labels: dict[str, str] = {}
    rows = [{"field": f, "label": f.label(language), "url": f"{base}{f.api_name}/",
             "type": type_labels.setdefault(f.type.key, str(f.type.label)), "required": f.required,
             "system": f.is_system or f.column is not None}
            for f in obj.fields]
    return render_setup(request, "ui_builder/setup/fields/list.html",
                        {"object": obj, "rows": rows, "title": obj.label(language),
                         "saved": request.GET.get("saved"), "deleted": request.GET.get("deleted")},
                        section="objects", object_name=obj.api_name, tab="fields")


@setup_view
@require_http_methods(["GET", "POST"])
def field_new(request, object_name: str):
    obj = object_or_404(object_name)
    type_key = request.GET.get("type") or request.POST.get("type", "")
    if type_key not in field_types:
        return render_setup(request, "ui_builder/setup/fields/choose_type.html",
                            {"object": obj, "types": _types(), "title": _("New field")},
                            section="objects", object_name=obj.api_name, tab="fields")
    return _designer(request, obj, field_types.get(type_key), current=None)


@setup_view
@require_http_methods(["GET", "POST"])
def field_edit(request, object_name: str, field_name: str):
    obj = object_or_404(object_name)
    current = field_or_404(obj, field_name)
    return _designer(request, obj, current.type, current=current)


@setup_view
@require_http_methods(["GET", "POST"])
def field_delete(request, object_name: str, field_name: str):
    obj = object_or_404(object_name)
    field = field_or_404(obj, field_name)
    language = get_language()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            delete_field(obj.api_name, field.api_name, request.user)
        except TesseraError as exc:
            errors = error_map(exc)
        else:
            return redirect(reverse("setup:fields", kwargs={"object_name": obj.api_name}) + "?deleted=1")
    usage = field_usage(obj.api_name, field.api_name, request.user, language=language)
    return render_setup(request, "ui_builder/setup/fields/delete.html",
                        {"object": obj, "field": field, "label": field.label(language), "usage": usage,
                         "general_errors": unplaced(errors, set()),
                         "title": _("Delete %(field)s") % {"field": field.label(language)}},
                        section="objects", object_name=obj.api_name, tab="fields", status=400 if errors else 200)


@setup_view
@require_POST
def china_preset(request, object_name: str):
    """Province → city → district, three picklists with China's division codes, in one step."""
    obj = object_or_404(object_name)
    try:
        add_china_divisions(obj.api_name, request.user, prefix=request.POST.get("prefix", "").strip())
    except TesseraError as exc:
        return render_setup(request, "ui_builder/setup/fields/choose_type.html",
                            {"object": obj, "types": _types(), "title": _("New field"),
                             "preset_errors": [m for ms in error_map(exc).values() for m in ms]},
                            section="objects", object_name=obj.api_name, tab="fields", status=400)
    return redirect(reverse("setup:fields", kwargs={"object_name": obj.api_name}) + "?saved=district")


def _types() -> list[FieldType]:
    return sorted(field_types.all().values(), key=lambda t: str(t.label))


def _designer(request, obj: ObjectMeta, field_type: FieldType, *, current: FieldMeta | None):
    tenant = get_meta()
    language = get_language()
    if request.method == "GET":
        spec = field_form.spec_of(current) if current else {"type": field_type.key, "labels": {}, "help_text": {},
                                                             "options": field_type.default_options()}
        compiled, errors = (current, {}) if current else (None, {})
    else:
        spec = field_form.spec_from(request.POST, field_type, obj, tenant, current=current, language=language,
                                    actor=request.user)
        compiled, collected = check_field(obj.api_name, spec, request.user,
                                          field_api_name=current.api_name if current else None)
        errors = error_map(_failed(collected)) if collected else {}
        if not (request.GET.get("preview") or request.GET.get("options")) and not errors:
            return _save(request, obj, spec, current)
    context = {
        "object": obj, "field_type": field_type, "current": current, "spec": spec, "errors": errors,
        "labels": field_form.labels_context(spec, errors),
        "flags": field_form.flags_context(field_type, spec),
        "options": field_form.options_context(field_type, obj, tenant, spec.get("options") or {}, compiled, errors,
                                              language, actor=request.user),
        "preview": field_form.preview_item(request, compiled, spec, language),
        "numbers": field_form.next_numbers(spec.get("options") or {}),
        "general_errors": unplaced(errors, {"api_name", "default", "required", "unique", "indexed",
                                            "history_tracked", "labels"}
                                   | {f"labels.{code}" for code in spec.get("labels", {})}
                                   | {key for name in (spec.get("options") or {})
                                      for key in field_form.option_error_keys(errors, name)}),
        "title": current.label(language) if current else _("New field: %(type)s") % {"type": field_type.label},
    }
    if request.GET.get("preview"):
        return render_setup(request, "ui_builder/setup/fields/preview.html", context, section="objects")
    if request.GET.get("options"):
        return render_setup(request, "ui_builder/setup/fields/options.html", context, section="objects")
    return render_setup(request, DESIGNER, context, section="objects", object_name=obj.api_name, tab="fields",
                        status=400 if errors else 200)


def _save(request, obj: ObjectMeta, spec: dict, current: FieldMeta | None):
    try:
        if current is None:
            saved = add_field(obj.api_name, spec, request.user)
        else:
            changes = {k: v for k, v in spec.items() if k not in ("api_name", "type")}
            saved = update_field(obj.api_name, current.api_name, changes, request.user)
    except TesseraError as exc:
        errors = error_map(exc)
        return render_setup(request, DESIGNER, {
            "object": obj, "field_type": current.type if current else field_types.get(spec["type"]), "current": current,
            "spec": spec, "errors": errors, "labels": field_form.labels_context(spec, errors),
            "flags": field_form.flags_context(field_types.get(spec["type"]), spec),
            "options": field_form.options_context(field_types.get(spec["type"]), obj, get_meta(),
                                                  spec.get("options") or {}, None, errors, get_language(),
                                                  actor=request.user),
            "preview": None, "numbers": [], "general_errors": unplaced(errors, set()), "title": _("Field"),
        }, section="objects", object_name=obj.api_name, tab="fields", status=400)
    return redirect(reverse("setup:fields", kwargs={"object_name": obj.api_name}) + f"?saved={saved.api_name}")


def _failed(collected) -> ValidationFailed:
    return ValidationFailed(collected.field_errors, collected.non_field_errors)


def field_or_404(obj: ObjectMeta, field_name: str) -> FieldMeta:
    try:
        return active_field(obj, field_name)
    except NotFound:
        raise Http404(field_name) from None
