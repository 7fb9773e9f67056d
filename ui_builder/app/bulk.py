"""Actions on the rows a user selects in a list: delete, give to another owner (with their related
records), set a field - each row through the same services as one record (rights, validation,
history), and a result per row: what was done, or why not."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tessera.errors import TesseraError, ValidationFailed
from tessera.records import service
from tessera.security import services as security

from ..messages import error_messages
from .forms import prepare_item
from .pages import object_or_404, render_page
from .widgets import UNCHANGED, widget_for

#: Rows one request may act on (a page of the list).
MAX_ROWS = 200


def _children(obj) -> list[str]:
    """Objects whose records follow their parent to its new owner (lookups to this object)."""
    return [child.api_name for child, _lookup in service.lookups_to(service.get_object_meta(obj.api_name)[0], obj)]


@login_required
@require_POST
def bulk_action(request, object_name: str):
    language = get_language()
    _tenant, obj = object_or_404(object_name, request)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:MAX_ROWS]
    action = request.POST.get("action", "")
    results = []
    field = obj.field(request.POST.get("field", "")) if action == "field" else None
    value = widget_for(field).value_from(request.POST, "value") if field is not None else None
    for record_id in ids:
        try:
            name = service.get_record(object_name, record_id, request.user).name
        except TesseraError:
            results.append({"id": record_id, "name": f"#{record_id}", "ok": False, "message": _("Not found.")})
            continue
        try:
            if action == "delete":
                service.delete_record(object_name, record_id, request.user)
            elif action == "owner":
                security.reassign_records(object_name, request.user, to=request.POST.get("to"), record_id=record_id,
                                          children=_children(obj) if request.POST.get("children") else ())
            elif action == "field" and field is not None and value is not UNCHANGED:
                service.update_record(object_name, record_id, {field.api_name: None if value == "" else value},
                                      request.user)
            else:
                raise ValidationFailed.single(None, "invalid_action", _("Choose an action."))
        except TesseraError as exc:
            results.append({"id": record_id, "name": name, "ok": False, "message": " ".join(error_messages(exc))})
            continue
        results.append({"id": record_id, "name": name, "ok": True, "message": ""})
    return render_page(request, "ui_builder/app/bulk_result.html", {
        "object": obj, "label_plural": obj.label(language, plural=True), "results": results,
        "done": sum(r["ok"] for r in results), "failed": sum(not r["ok"] for r in results),
        "back": request.POST.get("back", "")}, obj=obj)


@login_required
def bulk_value_input(request, object_name: str):
    """The input for "set a field": the field's own widget (htmx, when the field is chosen)."""
    language = get_language()
    _tenant, obj = object_or_404(object_name, request)
    access = service.access_for(request.user)
    field = obj.field(request.GET.get("field", ""))
    if field is None or not field.writable or not access.editable(obj, field):
        raise Http404(request.GET.get("field", ""))
    item = {"api_name": "value", "label": field.label(language), "help_text": "", "read_only": False,
            "required": False, "type": field.type.key, "widget": dict(field.type.widget_descriptor(field, language))}
    prepare_item(request, item, None, [], field_meta=field)
    return render(request, "ui_builder/app/bulk_input.html", {"f": item})
