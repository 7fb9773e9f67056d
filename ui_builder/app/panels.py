"""The home page is made of registered panels; each user arranges their own (`desktop.py`).

A panel kind is a template and a function that gathers its context for the request and the panel's
parameters (`context(request, **params)`); a panel whose function returns None is not shown (the
user may not read its object, or it has nothing to say). A kind with `choices` can be placed many
times, once per choice (a list view, a report); one without is placed at most once. New kinds
(reminders, approvals…) join with one `panels.register(...)` each; nothing else changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tessera.errors import TesseraError
from tessera.records import service
from tessera.registry import Registry

from .cells import rows
from .recent import recent_items

if TYPE_CHECKING:
    from reports_engine.dashboards.services import PanelSpec


@dataclass(frozen=True)
class PanelChoice:
    """One thing a user can put on their desktop: a panel kind with these parameters."""

    params: Mapping[str, Any]
    label: str
    group: str = ""


@dataclass(frozen=True)
class Panel:
    title: Any
    template: str
    #: `context(request, **params)` → the template's `data`, or None to leave the panel out. A
    #: context may set "title" (a list view's or report's name) and "scripts" ("charts": the page
    #: loads ECharts).
    context: Callable[..., dict | None]
    order: int = 100
    #: Columns of the home grid the panel spans (1 or 2) until its user resizes it.
    width: int = 1
    #: On the desktop of users who have not arranged their own.
    default: bool = True
    #: The parameters it can be placed with (None: placed once, without parameters).
    choices: Callable[[Any], list[PanelChoice]] | None = None
    #: Static scripts the panel needs on the page, besides the app's own.
    scripts: tuple[str, ...] = field(default=())


panels: Registry[Panel] = Registry("home panels")


class PanelRequest:
    """The request a panel is drawn for, as seen on a dashboard: `user` is who the dashboard runs
    as (its viewer, or the user an administrator views it as) and `panel_filters` the dashboard's
    filters (records-API filters, words such as `me` already resolved). Everything else is the
    page's request."""

    def __init__(self, request, user, panel_filters: list[tuple[str, Any]]) -> None:
        self._request = request
        self.user = user
        self.panel_filters = panel_filters

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def panel_filters(request, obj) -> list[tuple[str, Any]]:
    """The dashboard's filters that apply to `obj` (those on a field it has); none on the desktop."""
    return [(key, value) for key, value in getattr(request, "panel_filters", ())
            if obj.field(key.partition("__")[0]) is not None]


def default_panels() -> list[tuple[str, Panel]]:
    return sorted(((key, panel) for key, panel in panels.items() if panel.default), key=lambda item: item[1].order)


def drawn(request, spec: PanelSpec, language: str | None, max_width: int) -> dict[str, Any] | None:
    """A placed panel with what its template needs, or None when it has nothing to show."""
    if spec.panel not in panels:
        return None
    panel = panels.get(spec.panel)
    try:
        context = panel.context(request, **spec.params)
    except (TypeError, TesseraError):  # parameters of an older version of the kind, or data gone
        return None
    if context is None:
        return None
    if "records" in context:
        fields = context.get("fields", [])
        context = {**context, "rows": rows(context["records"], fields, language, request.user),
                   "columns": [f.label(language) for f in fields],
                   "object_label": context["object"].label(language)}
    return {"id": spec.id, "spec": spec, "panel": panel, "title": context.get("title") or panel.title,
            "width": max(1, min(spec.w, max_width)), "context": context,
            "scripts": (*panel.scripts, *context.get("scripts", ()))}


def choices_for(request, placed: list[PanelSpec]) -> list[dict[str, str]]:
    """What the user can still add: each kind without choices once, every choice of the others."""
    present = {p.panel for p in placed}
    found = []
    for key, panel in sorted(panels.items(), key=lambda item: item[1].order):
        if panel.choices is None:
            if key not in present:
                found.append({"value": key, "label": str(panel.title), "group": ""})
            continue
        for choice in panel.choices(request):
            query = QueryDict(mutable=True)
            query.update(choice.params)
            found.append({"value": f"{key}:{query.urlencode()}", "label": choice.label,
                          "group": f"{panel.title} · {choice.group}" if choice.group else str(panel.title)})
    return found


def added(items: list[dict], token: str, max_width: int) -> list[dict]:
    key, _sep, query = token.partition(":")
    if key not in panels:
        return items
    panel = panels.get(key)
    params = {k: v for k, v in QueryDict(query).items()}
    if panel.choices is None and (params or any(item["panel"] == key for item in items)):
        return items
    entry: dict[str, Any] = {"id": uuid.uuid4().hex[:8], "panel": key, "w": min(panel.width, max_width)}
    if params:
        entry["params"] = params
    return [entry, *items]


def _records(request, object_name: str, filters: list[tuple[str, Any]], sort: list[str], limit: int = 8):
    """A few records of `object_name` for a panel, or None when the object is missing or unreadable."""
    try:
        _tenant, obj = service.get_object_meta(object_name)
        page = service.list_records(object_name, request.user, filters=filters, sort=sort, limit=limit)
    except TesseraError:
        return None
    return {"object": obj, "records": page.records}


def _recent(request):
    return {"items": recent_items(request)}


def _open_opportunities(request):
    try:
        _tenant, obj = service.get_object_meta("opportunity")
    except TesseraError:
        return None
    stage = obj.field("stage")
    closed = [c["value"] for c in stage.type.choices(stage, None) if c.get("probability") in (0, 100)] if stage else []
    filters: list[tuple[str, Any]] = [("owner", request.user.pk)]
    if closed:
        open_keys = [c["value"] for c in stage.type.choices(stage, None) if c["value"] not in closed]
        filters.append(("stage__in", ",".join(open_keys)))
    found = _records(request, "opportunity", filters, ["close_date"])
    if found is not None:
        found["fields"] = [f for f in (obj.field("stage"), obj.field("amount"), obj.field("close_date")) if f]
    return found


def _todays_activities(request):
    today = timezone.localdate()
    start = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()))
    end = start + timezone.timedelta(days=1)
    found = _records(request, "activity", [("owner", request.user.pk),
                                           ("due_date__gte", start.isoformat()), ("due_date__lt", end.isoformat())],
                     ["due_date"], limit=12)
    if found is not None:
        obj = found["object"]
        found["fields"] = [f for f in (obj.field("type"), obj.field("due_date"), obj.field("status")) if f]
    return found


panels.register("recent", Panel(_("Recent items"), "ui_builder/app/panels/recent.html", _recent, order=10))
panels.register("my_open_opportunities", Panel(_("My open opportunities"), "ui_builder/app/panels/records.html",
                                               _open_opportunities, order=20, width=2))
panels.register("todays_activities", Panel(_("Today's activities"), "ui_builder/app/panels/records.html",
                                           _todays_activities, order=30, width=2))
