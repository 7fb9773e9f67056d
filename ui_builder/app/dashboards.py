"""Dashboards (`/app/dashboards/`, `/app/dashboards/<id>/`): registered panels — report charts, list
views — placed and resized on a 12-column grid (gridstack), dashboard-wide filters, refresh, shared
or personal.

A dashboard runs as its viewer: every panel reads what the person looking may read. Holders of the
view-all right may look through another user's eyes (`?as=<user id>`); the service checks the right
and writes the audit log. Filters live in the URL (`f.<field>__<op>=<value>`, as on lists) and
apply to every panel whose object has the field.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metadata.cache import get_meta
from metadata.meta import FieldMeta
from reports_engine.dashboards import services
from reports_engine.dashboards.services import GRID_COLUMNS, DashboardMeta
from tessera.errors import NotFound, TesseraError
from tessera.records import service
from tessera.security.services import directory

from ..messages import error_messages
from .filters import ME, MY_TEAM, PERIODS, resolve_words
from .pages import render_page
from .panels import PanelRequest, added, choices_for, drawn
from .query_string import FILTER_PREFIX
from .widgets import LookupWidget, filter_widget_for

MAX_NAME = 100


def _periods(field: FieldMeta, language: str | None) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in PERIODS]


def _people(field: FieldMeta, language: str | None) -> list[tuple[str, str]]:
    return [(ME, _("me")), (MY_TEAM, _("my team"))]


def _choices(field: FieldMeta, language: str | None) -> list[tuple[str, str]]:
    value_type = field.type.value_type(field)
    return [(c["value"], c["label"]) for c in value_type.choices(field, language)]


def _yes_no(field: FieldMeta, language: str | None) -> list[tuple[str, str]]:
    return [("true", _("Yes")), ("false", _("No"))]


def _typed(field: FieldMeta, language: str | None) -> list[tuple[str, str]]:
    """No options: the viewer types (a number range) or searches (a record)."""
    return []


#: Filter kinds (asked of the field's widget) a dashboard offers: the operator and the options.
#: A number ("range") is two inputs, at least / at most; a lookup searches its object's records.
FILTER_KINDS: dict[str, tuple[str, Callable[[FieldMeta, str | None], list[tuple[str, str]]]]] = {
    "period": ("range", _periods), "choices": ("in", _choices), "user": ("in", _people), "boolean": ("eq", _yes_no),
    "range": ("range", _typed), "lookup": ("eq", _typed)}
BOUNDS = (("gte", gettext_lazy("At least")), ("lte", gettext_lazy("At most")))
NEW_PANEL = {"w": 6, "h": 4}


def _dashboard_or_404(dashboard_id: int, user) -> DashboardMeta:
    try:
        return services.get_dashboard(dashboard_id, user)
    except NotFound:
        raise Http404("dashboard") from None


@login_required
def dashboard_list(request):
    language = get_language()
    problems: list[str] = []
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:MAX_NAME]
        spec = {"api_name": f"dashboard_{uuid.uuid4().hex[:10]}", "labels": {language: name or _("Dashboard")},
                "shared": request.POST.get("shared") == "1", "items": []}
        try:
            created = services.create_dashboard(spec, request.user)
        except TesseraError as exc:
            problems = error_messages(exc)
        else:
            return HttpResponseRedirect(reverse("app:dashboard", args=[created.id]) + "?edit=1")
    shown = [{"id": d.id, "label": d.label(language), "shared": d.shared, "panels": len(d.items)}
             for d in services.dashboards_for(request.user)]
    can_share = services.may_share(request.user)
    return render_page(request, "ui_builder/app/dashboards/list.html",
                       {"dashboards": shown, "can_share": can_share, "problems": problems},
                       status=400 if problems else 200)


def filter_fields(user) -> dict[str, FieldMeta]:
    """Fields a dashboard can filter on: by api_name, from the objects the user may read, those
    whose widget filters by a period, a choice, a user, a yes/no, a number or a record."""
    tenant = get_meta()
    access = service.access_for(user)
    found: dict[str, FieldMeta] = {}
    for obj in tenant.objects.values():
        if not access.can(obj, "read"):
            continue
        for field in service.readable_fields(obj, access):
            if field.api_name not in found and filter_widget_for(field).filter_kind in FILTER_KINDS:
                found[field.api_name] = field
    return found


def _filter_controls(dashboard: DashboardMeta, params, fields: dict[str, FieldMeta],
                     language: str | None, viewer) -> list[dict[str, Any]]:
    """One control per dashboard filter the viewer may use: its options and the value chosen (from
    the URL, else the filter's default)."""
    controls = []
    for f in dashboard.filters:
        field = fields.get(f.field)
        if field is None:
            continue
        widget = filter_widget_for(field)
        kind = widget.filter_kind
        op, options_of = FILTER_KINDS[kind]
        key = f"{f.field}__{op}"
        control = {"name": FILTER_PREFIX + key, "key": key, "field": f.field, "label": field.label(language),
                   "options": options_of(field, language), "value": params.get(FILTER_PREFIX + key, f.default)}
        if kind == "range":  # numbers: two bounds, each its own filter
            control["bounds"] = [{"name": f"{FILTER_PREFIX}{f.field}__{bound}", "key": f"{f.field}__{bound}",
                                  "label": label, "value": params.get(f"{FILTER_PREFIX}{f.field}__{bound}", "")}
                                 for bound, label in BOUNDS]
            control["value"] = ""
        elif isinstance(widget, LookupWidget):  # a record, searched among its object's
            control["target"] = widget.filter_context(field, language)["target"]
            control["value"] = control["value"] if str(control["value"]).isdigit() else ""
            control["value_label"] = _record_name(control["target"], control["value"], viewer)
        controls.append(control)
    return controls


def _record_name(object_name: str, record_id: str, viewer) -> str:
    """The name of the record a lookup filter holds, if the viewer may read it."""
    if not record_id:
        return ""
    try:
        return service.get_record(object_name, int(record_id), viewer).name or record_id
    except TesseraError:
        return ""


def chosen_filters(controls: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The filters the controls hold: each control's value, a number's bounds."""
    return [(c["key"], c["value"]) for c in controls if c["value"]] + \
        [(b["key"], b["value"]) for c in controls for b in c.get("bounds", ()) if b["value"]]


def _viewer(request, dashboard: DashboardMeta) -> tuple[Any, list[str]]:
    """Who the dashboard runs as, and why not as the one asked for."""
    asked = request.GET.get("as", "")
    try:
        return services.viewer_for(dashboard, request.user, int(asked) if asked.isdigit() else None), []
    except TesseraError as exc:
        return request.user, error_messages(exc)


@login_required
def dashboard_detail(request, dashboard_id: int):
    language = get_language()
    dashboard = _dashboard_or_404(dashboard_id, request.user)
    viewer, problems = _viewer(request, dashboard)
    fields = filter_fields(viewer)
    controls = _filter_controls(dashboard, request.GET, fields, language, viewer)
    chosen = chosen_filters(controls)
    panel_request = PanelRequest(request, viewer, resolve_words(chosen, service.access_for(viewer)))
    shown = []
    for spec in dashboard.items:
        found = drawn(panel_request, spec, language, GRID_COLUMNS)
        shown.append(found or {"id": spec.id, "panel": None, "title": _("Nothing to show"), "spec": spec, "scripts": ()})
    editing = request.GET.get("edit") == "1" and services.can_change(dashboard, request.user)
    access = service.access_for(request.user)
    context = {
        "dashboard": dashboard, "label": dashboard.label(language), "panels": shown, "editing": editing,
        "can_change": services.can_change(dashboard, request.user), "controls": controls, "problems": problems,
        "viewer": viewer, "viewing_as": viewer != request.user,
        "view_as_users": directory.user_choices(request.user, "") if access.has_right("view_all_data") else [],
        "chart_scripts": any("charts" in d["scripts"] for d in shown),
        "lookup_scripts": any(c.get("target") for c in controls),
        "choices": choices_for(request, []) if editing else [],
        "filter_choices": sorted(((name, f.label(language)) for name, f in fields.items()
                                  if name not in {f.field for f in dashboard.filters}), key=lambda c: c[1])
        if editing else [],
        "query": request.GET.urlencode(),
    }
    return render_page(request, "ui_builder/app/dashboards/detail.html", context)


def _items(dashboard: DashboardMeta) -> list[dict[str, Any]]:
    return [{"id": p.id, "panel": p.panel, "x": p.x, "y": p.y, "w": p.w, "h": p.h,
             **({"params": dict(p.params)} if p.params else {})} for p in dashboard.items]


def _laid_out(items: list[dict], layout: str) -> list[dict]:
    """Positions from the grid (`[{"id", "x", "y", "w", "h"}, …]`) onto the dashboard's panels."""
    try:
        placed = {str(p["id"]): p for p in json.loads(layout) if isinstance(p, dict)}
    except (ValueError, TypeError, KeyError):
        return items
    for item in items:
        position = placed.get(item["id"], {})
        for key in ("x", "y", "w", "h"):
            if isinstance(position.get(key), int):
                item[key] = position[key]
    return items


#: The keyboard's way to place a panel (the grid's drag and resize need a pointer): x, y, w, h steps.
NUDGES = {"left": (-1, 0, 0, 0), "right": (1, 0, 0, 0), "up": (0, -1, 0, 0), "down": (0, 1, 0, 0),
          "wider": (0, 0, 1, 0), "narrower": (0, 0, -1, 0), "taller": (0, 0, 0, 1), "shorter": (0, 0, 0, -1)}


def nudged(item: dict, action: str) -> dict:
    dx, dy, dw, dh = NUDGES[action]
    w = min(GRID_COLUMNS, max(1, item["w"] + dw))
    return {**item, "w": w, "h": min(24, max(1, item["h"] + dh)), "x": min(GRID_COLUMNS - w, max(0, item["x"] + dx)),
            "y": max(0, item["y"] + dy)}


def with_panel(items: list[dict], token: str) -> list[dict]:
    """`items` with the panel a choice's token names added below the others."""
    grown = added(items, token, GRID_COLUMNS)
    if len(grown) > len(items):
        bottom = max((i["y"] + i["h"] for i in items), default=0)
        grown = [*items, {**grown[0], "x": 0, "y": bottom, **NEW_PANEL}]
    return grown


def add_panel(user, dashboard_id: int, token: str) -> DashboardMeta:
    """Put a panel (a report's chart…) on a dashboard the user may change."""
    dashboard = services.get_dashboard(dashboard_id, user)
    return services.update_dashboard(dashboard.id, {"items": with_panel(_items(dashboard), token)}, user)


def _changes(request, dashboard: DashboardMeta, op: str) -> dict[str, Any]:
    """What one of the page's buttons (or the grid) asks to change, as a service update."""
    items = _items(dashboard)
    filters = [{"field": f.field, **({"default": f.default} if f.default else {})} for f in dashboard.filters]
    action, _sep, target = op.partition(":")
    if action == "layout":
        return {"items": _laid_out(items, request.POST.get("layout", "[]"))}
    if action == "add":
        return {"items": with_panel(items, request.POST.get("add", ""))}
    if action == "remove":
        return {"items": [i for i in items if i["id"] != target]}
    if action in NUDGES:
        return {"items": [nudged(i, action) if i["id"] == target else i for i in items]}
    if action == "rename":
        name = request.POST.get("name", "").strip()[:MAX_NAME]
        return {"labels": {**dashboard.labels, get_language(): name}} if name else {}
    if action == "filter_add":
        field = request.POST.get("filter_field", "")
        return {"filters": [*filters, {"field": field}]} if field in filter_fields(request.user) else {}
    if action == "filter_remove":
        return {"filters": [f for f in filters if f["field"] != target] or None}
    return {}


@login_required
@require_POST
def dashboard_change(request, dashboard_id: int):
    """Change a dashboard: `op` is layout (the grid's positions), add (a panel choice), rename,
    filter_add, `remove:<panel id>`, `filter_remove:<field>` or delete."""
    dashboard = _dashboard_or_404(dashboard_id, request.user)
    op = request.POST.get("op", "")
    back = reverse("app:dashboard", args=[dashboard.id]) + "?edit=1"
    try:
        if op == "delete":
            services.delete_dashboard(dashboard.id, request.user)
            return HttpResponseRedirect(reverse("app:dashboards"))
        changes = _changes(request, dashboard, op)
        if changes:
            services.update_dashboard(dashboard.id, changes, request.user)
    except TesseraError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(" ".join(error_messages(exc)), status=400)
        return render_page(request, "ui_builder/app/dashboards/problem.html",
                           {"problems": error_messages(exc), "back": back}, status=400)
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204)
    return HttpResponseRedirect(back)
