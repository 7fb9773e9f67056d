"""`/setup/history/`: the metadata change history, each change with a readable diff, and "revert
this change" where the engine can undo it (metadata.services.history does the work, through the
same services as the change; the revert is itself a change in the list)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metadata.cache import get_meta
from metadata.meta import pick_label
from metadata.services import history
from tessera.errors import TesseraError

from .access import setup_view
from .pages import render_setup

#: What a change was made to, in words.
ENTITIES = {
    "object": gettext_lazy("Object"), "field": gettext_lazy("Field"), "layout": gettext_lazy("Layout"),
    "category": gettext_lazy("Category"), "list_view": gettext_lazy("List view"), "report": gettext_lazy("Report"),
}
#: Changes per page (each drawn with its differences).
PAGE = 25
ACTIONS = {
    "create": gettext_lazy("created"), "update": gettext_lazy("changed"), "delete": gettext_lazy("deleted"),
    "restore": gettext_lazy("restored"), "change_type": gettext_lazy("type changed"),
    "index_built": gettext_lazy("index built"),
}


@setup_view
def change_list(request):
    language = get_language()
    object_name = request.GET.get("object", "")
    entity = request.GET.get("entity", "") if request.GET.get("entity") in ENTITIES else ""
    before = request.GET.get("before", "")
    entries, next_before = history.change_history(
        request.user, object_api_name=object_name or None, entity=entity or None,
        before=int(before) if before.isdigit() else None, limit=PAGE)
    filters = {k: v for k, v in (("object", object_name), ("entity", entity)) if v}
    words, did = {k: str(v) for k, v in ENTITIES.items()}, {k: str(v) for k, v in ACTIONS.items()}
    system = _("system")
    context = {
        "title": _("History"), "language": language, "entities": list(words.items()), "here": request.get_full_path(),
        # Words translated once per page, not once per change (a lazy text translates when drawn).
        "entries": [{"e": e, "what": words.get(e.change.entity, e.change.entity), "name": _name(e, language),
                     "object": e.object.label(language) if e.object else "",
                     "did": did.get(e.change.action, e.change.action),
                     "who": (e.change.changed_by.full_name or e.change.changed_by.email) if e.change.changed_by
                     else system} for e in entries],
        "objects": sorted(((o.api_name, o.label(language)) for o in get_meta().objects.values()), key=lambda o: o[1]),
        "chosen_object": object_name, "chosen_entity": entity,
        "next_url": f"?{urlencode({**filters, 'before': next_before})}" if next_before else "",
        "first_url": f"?{urlencode(filters)}" if before else "",
    }
    return render_setup(request, "ui_builder/setup/history/list.html", context, section="history")


def _name(entry: history.ChangeEntry, language: str) -> str:
    """What changed, by its label (an object's singular one) where it has one."""
    labels = entry.labels or {}
    flat = {code: value.get("singular", "") if isinstance(value, dict) else str(value) for code, value in labels.items()}
    return pick_label(flat, language) or entry.name


@setup_view
@require_POST
def revert(request, change_id: int):
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    try:
        written = history.revert_change(change_id, request.user)
    except TesseraError as exc:
        messages.error(request, _("Not reverted: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("Change #%(id)d reverted (as change #%(new)d).")
                         % {"id": change_id, "new": written[-1].pk if written else 0})
    return redirect(back or "setup:history")
