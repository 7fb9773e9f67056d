"""`/setup/objects/<object>/layouts/`: the object's edit and view layouts, and the designer of one.

The designer is a form holding the layout's working copy (layout_state): dragging a field
(SortableJS, static/ui_builder/setup-layouts.js) only moves its input inside the form; every drag
has a keyboard alternative, a button that posts the form with one operation (move up, down, to a
section, back to the palette) and draws it again, unsaved. "Save" hands the copy to the layout
service, whose errors (a required field left out, an unknown field…) are shown in place.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from metadata.cache import get_meta
from metadata.meta import LayoutMeta, ObjectMeta, pick_label
from metadata.services import create_layout, delete_layout, update_layout
from metadata.services.layouts import must_stay
from tessera.errors import TesseraError
from tessera.security import services as security
from tessera.security.models import Profile

from . import layout_state
from .access import setup_view
from .form_state import act_then_redirect, errors_in_place, labels_in_every_language
from .names import languages, new_api_name, object_for_setup
from .pages import render_setup
from .users import profile_label


@setup_view
@require_http_methods(["GET", "POST"])
def layout_list(request, object_name: str):
    """The layouts; POST: a new layout (a copy of the object's default one of its kind)."""
    language = get_language()
    obj = object_for_setup(object_name)
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    if request.method == "POST":
        kind = request.POST.get("kind") if request.POST.get("kind") in ("edit", "view") else "edit"
        source = obj.layouts.get(request.POST.get("copy_from", "")) or obj.default_layout(kind)
        labels = labels_in_every_language(request.POST, "label", _languages())
        spec = {"api_name": new_api_name(f"{kind}_layout", obj.layouts), "kind": kind,
                **({"labels": labels} if labels else {}),
                "sections": layout_state.copied_sections(source if source and source.kind == kind else None)}
        if kind == "view" and source is not None and source.kind == kind:
            spec.update({k: v for k, v in layout_state.from_layout(source).changes().items()
                         if k in ("related_lists", "compact_fields", "path_field") and v})
        try:
            create_layout(obj.api_name, spec, request.user)
        except TesseraError as exc:
            errors, form_errors = errors_in_place(exc)
        else:
            return redirect("setup:layout", object_name=obj.api_name, layout_name=spec["api_name"])
    layouts = sorted(obj.layouts.values(), key=lambda la: (la.kind, la.id))
    context = {
        "title": _("Layouts"), "object": obj, "object_label": obj.label(language),
        "layouts": [{"layout": la, "label": pick_label(la.labels, language) or la.api_name,
                     "category": obj.categories[la.category].label(language) if la.category in obj.categories else "",
                     "used_by": [c.label(language) for c in obj.categories.values()
                                 if la.api_name in (c.edit_layout, c.view_layout)]} for la in layouts],
        "languages": _languages(), "errors": errors, "form_errors": form_errors,
    }
    return render_setup(request, "ui_builder/setup/layouts/list.html", context, section="objects",
                        object_name=obj.api_name, tab="layouts", status=400 if errors or form_errors else 200)


@setup_view
@require_http_methods(["GET", "POST"])
def layout_designer(request, object_name: str, layout_name: str):
    obj = object_for_setup(object_name)
    layout = obj.layouts.get(layout_name)
    if layout is None:
        raise Http404(layout_name)
    errors: list[str] = []
    if request.method == "POST":
        state = layout_state.from_post(request.POST, layout.kind)
        op = request.POST.get("op", "save")
        if op == "save":
            try:
                update_layout(obj.api_name, layout.api_name, state.changes(), request.user)
            except TesseraError as exc:
                by_field, general = errors_in_place(exc)
                errors = general + [m for found in by_field.values() for m in found]
            else:
                messages.success(request, _("Layout saved."))
                return redirect("setup:layout", object_name=obj.api_name, layout_name=layout.api_name)
        else:
            layout_state.apply(state, op, request.POST)
    else:
        state = layout_state.from_layout(layout)
    context = designer_context(request, obj, layout, state)
    context["errors"] = errors
    return render_setup(request, "ui_builder/setup/layouts/designer.html", context, section="objects",
                        object_name=obj.api_name, tab="layouts", status=400 if errors else 200)


@setup_view
@require_POST
def layout_delete(request, object_name: str, layout_name: str):
    obj = object_for_setup(object_name)
    return act_then_redirect(request, lambda: delete_layout(obj.api_name, layout_name, request.user),
                             "setup:layouts", object_name=obj.api_name)


def _languages() -> list[tuple[str, str]]:
    return languages()


def designer_context(request, obj: ObjectMeta, layout: LayoutMeta, state: layout_state.LayoutState) -> dict:
    language = get_language()
    tenant = get_meta()
    labels = {f.api_name: f.label(language) for f in obj.fields}
    stay = set(must_stay(obj, layout.category)) if layout.kind == "edit" else set()
    placed = state.placed()
    section_names = [(str(k), pick_label(s.labels, language) or _("Section %(n)d") % {"n": k + 1})
                     for k, s in enumerate(state.sections)]
    languages = _languages()
    # Built here once rather than by template loops: a section of 300 fields would otherwise draw
    # 300 × (sections + 1) options and 900 translated labels through the template engine.
    choices = {str(k): format_html_join("", '<option value="{}"{}>{}</option>',
                                        ((value, mark_safe(" selected") if value == str(k) else "", name)
                                         for value, name in section_names)) for k in range(len(state.sections))}
    off_layout = format_html('<option value="{}">{}</option>', layout_state.PALETTE, _("Off the layout"))
    move_up, move_down, goes = _("Move “%(field)s” up"), _("Move “%(field)s” down"), _("Where “%(field)s” goes")
    sections = [{
        "index": k, "title": section_names[k][1], "columns": s.columns,
        "labels": [(code, name, s.labels.get(code, "")) for code, name in languages],
        "items": [{"name": i["field"], "label": labels.get(i["field"], i["field"]), "stay": i["field"] in stay,
                   "flags": ",".join(f for f in ("required", "read_only") if i.get(f)),
                   "up": move_up % {"field": labels.get(i["field"], i["field"])},
                   "down": move_down % {"field": labels.get(i["field"], i["field"])},
                   "goes": goes % {"field": labels.get(i["field"], i["field"])},
                   "options": choices[str(k)] if i["field"] in stay else choices[str(k)] + off_layout}
                  for i in s.items],
    } for k, s in enumerate(state.sections)]
    palette_options = format_html_join("", '<option value="{}">{}</option>', section_names)
    palette = [{"name": f.api_name, "label": labels[f.api_name], "stay": f.api_name in stay,
                "where": _("Section for “%(field)s”") % {"field": labels[f.api_name]}}
               for f in obj.fields if f.api_name not in placed]
    related = []
    for r, entry in enumerate(state.related_lists):
        child = tenant.objects.get(entry["object"])
        columns = [(f.api_name, f.label(language), f.api_name in entry.get("columns", ())) for f in child.fields] \
            if child else []
        related.append({"index": r, "relation": f"{entry['object']}.{entry['field']}", "columns": columns,
                        "label": child.label(language, plural=True) if child else entry["object"],
                        "labels": [(code, name, (entry.get("labels") or {}).get(code, "")) for code, name in languages],
                        "sort": (entry.get("sort") or [""])[0],
                        "sorts": [(f"-{f.api_name}", f.label(language)) for f in child.fields if f.type.sortable]
                        if child else []})
    preview_name = request.POST.get("preview_profile") or request.GET.get("preview_profile") or ""
    return {
        "title": pick_label(state.labels, language) or layout.api_name, "object": obj, "layout": layout,
        "object_label": obj.label(language), "state": state, "sections": sections, "palette": palette,
        "section_names": section_names, "palette_options": palette_options, "languages": languages,
        "layout_labels": [(code, name, state.labels.get(code, "")) for code, name in languages],
        "compact_choices": [(f.api_name, labels[f.api_name], f.api_name in state.compact_fields) for f in obj.fields],
        "path_choices": [(f.api_name, labels[f.api_name]) for f in obj.fields if f.type.choice_keys(f) is not None],
        "related": related, "relations": layout_state.relations(tenant, obj, language),
        "profiles": [(p.api_name, profile_label(p, language)) for p in Profile.objects.order_by("id")],
        "preview_profile": preview_name,
        "preview": _preview(request, obj, sections, preview_name, labels) if preview_name else None,
        "designer_url": reverse("setup:layout", kwargs={"object_name": obj.api_name, "layout_name": layout.api_name}),
    }


def _preview(request, obj: ObjectMeta, sections: list[dict], profile: str, labels: dict) -> dict | None:
    """The working copy as a user of `profile` would see it: hidden fields left out, read-only
    ones marked (their permission sets may add more)."""
    try:
        actions, levels = security.profile_view_of(profile, obj.api_name, request.user)
    except TesseraError:
        return None
    shown = []
    for section in sections:
        items = [{"label": i["label"], "read_only": levels.get(i["name"]) == "read_only"}
                 for i in section["items"] if levels.get(i["name"]) != "hidden"]
        if items:
            shown.append({"title": section["title"], "columns": section["columns"], "items": items})
    return {"can_read": "read" in actions, "sections": shown}
