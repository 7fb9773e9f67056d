"""`/setup/objects/`: the objects list, creating and editing an object, deleting a custom one.

Each view reads the form, calls one metadata service (create_object, update_object, delete_object)
and renders its answer; an api_name is made from the labels (metadata.services.naming) unless the
administrator typed one in the advanced view.
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from metadata.cache import get_meta
from metadata.fieldtypes import field_types
from metadata.meta import ObjectMeta
from metadata.services import create_object, delete_object, update_object
from metadata.services.common import RESERVED_OBJECT_NAMES
from metadata.services.naming import name_from_labels
from metadata.services.objects import retention_days
from metadata.services.usage import object_usage
from tessera.errors import TesseraError

from .access import setup_view
from .forms import error_map, languages, unplaced
from .pages import object_or_404, render_setup

SHARING_MODELS = (("private", gettext_lazy("Private: owners, their managers and whom they share with")),
                  ("public_read", gettext_lazy("Public read only: everyone reads, owners edit")),
                  ("public_read_write", gettext_lazy("Public read/write: everyone reads and edits")))
#: Inputs of the object form (for errors the form shows in place).
FORM_INPUTS = {"api_name", "description", "icon", "color", "sharing_model", "name_field", "name_format",
               "name_start", "in_navigation", "in_search"}


@setup_view
def object_list(request):
    language = get_language()
    rows = [{"object": obj, "label": obj.label(language), "plural": obj.label(language, plural=True),
             "fields": len(obj.fields), "in_navigation": obj.spec.get("in_navigation", True)}
            for obj in sorted(get_meta().objects.values(), key=lambda o: (not o.is_standard, o.label(language)))]
    return render_setup(request, "ui_builder/setup/objects/list.html",
                        {"rows": rows, "title": _("Objects"), "days": retention_days()}, section="objects")


@setup_view
@require_http_methods(["GET", "POST"])
def object_new(request):
    values = _values_from(request.POST) if request.method == "POST" else _blank_values()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        spec = _spec_from(values, new=True)
        try:
            obj = create_object(spec, request.user)
        except TesseraError as exc:
            errors = error_map(exc, {"labels": "labels", "name_field.options": "name_format",
                                     "name_field": "name_field"})
        else:
            return redirect("setup:fields", object_name=obj.api_name)
    return _render_form(request, values, errors, obj=None)


@setup_view
@require_http_methods(["GET", "POST"])
def object_detail(request, object_name: str):
    obj = object_or_404(object_name)
    values = _values_from(request.POST) if request.method == "POST" else _values_of(obj)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        changes = {k: v for k, v in _spec_from(values, new=False).items() if k not in ("api_name", "name_field")}
        try:
            update_object(obj.api_name, changes, request.user)
        except TesseraError as exc:
            errors = error_map(exc, {"labels": "labels"})
        else:
            return redirect(reverse("setup:object", kwargs={"object_name": obj.api_name}) + "?saved=1")
    return _render_form(request, values, errors, obj=obj)


@setup_view
@require_http_methods(["GET", "POST"])
def object_delete(request, object_name: str):
    obj = object_or_404(object_name)
    language = get_language()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            delete_object(obj.api_name, request.user, confirm_name=request.POST.get("confirm_name", ""))
        except TesseraError as exc:
            errors = error_map(exc)
        else:
            return redirect(reverse("setup:objects") + "?deleted=1")
    context = {"object": obj, "label": obj.label(language), "usage": object_usage(obj.api_name, request.user,
                                                                                     language=language),
               "errors": errors, "general_errors": unplaced(errors, {"confirm_name"}),
               "title": _("Delete %(object)s") % {"object": obj.label(language)},
               "days": retention_days(), "history_url": reverse("setup:history") + "?entity=object"}
    return render_setup(request, "ui_builder/setup/objects/delete.html", context, section="objects",
                        status=400 if errors else 200)




def _blank_values() -> dict:
    return {"labels": {code: {"singular": "", "plural": ""} for code, _name in languages()}, "description": "",
            "icon": "", "color": "#2455c3", "sharing_model": "public_read_write", "in_navigation": True,
            "in_search": True, "api_name": "", "name_type": "text", "name_format": "", "name_start": "1",
            "name_labels": {code: "" for code, _name in languages()}}


def _values_from(data) -> dict:
    """What the administrator typed, as the form shows it back."""
    return {
        "labels": {code: {"singular": data.get(f"labels.{code}.singular", "").strip(),
                          "plural": data.get(f"labels.{code}.plural", "").strip()} for code, _name in languages()},
        "description": data.get("description", "").strip(), "icon": data.get("icon", "").strip(),
        "color": data.get("color", "").strip(), "sharing_model": data.get("sharing_model", ""),
        "in_navigation": data.get("in_navigation") == "on", "in_search": data.get("in_search") == "on",
        "api_name": data.get("api_name", "").strip(), "name_type": data.get("name_type", "text"),
        "name_format": data.get("name_format", "").strip(), "name_start": data.get("name_start", "").strip(),
        "name_labels": {code: data.get(f"name_labels.{code}", "").strip() for code, _name in languages()},
    }


def _values_of(obj: ObjectMeta) -> dict:
    values = _blank_values()
    for code, _name in languages():
        names = obj.labels.get(code) or {}
        values["labels"][code] = {"singular": names.get("singular", ""), "plural": names.get("plural", "")}
    name_field = obj.field(obj.name_field)
    values.update({"description": obj.description, "icon": obj.icon, "color": obj.spec.get("color", ""),
                   "sharing_model": obj.spec.get("sharing_model", "private" if obj.is_standard else "public_read_write"),
                   "in_navigation": obj.spec.get("in_navigation", True), "in_search": obj.spec.get("in_search", True),
                   "api_name": obj.api_name, "name_format": (name_field.options.get("format", "") if name_field else "")})
    return values


def _spec_from(values: dict, *, new: bool) -> dict:
    """The object spec the services take, from the form's values."""
    labels = {code: {k: v for k, v in names.items() if v} for code, names in values["labels"].items()
              if names.get("singular")}
    spec: dict = {"labels": labels, "description": values["description"], "icon": values["icon"],
                  "sharing_model": values["sharing_model"], "in_navigation": values["in_navigation"],
                  "in_search": values["in_search"]}
    if values["color"]:
        spec["color"] = values["color"]
    if new:
        taken = set(get_meta().objects)
        singular = {code: names["singular"] for code, names in labels.items()}
        spec["api_name"] = values["api_name"] or name_from_labels(singular, taken, fallback="object",
                                                                  reserved=RESERVED_OBJECT_NAMES)
        name_field: dict = {"api_name": "name", "type": values["name_type"] or "text"}
        name_labels = {code: text for code, text in values["name_labels"].items() if text}
        if name_labels:
            name_field["labels"] = name_labels
        chosen = values["name_type"]
        if chosen in field_types and field_types.get(chosen).numbered:  # an auto-number: its format
            start = values["name_start"]
            name_field["options"] = {"format": values["name_format"],
                                     **({"start": int(start)} if start.isdigit() else {})}
        spec["name_field"] = name_field
    return spec


def _render_form(request, values: dict, errors: dict[str, list[str]], *, obj: ObjectMeta | None):
    language = get_language()
    context = {
        "values": values, "errors": errors, "object": obj, "languages": languages(),
        "general_errors": unplaced(errors, FORM_INPUTS | {"labels"}),
        "label_errors": errors.get("labels", []),
        "sharing_models": SHARING_MODELS, "saved": request.GET.get("saved") == "1",
        "title": obj.label(language) if obj else _("New object"),
    }
    return render_setup(request, "ui_builder/setup/objects/form.html", context, section="objects",
                        object_name=obj.api_name if obj else None, tab="details",
                        status=400 if errors else 200)
