"""The import and export API (`/api/v1/imports/…`, `/api/v1/exports/…`): thin views over
tessera.transfer.imports and .export.

    POST /api/v1/imports/<object>/            multipart: file, options (JSON: source, mapping,
                                              settings, run = "dry_run" | "import" | "")
    GET  /api/v1/imports/<object>/            the object's import history
    GET  /api/v1/imports/<object>/<id>/       a run: status, progress, counts, first errors
    POST /api/v1/imports/<object>/<id>/run/   {"dry_run": true|false, "mapping"?, "settings"?}
    POST /api/v1/imports/<object>/<id>/cancel/, …/undo/
    GET  /api/v1/imports/<object>/<id>/errors/   the refused rows with an error column
    POST /api/v1/exports/<object>/            {"filters", "sort", "fields", "format", "header"}:
                                              the file (200), or the job (202) beyond 10,000 rows
    GET  /api/v1/exports/jobs/<id>/           the job; ?download=1 its file
"""

from __future__ import annotations

import json
from typing import Any

from django.http import FileResponse
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from tessera.api.base import ApiView, documented, json_object
from tessera.api.parsers import JSONParser
from tessera.core.models import Job
from tessera.errors import ValidationFailed

from . import export, imports, template
from .models import ImportRun

TAGS = ["imports and exports"]


def job_json(job: Job | None) -> dict | None:
    if job is None:
        return None
    return {"id": job.pk, "kind": job.kind, "status": job.status, "done": job.done, "total": job.total,
            "percent": job.percent, "message": job.message}


def run_json(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.pk, "object": run.object_api_name, "file_name": run.file_name, "status": run.status,
        "source": run.source, "mapping": run.mapping, "settings": run.settings, "dry_run": run.dry_run,
        "rows_total": run.rows_total, "rows_done": run.rows_done, "inserted": run.inserted, "updated": run.updated,
        "skipped": run.skipped, "errors": run.errors, "parents_created": run.parents_created,
        "message": run.message, "cancel_requested": run.cancel_requested, "job": job_json(run.job),
        "created_by": run.created_by_id, "created_at": run.created_at, "finished_at": run.finished_at,
        "undone_at": run.undone_at,
    }


def _options(request: Request) -> dict:
    data: Any = request.data
    raw = data.get("options") or "{}"
    try:
        options = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        options = None
    if not isinstance(options, dict):
        raise ValidationFailed.single("options", "invalid", _("Send the options as a JSON object."))
    return options


class ImportListView(ApiView):
    parser_classes = [MultiPartParser]

    @documented("The object's imports, newest first", tags=TAGS)
    def get(self, request: Request, object_api_name: str) -> Response:
        return Response({"results": [run_json(r) for r in imports.import_history(object_api_name, request.user)]})

    @documented("Upload a file to import (and check or import it at once)", tags=TAGS,
                responses={201: dict, 202: dict})
    def post(self, request: Request, object_api_name: str) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed.single("file", "required", _("Send the file to import."))
        options = _options(request)
        run = imports.start_import(object_api_name, upload.name or "import.csv", upload, request.user)
        prepared = imports.prepare_import(run.pk, request.user, options.get("source") or {})
        run = prepared.run
        if options.get("mapping") is not None or options.get("settings") is not None:
            run = imports.configure_import(run.pk, request.user,
                                           columns=options.get("mapping") or run.mapping,
                                           settings=options.get("settings") or {})
        what = options.get("run") or ""
        if what in ("dry_run", "import"):
            if not run.settings:
                run = imports.configure_import(run.pk, request.user, columns=run.mapping, settings={})
            run = imports.start_dry_run(run.pk, request.user) if what == "dry_run" else \
                imports.start_run(run.pk, request.user)
            return Response(run_json(run), status=202)
        return Response({**run_json(run), "preview": {"headers": prepared.preview.headers,
                                                      "rows": json.loads(json.dumps(prepared.preview.rows, default=str)),
                                                      "sheets": prepared.preview.sheets}}, status=201)


class ImportDetailView(ApiView):
    @documented("An import: status, progress, counts", tags=TAGS)
    def get(self, request: Request, object_api_name: str, run_id: int) -> Response:
        return Response(run_json(imports.get_run(run_id, request.user, object_api_name=object_api_name)))


