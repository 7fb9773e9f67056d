"""`/setup/objects/<object>/list-views/`: the object's shared list views (what everyone can pick
above a list): columns in order, default sort and filters. Filters are added with the CRM's own
filter builder (ui_builder.app.filters: the same conditions, the same records-API syntax), and
saved through the list view service."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from metadata.meta import ListViewMeta, ObjectMeta, pick_label
from metadata.services import create_list_view, delete_list_view, update_list_view
from tessera.errors import TesseraError
from tessera.records import service

from ..app.filters import condition_from, filterable_fields
from ..app.query_string import FILTER_PREFIX
from .access import setup_view
from .form_state import act_then_redirect, errors_in_place, labels_in_every_language
from .names import languages, new_api_name, object_for_setup
from .pages import render_setup

NEW = "new"
#: Filter operators in words (the records API's names otherwise).
OP_WORDS = {"": gettext_lazy("is"), "eq": gettext_lazy("is"), "ne": gettext_lazy("is not"),
            "in": gettext_lazy("is one of"), "contains": gettext_lazy("contains"),
            "startswith": gettext_lazy("starts with"), "range": gettext_lazy("is within"),
            "isnull": gettext_lazy("is empty"), "gte": "≥", "lte": "≤", "gt": ">", "lt": "<"}


@dataclass
class ViewState:
    labels: dict[str, str]
    columns: list[str]
    sort: str = ""
    filters: dict[str, str] = field(default_factory=dict)

    def spec(self) -> dict:
        labels = {k: v for k, v in self.labels.items() if v}
        return {**({"labels": labels} if labels else {}), "columns": self.columns,
                "sort": [self.sort] if self.sort else [], "filters": self.filters}


@setup_view
def list_view_list(request, object_name: str):
    language = get_language()
    obj = object_for_setup(object_name)
    context = {
        "title": _("List views"), "object": obj, "object_label": obj.label(language),
        "views": [{"view": v, "label": pick_label(v.labels, language) or v.api_name,
                   "columns": ", ".join(_label(obj, c, language) for c in v.columns), "filters": len(v.filters)}
                  for v in obj.list_views],
    }
    return render_setup(request, "ui_builder/setup/list_views/list.html", context, section="objects",
                        object_name=obj.api_name, tab="list_views")


def _label(obj: ObjectMeta, name: str, language: str) -> str:
    f = obj.field(name)
    return f.label(language) if f else name


@setup_view
@require_http_methods(["GET", "POST"])
def list_view_edit(request, object_name: str, view_name: str):
    """One shared view (`new`: a new one). The form holds the working copy; "add condition",
    "move column" and "remove" redraw it unsaved, "Save" hands it to the service."""
    obj = object_for_setup(object_name)
    view = next((v for v in obj.list_views if v.api_name == view_name), None)
    if view is None and view_name != NEW:
        raise Http404(view_name)
    errors: list[str] = []
    if request.method == "POST":
        state = _posted(request.POST)
        op = request.POST.get("op", "save")
        if op == "save":
            saved = _save(request, obj, view, state, errors)
            if saved:
                messages.success(request, _("List view saved."))
                return redirect("setup:list_views", object_name=obj.api_name)
        else:
            _apply(request, obj, state, op)
    else:
        state = _from_view(obj, view)
    return render_setup(request, "ui_builder/setup/list_views/edit.html", _context(request, obj, view, state, errors),
                        section="objects", object_name=obj.api_name, tab="list_views", status=400 if errors else 200)


def _save(request, obj: ObjectMeta, view: ListViewMeta | None, state: ViewState, errors: list[str]) -> bool:
    try:
        if view is None:
            names = {v.api_name for v in obj.list_views}
            create_list_view(obj.api_name, {"api_name": new_api_name("view", names), "shared": True, **state.spec()},
                             request.user)
        else:
            update_list_view(obj.api_name, view.api_name, state.spec(), request.user, shared=True)
    except TesseraError as exc:
        by_field, general = errors_in_place(exc)
        errors.extend(general + [m for found in by_field.values() for m in found])
        return False
    return True


def _from_view(obj: ObjectMeta, view: ListViewMeta | None) -> ViewState:
    if view is None:
        return ViewState(labels={}, columns=[obj.name_field, "owner"], sort="-created_at")
    return ViewState(labels=dict(view.labels), columns=list(view.columns), sort=(list(view.sort) or [""])[0],
                     filters={k: str(v) for k, v in view.filters.items()})


def _posted(post) -> ViewState:
    filters = {}
    for key in post.getlist("filter_key"):
        if key not in post.getlist("filter_remove"):
            filters[key] = post.get(f"filter_{key}", "")
    return ViewState(labels=labels_in_every_language(post, "label", languages()), columns=post.getlist("columns"),
                     sort=f"{post.get('sort_dir', '')}{post['sort_field']}" if post.get("sort_field") else "",
                     filters=filters)


def _apply(request, obj: ObjectMeta, state: ViewState, op: str) -> None:
    verb, _sep, name = op.partition(":")
    if verb == "add_filter":
        condition = condition_from(request.POST, obj, service.access_for(request.user))
        if condition is not None:
            key, value = condition
            state.filters[key[len(FILTER_PREFIX):]] = value
    elif verb in ("up", "down") and name in state.columns:
        i = state.columns.index(name)
        j = i - 1 if verb == "up" else i + 1
        if 0 <= j < len(state.columns):
            state.columns[i], state.columns[j] = state.columns[j], state.columns[i]


def _context(request, obj: ObjectMeta, view: ListViewMeta | None, state: ViewState, errors: list[str]) -> dict:
    language = get_language()
    access = service.access_for(request.user)
    chosen = [obj.field(c) for c in state.columns]
    others = [f for f in obj.fields if f.api_name not in state.columns]
    sort_field = state.sort.lstrip("-")
    return {
        "title": pick_label(view.labels, language) if view else _("New list view"), "object": obj, "view": view,
        "object_label": obj.label(language), "errors": errors,
        "labels": [(code, name, state.labels.get(code, "")) for code, name in languages()],
        "columns": [(f.api_name, f.label(language), True) for f in chosen if f is not None]
        + [(f.api_name, f.label(language), False) for f in others],
        "sort_fields": [(f.api_name, f.label(language)) for f in obj.fields if f.type.sortable],
        "sort_field": sort_field, "sort_desc": state.sort.startswith("-"),
        "filters": [(key, _condition_text(obj, key, value, language), value) for key, value in state.filters.items()],
        "filter_fields": [(f.api_name, f.label(language)) for f in filterable_fields(obj, access)],
    }


def _condition_text(obj: ObjectMeta, key: str, value: str, language: str) -> str:
    name, _sep, op = key.partition("__")
    return f"{_label(obj, name.split('.')[0], language)} {OP_WORDS.get(op, op)} {value}"


@setup_view
@require_POST
def list_view_delete(request, object_name: str, view_name: str):
    obj = object_for_setup(object_name)
    return act_then_redirect(request, lambda: delete_list_view(obj.api_name, view_name, request.user, shared=True),
                             "setup:list_views", object_name=obj.api_name)
