"""The home page is made of registered panels; reports add chart panels here later.

A panel is a template and a function that gathers its context for the request; a panel whose
function returns None is not shown (the user may not read its object, or it has nothing to say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tessera.errors import TesseraError
from tessera.records import service
from tessera.registry import Registry

from .recent import recent_items


@dataclass(frozen=True)
class Panel:
    title: Any
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100
    #: Columns of the home grid the panel spans (1 or 2).
    width: int = 1


panels: Registry[Panel] = Registry("home panels")


def home_panels(request) -> list[tuple[Panel, dict]]:
    shown = []
    for _key, panel in sorted(panels.items(), key=lambda item: item[1].order):
        context = panel.context(request)
        if context is not None:
            shown.append((panel, context))
    return shown


def _records(request, object_name: str, filters: list[tuple[str, Any]], sort: list[str], limit: int = 8):
    """A few records of `object_name` for a panel, or None when the object is missing or unreadable."""
    try:
        tenant, obj = service.get_object_meta(object_name)
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