class ImportRunView(ApiView):
    parser_classes = [JSONParser]

    @documented("Check (dry run) or import the file", tags=TAGS, responses={202: dict})
    def post(self, request: Request, object_api_name: str, run_id: int) -> Response:
        body = json_object(request)
        run = imports.get_run(run_id, request.user, object_api_name=object_api_name)
        if "mapping" in body or "settings" in body:
            imports.configure_import(run.pk, request.user, columns=body.get("mapping") or run.mapping,
                                     settings=body.get("settings") or run.settings)
        use_case = imports.start_dry_run if body.get("dry_run") else imports.start_run
        return Response(run_json(use_case(run.pk, request.user)), status=202)


class ImportCancelView(ApiView):
    @documented("Stop the import after its current batch (finished batches stay)", tags=TAGS)
    def post(self, request: Request, object_api_name: str, run_id: int) -> Response:
        imports.get_run(run_id, request.user, object_api_name=object_api_name)
        return Response(run_json(imports.cancel_import(run_id, request.user)))


class ImportUndoView(ApiView):
    @documented("Undo the import: created records to the recycle bin, changed fields back", tags=TAGS,
                responses={202: dict})
    def post(self, request: Request, object_api_name: str, run_id: int) -> Response:
        imports.get_run(run_id, request.user, object_api_name=object_api_name)
        return Response(run_json(imports.undo_import(run_id, request.user)), status=202)


def error_file_response(run_id: int, actor: Any) -> FileResponse:
    handle, name = imports.open_error_file(run_id, actor)
    return FileResponse(handle, as_attachment=True, filename=name)


def export_file_response(exported: export.ExportFile) -> FileResponse:
    response = FileResponse(export.open_export(exported), as_attachment=True, filename=exported.name,
                            content_type=exported.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ImportTemplateView(ApiView):
    @documented("An XLSX template of the object: its fields, required ones marked, an example row, choice values",
                tags=TAGS)
    def get(self, request: Request, object_api_name: str) -> FileResponse:
        handle, name = template.open_template(object_api_name, request.user)
        return FileResponse(handle, as_attachment=True, filename=name)


class ImportErrorsView(ApiView):
    @documented("The refused rows, with an error column", tags=TAGS)
    def get(self, request: Request, object_api_name: str, run_id: int) -> FileResponse:
        imports.get_run(run_id, request.user, object_api_name=object_api_name)
        return error_file_response(run_id, request.user)


class ExportView(ApiView):
    parser_classes = [JSONParser]

    @documented("Export a list to CSV or XLSX (a job beyond 10,000 rows)", tags=TAGS, responses={200: dict, 202: dict})
    def post(self, request: Request, object_api_name: str) -> Any:
        body = json_object(request)
        filters = body.get("filters") or {}
        if not isinstance(filters, dict):
            raise ValidationFailed.single("filters", "invalid", _("Give the filters as an object."))
        fields = body.get("fields")
        wanted = export.ExportRequest(
            object_api_name=object_api_name, filters=tuple((str(k), v) for k, v in filters.items()),
            sort=tuple(str(s) for s in (body.get("sort") or [])),
            fields=tuple(str(f) for f in fields) if isinstance(fields, list) else None,
            format=str(body.get("format") or "xlsx"), header=str(body.get("header") or "labels"),
            language=get_language())
        result = export.start_export(wanted, request.user)
        if isinstance(result, Job):
            return Response(job_json(result), status=202)
        return export_file_response(result)


class ExportJobView(ApiView):
    @documented("An export job; ?download=1 gives its file when done", tags=TAGS)
    def get(self, request: Request, job_id: int) -> Any:
        job = export.get_export_job(job_id, request.user)
        if request.query_params.get("download"):
            return export_file_response(export.finished_export(job_id, request.user))
        return Response(job_json(job))


urlpatterns = [
    path("imports/<str:object_api_name>/", ImportListView.as_view(), name="imports-list"),
    path("imports/<str:object_api_name>/template/", ImportTemplateView.as_view(), name="imports-template"),
    path("imports/<str:object_api_name>/<int:run_id>/", ImportDetailView.as_view(), name="imports-detail"),
    path("imports/<str:object_api_name>/<int:run_id>/run/", ImportRunView.as_view(), name="imports-run"),
    path("imports/<str:object_api_name>/<int:run_id>/cancel/", ImportCancelView.as_view(), name="imports-cancel"),
    path("imports/<str:object_api_name>/<int:run_id>/undo/", ImportUndoView.as_view(), name="imports-undo"),
    path("imports/<str:object_api_name>/<int:run_id>/errors/", ImportErrorsView.as_view(), name="imports-errors"),
    path("exports/jobs/<int:job_id>/", ExportJobView.as_view(), name="exports-job"),
    path("exports/<str:object_api_name>/", ExportView.as_view(), name="exports-create"),
]
