"""Actions on the rows a user selects in a list: delete, give to another owner (with their related
records), set a field - each row through the same services as one record (rights, validation,
history), and a result per row: what was done, or why not."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metadata.meta import ObjectMeta
from metadata.services.list_views import visible_list_views
from tessera.errors import NotFound, TesseraError, ValidationFailed
from tessera.records import bulk_actions, service
from tessera.security import services as security

from ..messages import error_messages
from .filters import resolve_words
from .forms import prepare_item
from .lists import chosen_view
from .pages import object_or_404, render_page
from .query_string import url_filters
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
    action = request.POST.get("action", "")
    field = obj.field(request.POST.get("field", "")) if action == "field" else None
    value = widget_for(field).value_from(request.POST, "value") if field is not None else None
    if request.POST.get("all_matching") == "1":
        return _queue_all_matching(request, obj, action, value)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:MAX_ROWS]
    results = []
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


def _list_filters(request, obj: ObjectMeta, params: QueryDict) -> list[tuple[str, object]]:
    """The filters of the list the action was asked from (its saved view, its URL filters, its
    search), with words such as "me" and "this_quarter" resolved now, when the user asked."""
    access = service.access_for(request.user)
    view = chosen_view(visible_list_views(obj, request.user.pk), params.get("view"))
    filters = resolve_words(list(view.filters.items()) if view is not None else [], access)
    filters += resolve_words(url_filters(params), access)
    search = params.get("q", "").strip()
    if search:
        filters.append((f"{obj.name_field}__startswith", search))
    return filters


def _queue_all_matching(request, obj: ObjectMeta, action: str, value):
    """"All N matching": the action runs as a background job; its page shows the progress."""
    back = request.POST.get("back", "")
    post = request.POST
    try:
        if value is UNCHANGED:
            raise ValidationFailed.single("value", "required", _("Give the new value."))
        job = bulk_actions.queue_bulk_action(
            obj.api_name, request.user, action=action, filters=_list_filters(request, obj, QueryDict(back.lstrip("?"))),
            field=post.get("field") or None, value=value, to=post.get("to") or None,
            children=bool(post.get("children")), language=get_language())
    except TesseraError as exc:
        target = reverse("app:list", kwargs={"object_name": obj.api_name})
        params = QueryDict(back.lstrip("?"), mutable=True)
        params["problem"] = " ".join(error_messages(exc))
        return HttpResponseRedirect(target + "?" + params.urlencode())
    return HttpResponseRedirect(reverse("app:bulk_job", kwargs={"object_name": obj.api_name, "job_id": job.pk})
                                + ("?" + urlencode({"back": back}) if back else ""))


@login_required
def bulk_job_page(request, object_name: str, job_id: int):
    """A bulk job's progress (htmx polls the status part until it is finished), then its result:
    counts and the first records not done, with why. The page survives a reload: it is the job's URL."""
    language = get_language()
    _tenant, obj = object_or_404(object_name, request)
    try:
        job = bulk_actions.bulk_job(job_id, request.user)
    except NotFound:
        raise Http404(str(job_id)) from None
    if job.params.get("object") != obj.api_name:
        raise Http404(str(job_id))
    finished = job.status in (job.Status.DONE, job.Status.FAILED)
    context = {"object": obj, "label_plural": obj.label(language, plural=True), "job": job, "finished": finished,
               "result": job.result or {}, "action": _action_label(obj, job.params, language),
               "back": request.GET.get("back", ""), "url": request.get_full_path()}
    template = "ui_builder/app/bulk_job_status.html" if request.headers.get("HX-Request") else \
        "ui_builder/app/bulk_job.html"
    return render_page(request, template, context, obj=obj)


def _action_label(obj: ObjectMeta, params: dict, language: str | None) -> str:
    action = params.get("action")
    if action == "delete":
        return _("Delete")
    if action == "owner":
        return _("Change owner")
    field = obj.field(params.get("field") or "")
    return _("Set “%(field)s”") % {"field": field.label(language) if field is not None else ""}
