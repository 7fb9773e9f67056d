"""`/setup/`: search over everything configurable, and the recent metadata changes."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from metadata.meta import pick_label
from metadata.services.setup_search import Hit, recent_changes, search_configuration

from .access import setup_view
from .pages import render_setup

#: What each kind of hit is called, and the designer page it opens (URL name, with the object?).
KINDS = {
    "object": (gettext_lazy("Object"), "setup:object"), "field": (gettext_lazy("Field"), "setup:field"),
    "value": (gettext_lazy("Picklist value"), "setup:field"), "layout": (gettext_lazy("Layout"), "setup:layouts"),
    "list_view": (gettext_lazy("List view"), "setup:list_views"),
    "category": (gettext_lazy("Category"), "setup:categories"), "rule": (gettext_lazy("Rule"), "setup:rules"),
    "user": (gettext_lazy("User"), "setup:users"), "department": (gettext_lazy("Department"), "setup:departments"),
    "role": (gettext_lazy("Role"), "setup:roles"), "profile": (gettext_lazy("Profile"), "setup:profiles"),
}
ACTIONS = {"create": pgettext_lazy("change", "created"), "update": pgettext_lazy("change", "changed"),
           "delete": pgettext_lazy("change", "deleted"), "restore": pgettext_lazy("change", "restored")}
ENTITIES = {"object": gettext_lazy("Object"), "field": gettext_lazy("Field"), "layout": gettext_lazy("Layout"),
            "list_view": gettext_lazy("List view"), "category": gettext_lazy("Category"),
            "organization": gettext_lazy("Organisation")}


@setup_view
def home(request):
    language = get_language()
    query = request.GET.get("q", "").strip()
    hits = [_hit(hit) for hit in search_configuration(query, request.user, language=language)] if query else []
    context = {"q": query, "hits": hits, "title": _("Setup"),
               "changes": [_change(c, language) for c in recent_changes(request.user)]}
    if request.headers.get("HX-Request"):
        return render_setup(request, "ui_builder/setup/home_hits.html", context, section="home")
    return render_setup(request, "ui_builder/setup/home.html", context, section="home")


def _hit(hit: Hit) -> dict:
    kind, url_name = KINDS.get(hit.kind, (hit.kind, ""))
    kwargs = {"object_name": hit.object} if hit.object else {}
    if hit.kind in ("field", "value"):
        kwargs["field_name"] = hit.name
    try:
        url = reverse(url_name, kwargs=kwargs) if hit.kind != "object" else reverse(url_name, kwargs={"object_name": hit.name})
    except NoReverseMatch:
        url = None
    return {"kind": kind, "label": hit.label, "where": hit.where, "url": url}


def _change(change, language: str | None) -> dict:
    data = change.after or change.before or {}
    labels = data.get("labels") if isinstance(data, dict) else None
    if isinstance(labels, dict) and labels and isinstance(next(iter(labels.values())), dict):
        labels = {lang: names.get("singular", "") for lang, names in labels.items()}
    name = (pick_label(labels, language) if isinstance(labels, dict) else "") or (
        data.get("api_name") or data.get("name") or "" if isinstance(data, dict) else "")
    return {"when": change.changed_at, "who": change.changed_by, "entity": ENTITIES.get(change.entity, change.entity),
            "action": ACTIONS.get(change.action, change.action), "name": name}
