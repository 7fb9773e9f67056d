"""Import and export pages (`/app/<object>/import/…`, `/app/<object>/export/…`).

Import: upload a file → one page per run that follows it through its life: how to read the file
(encoding, sheet, header row) with a preview, the column mapping, the mode and its key, a dry run
with its counts and first errors, then the import with a progress bar that survives a reload
(htmx polls a partial of the same template), the result, the error file, and "undo". The object's
import history is under the upload form. Export: the list's own state (view, filters, search,
sort, columns) carried in the query string → CSV or XLSX, at once or, beyond 10,000 rows, as a
job with its own progress page. Every decision is the services' (tessera.transfer.imports and
.export); these views read the form, call one, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metadata.meta import ObjectMeta, TenantMeta
from metadata.services.list_views import visible_list_views
from tessera.core.models import Job
from tessera.errors import NotFound, PermissionDenied, TesseraError
from tessera.records import service
from tessera.transfer import export, imports, template
from tessera.transfer.mapping import importable_fields
from tessera.transfer.models import ImportRun
from tessera.transfer.references import lookup_target, match_fields
from tessera.transfer.values import DATE_ORDERS

from ..messages import error_messages
from .filters import resolve_words
from .lists import chosen_view, default_columns
from .pages import object_or_404, render_page
from .query_string import url_filters

ENCODINGS = ("", "utf-8", "utf-8-sig", "gb18030", "utf-16", "big5", "latin-1")
FINISHED = (ImportRun.Status.DONE, ImportRun.Status.CANCELLED, ImportRun.Status.FAILED, ImportRun.Status.UNDONE)


def _importable(request, object_name: str) -> tuple[TenantMeta, ObjectMeta]:
    tenant, obj = object_or_404(object_name, request)
    if not service.access_for(request.user).can_import(obj):
        raise Http404(object_name)
    return tenant, obj


def _run_url(run: ImportRun) -> str:
    return reverse("app:import_run", kwargs={"object_name": run.object_api_name, "run_id": run.pk})


@login_required
def upload(request, object_name: str):
    """The upload form and the object's import history."""
    _tenant, obj = _importable(request, object_name)
    errors: list[str] = []
    if request.method == "POST":
        file = request.FILES.get("file")
        try:
            if file is None:
                raise NotFound(code="no_file")
            run = imports.start_import(object_name, file.name or "import.csv", file, request.user)
            imports.prepare_import(run.pk, request.user)
            return HttpResponseRedirect(_run_url(run))
        except NotFound:
            errors = [_("Choose a file.")]
        except TesseraError as exc:
            errors = error_messages(exc)
    return render_page(request, "ui_builder/app/imports/upload.html", {
        "object": obj, "label_plural": obj.label(get_language(), plural=True), "errors": errors,
        "history": imports.import_history(object_name, request.user),
    }, obj=obj, status=400 if errors else 200)


def _field_choices(tenant: TenantMeta, obj: ObjectMeta, request) -> list[dict[str, Any]]:
    language = get_language()
    access = service.access_for(request.user)
    choices = []
    for f in importable_fields(obj, access):
        target = lookup_target(tenant, f)
        matches = [{"api_name": m.api_name, "label": m.label(language)} for m in match_fields(tenant, target)] \
            if target is not None else []
        choices.append({"api_name": f.api_name, "label": f.label(language), "required": f.required,
                        "matches": matches})
    return choices


def _run_context(request, tenant: TenantMeta, obj: ObjectMeta, run: ImportRun,
                 prepared: imports.Prepared | None) -> dict[str, Any]:
    columns = prepared.columns if prepared is not None else []
    samples = prepared.preview.rows if prepared is not None else []
    fields = _field_choices(tenant, obj, request)
    return {
        "object": obj, "label_plural": obj.label(get_language(), plural=True), "run": run,
        "preview": prepared.preview if prepared is not None else None,
        "columns": [{"map": c, "samples": [row[c.column] for row in samples[:3] if c.column < len(row)]}
                    for c in columns],
        "fields": fields, "lookup_fields": {f["api_name"] for f in fields if f["matches"]},
        "encodings": ENCODINGS, "date_orders": DATE_ORDERS,
        "settings": run.settings or {"mode": "insert", "date_order": "ymd", "duplicates": "skip"},
        "active": run.status in imports.ACTIVE, "finished": run.status in FINISHED,
        "editable": run.status in (ImportRun.Status.DRAFT, ImportRun.Status.CHECKED),
        "job": run.job,
    }


@login_required
def run_page(request, object_name: str, run_id: int):
    """One run: settings and mapping while it is prepared, progress while it runs, its result."""
    tenant, obj = _importable(request, object_name)
    try:
        run = imports.get_run(run_id, request.user, object_api_name=object_name)
    except NotFound:
        raise Http404(object_name) from None
    errors: list[str] = []
    if request.method == "POST":
        try:
            run = _act(request, run)
            return HttpResponseRedirect(_run_url(run))
        except TesseraError as exc:
            errors = error_messages(exc)
            run.refresh_from_db()
    prepared = None
    if run.status in (ImportRun.Status.DRAFT, ImportRun.Status.CHECKED):
        try:
            prepared = imports.prepare_import(run.pk, request.user)
        except TesseraError as exc:
            errors += error_messages(exc)
    context = {**_run_context(request, tenant, obj, run, prepared), "errors": errors}
    if request.headers.get("HX-Request") and request.GET.get("part") == "progress":
        response = render_page(request, "ui_builder/app/imports/progress.html", context, obj=obj)
        if not context["active"]:
            response["HX-Refresh"] = "true"
        return response
    return render_page(request, "ui_builder/app/imports/run.html", context, obj=obj, status=400 if errors else 200)


