"""`/setup/objects/<object>/categories/`: record categories (客户主分类) — a retail customer, a VIP,
a supplier — each with the fields it uses, the fields it requires, the picklist values it allows
and its own edit and view layouts. Saved through the category service (its validation, its history).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from metadata.meta import CategoryMeta, ObjectMeta, pick_label
from metadata.services import create_category, delete_category, update_category
from tessera.errors import TesseraError

from .access import setup_view
from .form_state import act_then_redirect, errors_in_place, labels_in_every_language
from .names import languages, new_api_name, object_for_setup
from .pages import render_setup


@setup_view
@require_http_methods(["GET", "POST"])
def category_list(request, object_name: str):
    """The categories; POST: a new one (then its page, to choose its fields and layouts)."""
    language = get_language()
    obj = object_for_setup(object_name)
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    if request.method == "POST":
        spec = {"api_name": new_api_name("category", obj.categories),
                "labels": labels_in_every_language(request.POST, "label", languages()),
                "position": (max((c.id for c in obj.categories.values()), default=0) + 1) * 10}
        try:
            create_category(obj.api_name, spec, request.user)
        except TesseraError as exc:
            errors, form_errors = errors_in_place(exc)
        else:
            return redirect("setup:category", object_name=obj.api_name, category_name=spec["api_name"])
    context = {
        "title": _("Categories"), "object": obj, "object_label": obj.label(language), "languages": languages(),
        "categories": [{"category": c, "label": c.label(language),
                        "edit_layout": _layout_label(obj, c.edit_layout, language),
                        "view_layout": _layout_label(obj, c.view_layout, language)} for c in obj.categories.values()],
        "errors": errors, "form_errors": form_errors,
    }
    return render_setup(request, "ui_builder/setup/categories/list.html", context, section="objects",
                        object_name=obj.api_name, tab="categories", status=400 if errors or form_errors else 200)


def _layout_label(obj: ObjectMeta, name: str | None, language: str) -> str:
    layout = obj.layouts.get(name or "")
    return pick_label(layout.labels, language) or layout.api_name if layout else ""


@setup_view
@require_http_methods(["GET", "POST"])
def category_edit(request, object_name: str, category_name: str):
    language = get_language()
    obj = object_for_setup(object_name)
    category = obj.categories.get(category_name)
    if category is None:
        raise Http404(category_name)
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    values = _values(category)
    if request.method == "POST":
        values = _posted(request.POST, obj)
        try:
            update_category(obj.api_name, category.api_name, values, request.user)
        except TesseraError as exc:
            errors, form_errors = errors_in_place(exc)
        else:
            messages.success(request, _("Category saved."))
            return redirect("setup:categories", object_name=obj.api_name)
    used = set(values.get("fields") or ())
    required = set(values.get("required_fields") or ())
    restricted = values.get("picklist_values") or {}
    context = {
        "title": category.label(language), "object": obj, "category": category, "object_label": obj.label(language),
        "labels": [(code, name, (values.get("labels") or {}).get(code, "")) for code, name in languages()],
        "active": values.get("active", True),
        "fields": [{"name": f.api_name, "label": f.label(language), "used": not used or f.api_name in used,
                    "required": f.api_name in required, "always": f.api_name == obj.name_field}
                   for f in obj.fields if not f.is_system or f.api_name == obj.name_field],
        "picklists": [{"name": f.api_name, "label": f.label(language),
                       "choices": [(c["value"], c["label"], f.api_name not in restricted or c["value"] in restricted[f.api_name])
                                   for c in f.type.widget_descriptor(f, language).get("choices", ())]}
                      for f in obj.fields if f.type.choice_keys(f) is not None and f.writable],
        "layouts": {kind: [(la.api_name, pick_label(la.labels, language) or la.api_name)
                           for la in obj.layouts.values() if la.kind == kind] for kind in ("edit", "view")},
        "edit_layout": values.get("edit_layout") or "", "view_layout": values.get("view_layout") or "",
        "errors": errors, "form_errors": form_errors,
    }
    return render_setup(request, "ui_builder/setup/categories/edit.html", context, section="objects",
                        object_name=obj.api_name, tab="categories", status=400 if errors or form_errors else 200)


def _values(category: CategoryMeta) -> dict:
    return {"labels": dict(category.labels), "active": category.active, "fields": list(category.fields),
            "required_fields": sorted(category.required_fields),
            "picklist_values": {k: sorted(v) for k, v in category.picklist_values.items()},
            "edit_layout": category.edit_layout, "view_layout": category.view_layout}


def _posted(post, obj: ObjectMeta) -> dict:
    """The category's changes from its form. Every field ticked means "all fields" (an empty list),
    so a field added later shows in the category too; every value ticked means no restriction."""
    used = post.getlist("fields")
    every = [f.api_name for f in obj.fields if not f.is_system or f.api_name == obj.name_field]
    restricted = {}
    for f in obj.fields:
        keys = f.type.choice_keys(f)
        if keys is not None and f"values_{f.api_name}" in post.getlist("picklists"):
            chosen = post.getlist(f"values_{f.api_name}")
            if set(chosen) != set(keys):
                restricted[f.api_name] = [k for k in keys if k in chosen]
    return {
        "labels": labels_in_every_language(post, "label", languages()),
        "active": post.get("active") == "on",
        "fields": [] if set(every) <= set(used) else used,
        "required_fields": post.getlist("required"),
        "picklist_values": restricted,
        "edit_layout": post.get("edit_layout") or None, "view_layout": post.get("view_layout") or None,
    }


@setup_view
@require_POST
def category_delete(request, object_name: str, category_name: str):
    obj = object_for_setup(object_name)
    return act_then_redirect(request, lambda: delete_category(obj.api_name, category_name, request.user),
                             "setup:categories", object_name=obj.api_name)
