"""`/api/v1/reports/…`: report definitions (CRUD), running them, the records behind a number, and
prepared (background) results. Thin views over reports_engine.services / .prepared; errors in the
one error shape (tessera.api.exceptions).

    GET  /api/v1/reports/                        the reports you may see (?object=opportunity)
    POST /api/v1/reports/                        create one (create reports right; "shared" needs share reports)
    GET|PATCH|DELETE /api/v1/reports/<name>/     one definition
    GET  /api/v1/reports/<name>/run/?f.<field>__<op>=<value>   run it (a ReportResult, or a queued job after 5 s)
    POST /api/v1/reports/run/                    run an unsaved definition {"spec": {…}, "filters": [[key, value]…]}
    GET  /api/v1/reports/<name>/records/?cell={"g0": "east"}&after=<id>&limit=50   the records behind a number
    GET  /api/v1/reports/jobs/<id>/              a prepared report's state and result
    GET  /api/v1/reports/schema/                 the JSON Schema of a definition
"""

from __future__ import annotations

import json
from typing import Any

from django.http import QueryDict
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tessera.api.base import ApiView, documented, int_param, json_object
from tessera.errors import NotFound, ValidationFailed
from tessera.records.serialize import records_json

from . import prepared, services

FILTER_PREFIX = "f."
NAME = OpenApiParameter("api_name", OpenApiTypes.STR, OpenApiParameter.PATH)


def _doc(summary: str, **kwargs: Any) -> Any:
    return documented(summary, tags=["reports"], **kwargs)


def _filters(params: QueryDict) -> list[tuple[str, str]]:
    """`f.<field>__<op>=<value>` query parameters (the list page's syntax) → records-API filters."""
    return [(key[len(FILTER_PREFIX):], value) for key in params if key.startswith(FILTER_PREFIX)
            for value in params.getlist(key) if value != ""]


def _body_filters(raw: Any) -> list[tuple[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(i, list | tuple) and len(i) == 2 and isinstance(i[0], str)
                                            for i in raw):
        raise ValidationFailed.single("filters", "invalid", _("Give filters as [[key, value], …]."))
    return [(str(k), v) for k, v in raw]


def _cell(params: QueryDict) -> dict[str, Any]:
    raw = params.get("cell", "")
    if not raw:
        return {}
    try:
        cell = json.loads(raw)
    except ValueError:
        cell = None
    if not isinstance(cell, dict) or not all(isinstance(k, str) for k in cell):
        raise ValidationFailed.single("cell", "invalid", _("Give the cell as a JSON object of group keys."))
    return cell


class ReportListView(ApiView):
    @_doc("The reports you may see", parameters=[OpenApiParameter("object", OpenApiTypes.STR)],
          responses={200: {"type": "array", "items": {"type": "object"}}})
    def get(self, request: Request) -> Response:
        return Response(services.list_reports(request.user, object_api_name=request.query_params.get("object")))

    @_doc("Create a report", request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        row = services.create_report(json_object(request), request.user)
        return Response(services.full_spec(row), status=status.HTTP_201_CREATED)


class ReportDetailView(ApiView):
    @_doc("A report's definition", parameters=[NAME])
    def get(self, request: Request, api_name: str) -> Response:
        return Response(services.get_report(api_name, request.user))

    @_doc("Change a report (its owner with the create reports right, or an administrator)", parameters=[NAME],
          request=OpenApiTypes.OBJECT)
    def patch(self, request: Request, api_name: str) -> Response:
        return Response(services.full_spec(services.update_report(api_name, json_object(request), request.user)))

    @_doc("Delete a report", parameters=[NAME], responses={204: None})
    def delete(self, request: Request, api_name: str) -> Response:
        services.delete_report(api_name, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReportRunView(ApiView):
    @_doc("Run a report as you: {status: done, result} or, past 5 s, {status: queued, job}",
          parameters=[NAME])
    def get(self, request: Request, api_name: str) -> Response:
        return Response(prepared.run_or_prepare(api_name, request.user, extra_filters=_filters(request.query_params)))


class ReportPreviewView(ApiView):
    @_doc("Run an unsaved definition (the builder's preview)", request=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        body = json_object(request)
        spec = body.get("spec")
        if not isinstance(spec, dict):
            raise ValidationFailed.single("spec", "invalid", _("Send the report definition as an object."))
        result = services.run_report(spec, request.user, extra_filters=_body_filters(body.get("filters")))
        return Response({"status": "done", "result": result.to_json()})


class ReportRecordsView(ApiView):
    @_doc("The records behind a group or cell of a report, in id order, a page at a time",
          parameters=[NAME, OpenApiParameter("cell", OpenApiTypes.STR), OpenApiParameter("after", OpenApiTypes.INT),
                      OpenApiParameter("limit", OpenApiTypes.INT)])
    def get(self, request: Request, api_name: str) -> Response:
        page = services.drill_down(api_name, request.user, cell=_cell(request.query_params),
                                   extra_filters=_filters(request.query_params),
                                   after=int_param(request, "after", low=0),
                                   limit=int_param(request, "limit", default=50, low=1, high=200))
        return Response({"results": records_json(page.records, page.fields), "next_after": page.next_after})


class PreparedReportView(ApiView):
    @_doc("A prepared report: queued, running, done (with its result) or failed",
          parameters=[OpenApiParameter("job_id", OpenApiTypes.INT, OpenApiParameter.PATH)])
    def get(self, request: Request, job_id: str) -> Response:
        if not (job_id.isascii() and job_id.isdigit()) or len(job_id) > 18:
            raise NotFound(_("No such prepared report."), code="unknown_job")
        return Response(prepared.prepared_result(int(job_id), request.user))


class ReportSchemaView(ApiView):
    @_doc("The JSON Schema of a report definition")
    def get(self, request: Request) -> Response:
        return Response(services.report_schema())


urlpatterns = [
    path("", ReportListView.as_view(), name="reports"),
    path("run/", ReportPreviewView.as_view(), name="reports-preview"),
    path("schema/", ReportSchemaView.as_view(), name="reports-schema"),
    path("jobs/<str:job_id>/", PreparedReportView.as_view(), name="reports-job"),
    path("<str:api_name>/", ReportDetailView.as_view(), name="report"),
    path("<str:api_name>/run/", ReportRunView.as_view(), name="report-run"),
    path("<str:api_name>/records/", ReportRecordsView.as_view(), name="report-records"),
]
