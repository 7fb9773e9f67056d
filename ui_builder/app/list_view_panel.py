"""The "list view" home panel: the first rows of a saved list view (shared, or the user's own),
read as the user, with a link to the whole list."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from metadata.cache import get_meta
from metadata.meta import pick_label
from metadata.services.list_views import visible_list_views
from tessera.errors import TesseraError
from tessera.records import service

from .filters import resolve_words
from .lists import chosen_view, default_columns
from .navigation import nav_entries
from .panels import Panel, PanelChoice, panel_filters, panels

ROWS = 8
COLUMNS = 4


def list_view_context(request, object: str = "", view: str = "") -> dict | None:  # noqa: A002 - the stored name
    language = get_language()
    try:
        _tenant, obj = service.get_object_meta(object)
    except TesseraError:
        return None
    access = service.access_for(request.user)
    if not access.can(obj, "read"):
        return None
    chosen = chosen_view(visible_list_views(obj, request.user.pk), view)
    if chosen is None:
        return None
    readable = {f.api_name: f for f in service.readable_fields(obj, access)}
    names = [n for n in chosen.columns if n in readable and n != obj.name_field] if chosen.columns else \
        [f.api_name for f in default_columns(obj, list(readable.values())) if f.api_name != obj.name_field]
    fields = [readable[n] for n in names[:COLUMNS]]
    try:
        page = service.list_records(
            obj.api_name, request.user, filters=resolve_words(list(chosen.filters.items()), access) + panel_filters(request, obj),
            sort=list(chosen.sort) or ["-created_at"], limit=ROWS,
            fields=list(dict.fromkeys([obj.name_field, *names[:COLUMNS]])),
            expand=[f.api_name for f in fields if f.type.target(f)])
    except TesseraError:
        return None
    label = pick_label(chosen.labels, language) or chosen.api_name
    return {"object": obj, "records": page.records, "fields": fields,
            "title": f"{obj.label(language, plural=True)} · {label}",
            "more_url": reverse("app:list", kwargs={"object_name": obj.api_name}) + "?" + urlencode({"view": chosen.api_name})}


def list_view_choices(request) -> list[PanelChoice]:
    language = get_language()
    tenant = get_meta()
    found = []
    for entry in nav_entries(tenant, service.access_for(request.user), language):
        obj = tenant.objects[entry.api_name]
        for view in visible_list_views(obj, request.user.pk):
            found.append(PanelChoice({"object": obj.api_name, "view": view.api_name},
                                     pick_label(view.labels, language) or view.api_name, group=entry.label))
    return found


panels.register("list_view", Panel(_("List view"), "ui_builder/app/panels/records.html", list_view_context,
                                   order=50, width=2, default=False, choices=list_view_choices))
