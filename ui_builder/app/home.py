"""The user's desktop (`/app/`): registered home panels, arranged by each user.

Until a user arranges it, the desktop shows the registered default panels; "Arrange" lets them add
panels (a list view, a report chart, any registered kind), remove, reorder (drag, or the up/down
buttons from the keyboard) and make them wide or narrow. The arrangement is kept per user by
`reports_engine.dashboards.services.save_desktop`; what each panel shows is read as the user.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from reports_engine.dashboards.services import PanelSpec, desktop_for, reset_desktop, save_desktop
from tessera.errors import TesseraError

from ..messages import error_messages
from . import list_view_panel, reports_panel  # noqa: F401 - register the "list view" and "report chart" panels
from .pages import render_page
from .panels import added, choices_for, default_panels, drawn

#: The home grid is two columns wide on a desktop screen, one on a phone.
MAX_WIDTH = 2


def arrangement(request) -> list[PanelSpec]:
    desktop = desktop_for(request.user)
    if desktop is not None:
        return list(desktop.items)
    return [PanelSpec(id=key, panel=key, params={}, labels={}, w=min(panel.width, MAX_WIDTH))
            for key, panel in default_panels()]


def desktop_context(request, arranging: bool) -> dict[str, Any]:
    language = get_language()
    placed = arrangement(request)
    shown = [d for d in (drawn(request, spec, language, MAX_WIDTH) for spec in placed) if d is not None]
    scripts = list(dict.fromkeys(s for d in shown for s in d["scripts"]))
    return {"panels": shown, "arranging": arranging, "chart_scripts": "charts" in scripts,
            "choices": choices_for(request, placed) if arranging else [], "customised": desktop_for(request.user) is not None}


@login_required
def home(request):
    return render_page(request, "ui_builder/app/home.html", desktop_context(request, request.GET.get("arrange") == "1"))


def _moved(items: list[dict], op: str, panel_id: str) -> list[dict]:
    at = next((i for i, item in enumerate(items) if item["id"] == panel_id), None)
    if at is None:
        return items
    if op == "remove":
        return items[:at] + items[at + 1:]
    if op in ("up", "down"):
        to = at - 1 if op == "up" else at + 1
        if 0 <= to < len(items):
            items[at], items[to] = items[to], items[at]
    elif op in ("wider", "narrower"):
        items[at]["w"] = MAX_WIDTH if op == "wider" else 1
    return items


@login_required
@require_POST
def arrange(request):
    """Change the user's desktop: `op` is order (ids in their new order), add (a choice's token),
    reset, or `<up|down|wider|narrower|remove>:<panel id>`."""
    op = request.POST.get("op", "")
    items = [{"id": p.id, "panel": p.panel, "w": p.w, **({"params": dict(p.params)} if p.params else {})}
             for p in arrangement(request)]
    problem = None
    try:
        if op == "reset":
            reset_desktop(request.user)
        else:
            if op == "order":
                by_id = {item["id"]: item for item in items}
                order = [i for i in request.POST.getlist("order") if i in by_id]
                items = [by_id[i] for i in order] + [item for item in items if item["id"] not in order]
            elif op == "add":
                items = added(items, request.POST.get("add", ""), MAX_WIDTH)
            else:
                action, _sep, panel_id = op.partition(":")
                items = _moved(items, action, panel_id)
            save_desktop(items, request.user)
    except TesseraError as exc:
        problem = error_messages(exc)
    if not request.headers.get("HX-Request"):
        return HttpResponseRedirect(reverse("app:home") + "?arrange=1")
    context = {**desktop_context(request, True), "problems": problem or []}
    return render(request, "ui_builder/app/desktop.html", context)