def _posted_columns(request, run: ImportRun) -> list[dict[str, Any]]:
    """Each column's choice: "<field>" or, for a lookup, "<field>|<the parent's field it names>"."""
    columns = []
    for i in range(len(run.mapping)):
        field, _sep, match = (request.POST.get(f"field_{i}") or "").partition("|")
        columns.append({"column": i, "field": field or None, "match": match or None,
                        "create_missing": bool(request.POST.get(f"create_{i}"))})
    return columns


def _act(request, run: ImportRun) -> ImportRun:
    action = request.POST.get("action", "")
    if action == "read":
        imports.prepare_import(run.pk, request.user, {"encoding": request.POST.get("encoding", ""),
                                                      "sheet": request.POST.get("sheet", ""),
                                                      "header_row": request.POST.get("header_row") or 1})
        return run
    if action in ("dry_run", "run"):
        imports.configure_import(run.pk, request.user, columns=_posted_columns(request, run), settings={
            "mode": request.POST.get("mode"), "key": request.POST.getlist("key"),
            "date_order": request.POST.get("date_order"), "wan": bool(request.POST.get("wan")),
            "duplicates": request.POST.get("duplicates")})
        return imports.start_dry_run(run.pk, request.user) if action == "dry_run" else \
            imports.start_run(run.pk, request.user)
    if action == "cancel":
        return imports.cancel_import(run.pk, request.user)
    if action == "undo":
        return imports.undo_import(run.pk, request.user)
    raise NotFound(code="unknown_action")


@login_required
def template_file(request, object_name: str):
    """The object's import template (XLSX)."""
    _importable(request, object_name)
    handle, name = template.open_template(object_name, request.user)
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
def error_file(request, object_name: str, run_id: int):
    _importable(request, object_name)
    try:
        imports.get_run(run_id, request.user, object_api_name=object_name)
        handle, name = imports.open_error_file(run_id, request.user)
        return FileResponse(handle, as_attachment=True, filename=name)
    except NotFound:
        raise Http404(object_name) from None


# --- export ---


def _download(exported: export.ExportFile) -> FileResponse:
    response = FileResponse(export.open_export(exported), as_attachment=True, filename=exported.name,
                            content_type=exported.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _list_request(request, obj: ObjectMeta, data) -> export.ExportRequest:
    """The list page's state (view, filters, search, sort, columns) as an export request."""
    access = service.access_for(request.user)
    readable = service.readable_fields(obj, access)
    by_name = {f.api_name: f for f in readable}
    view = chosen_view(visible_list_views(obj, request.user.pk), data.get("view"))
    if data.get("columns"):
        columns = [by_name[n] for n in data["columns"].split(",") if n in by_name]
    elif view is not None and view.columns:
        columns = [by_name[n] for n in view.columns if n in by_name]
    else:
        columns = default_columns(obj, readable)
    if data.get("all_fields"):
        columns = [f for f in readable if not f.type.holds_files]
    filters = resolve_words(list(view.filters.items()) if view is not None else [], access)
    filters += resolve_words(url_filters(data), access)
    if data.get("q", "").strip():
        filters.append((f"{obj.name_field}__startswith", data["q"].strip()))
    sort = data.get("sort") or (",".join(view.sort) if view is not None and view.sort else "-created_at")
    return export.ExportRequest(obj.api_name, filters=tuple(filters), sort=tuple(s for s in sort.split(",") if s),
                                fields=tuple(f.api_name for f in columns), format=data.get("format") or "xlsx",
                                header=data.get("header") or "labels", language=get_language())


@login_required
def export_page(request, object_name: str):
    """GET: the choices (format, labels or keys, the list's columns or all); POST: the export."""
    _tenant, obj = object_or_404(object_name, request)
    if not service.access_for(request.user).can_export(obj):
        raise Http404(object_name)
    errors: list[str] = []
    if request.method == "POST":
        try:
            result = export.start_export(_list_request(request, obj, request.POST), request.user)
        except TesseraError as exc:
            errors = error_messages(exc)
        else:
            if isinstance(result, Job):
                return HttpResponseRedirect(reverse("app:export_job", kwargs={"object_name": object_name,
                                                                              "job_id": result.pk}))
            return _download(result)
    state = [(k, v) for k, values in request.GET.lists() for v in values if k != "cursor"]
    return render_page(request, "ui_builder/app/imports/export.html", {
        "object": obj, "label_plural": obj.label(get_language(), plural=True), "state": state, "errors": errors,
        "back": reverse("app:list", kwargs={"object_name": object_name}) + ("?" + request.GET.urlencode()
                                                                           if request.GET else ""),
    }, obj=obj, status=400 if errors else 200)


@login_required
def export_job_page(request, object_name: str, job_id: int):
    """A large export's progress (polled by htmx), then its download link."""
    _tenant, obj = object_or_404(object_name, request)
    try:
        job = export.get_export_job(job_id, request.user)
        if request.GET.get("download"):
            return _download(export.finished_export(job_id, request.user))
    except (NotFound, PermissionDenied):
        raise Http404(object_name) from None
    context = {"object": obj, "label_plural": obj.label(get_language(), plural=True), "job": job,
               "active": job.status in (Job.Status.QUEUED, Job.Status.RUNNING)}
    response = render_page(request, "ui_builder/app/imports/export_job.html", context, obj=obj)
    if request.headers.get("HX-Request") and not context["active"]:
        response["HX-Refresh"] = "true"  # finished: the whole page shows the download
    return response
