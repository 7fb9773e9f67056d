"""The records REST API: thin views. Each checks the shape of its input, calls ONE use case of
tessera.records.service (or this package's form, file and OpenAPI functions) and renders the
result with serialize.py. Errors are domain errors, turned into HTTP by tessera.api.exceptions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.http import FileResponse, QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from tessera.api.base import ApiView, bool_param, documented, int_param, json_object
from tessera.errors import NotFound, ValidationFailed
from tessera.records import forms, merge, search, service
from tessera.records.serialize import history_json, readable_fields, record_json, records_json
from tessera.security.actor import Actor

from . import files, openapi
from .bulk import bulk_response

if TYPE_CHECKING:
    from tessera.records.record import Record
    from tessera.records.service import WriteResult

F = TypeVar("F", bound=Callable[..., Any])

#: Query parameters of the list endpoint that are not filters.
LIST_PARAMS = frozenset({"sort", "limit", "cursor", "fields", "expand", "count", "deleted"})
OBJECT = OpenApiParameter("object_api_name", OpenApiTypes.STR, OpenApiParameter.PATH)
RECORD = OpenApiParameter("record_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _doc(operation_id: str, summary: str, *, request: Any = None, responses: dict | None = None,
         parameters: Iterable[OpenApiParameter] = (), record: bool = False) -> Callable[[F], F]:
    return documented(summary, operation_id=operation_id, request=request, responses=responses, tags=["records"],
                      parameters=[OBJECT, *([RECORD] if record else []), *parameters])


# --- input helpers ---------------------------------------------------------------------------------


def _csv(params: QueryDict, name: str) -> list[str]:
    return [part.strip() for value in params.getlist(name) for part in value.split(",") if part.strip()]


def _record_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise NotFound(_("No such record."), code="unknown_record")
    return int(raw)


def _record_body(request: Request) -> dict:
    return json_object(request, _("A record is a JSON object of field values."))


ETAG_RE = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def _if_match(request: Request) -> int | None:
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = ETAG_RE.match(header)
    if match is None:
        raise ValidationFailed.single("version", "invalid", _("If-Match takes the version you read, e.g. \"3\"."))
    return int(match.group(1))


def _with_etag(response: Response, version: int) -> Response:
    response["ETag"] = f'"{version}"'
    return response


def _record_response(record: Record, actor: Actor, *, status: int = 200) -> Response:
    body = record_json(record, readable_fields(record.object, actor))
    return _with_etag(Response(body, status=status), record.version)


# --- records ---------------------------------------------------------------------------------------


class RecordListView(ApiView):
    @_doc("records_list", "List records (filters: field__op=value)", parameters=[
        OpenApiParameter(p, OpenApiTypes.STR) for p in sorted(LIST_PARAMS)])
    def get(self, request: Request, object_api_name: str) -> Response:
        params = request.query_params
        deleted = params.get("deleted")
        if deleted not in (None, "", "only"):
            raise ValidationFailed.single("deleted", "invalid", _("Use deleted=only to list the recycle bin."))
        filters = [(key, value) for key, values in params.lists() if key not in LIST_PARAMS for value in values]
        count = bool_param(request, "count")
        page = service.list_records(
            object_api_name, request.user, filters=filters, sort=_csv(params, "sort"),
            limit=int_param(request, "limit", default=service.DEFAULT_PAGE), cursor=params.get("cursor") or None,
            fields=_csv(params, "fields") or None, expand=_csv(params, "expand"), count=count,
            deleted="only" if deleted else False, guard_sort=True)
        body: dict[str, Any] = {"results": records_json(page.records, page.fields, deleted_at=bool(deleted)),
                "next": page.next_cursor}
        if page.next_cursor:
            query = params.copy()
            query["cursor"] = page.next_cursor
            body["next_url"] = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        if count:  # exact up to service.COUNT_LIMIT; beyond, that number and count_capped
            body["count"] = page.total
            body["count_capped"] = page.count_capped
        return Response(body)

    @_doc("records_create", "Create a record", request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT},
          parameters=[OpenApiParameter("confirm_duplicates", OpenApiTypes.BOOL)])
    def post(self, request: Request, object_api_name: str) -> Response:
        record = service.create_record(object_api_name, _record_body(request), request.user,
                                       confirm_duplicates=bool_param(request, "confirm_duplicates"))
        return _record_response(record, request.user, status=201)


class RecordBulkView(ApiView):
    bulk_parameters = [OpenApiParameter("mode", OpenApiTypes.STR, enum=["all_or_nothing", "per_row"]),
                       OpenApiParameter("confirm_duplicates", OpenApiTypes.BOOL),
                       OpenApiParameter("return", OpenApiTypes.STR, enum=["representation", "minimal"])]

    @_doc("records_bulk_create", "Create up to 1,000 records (or upsert them: upsert_on=<field>[,<field>])",
          request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT,
                                                  207: OpenApiTypes.OBJECT},
          parameters=[*bulk_parameters, OpenApiParameter("upsert_on", OpenApiTypes.STR)])
    def post(self, request: Request, object_api_name: str) -> Response:
        return self._bulk(request, object_api_name, service.create_records, created=True,
                          upsert_on=_csv(request.query_params, "upsert_on"))

    @_doc("records_bulk_update", "Change up to 1,000 records", request=OpenApiTypes.OBJECT, parameters=bulk_parameters,
          responses={200: OpenApiTypes.OBJECT, 207: OpenApiTypes.OBJECT})
    def patch(self, request: Request, object_api_name: str) -> Response:
        return self._bulk(request, object_api_name, service.update_records, created=False)

    def _bulk(self, request: Request, object_api_name: str, use_case: Callable[..., list[WriteResult]], *,
              created: bool, **options: Any) -> Response:
        mode = request.query_params.get("mode") or "all_or_nothing"
        if mode not in ("all_or_nothing", "per_row"):
            raise ValidationFailed.single("mode", "invalid", _("Use mode=all_or_nothing or mode=per_row."))
        answer = request.query_params.get("return") or "representation"
        if answer not in ("representation", "minimal"):
            raise ValidationFailed.single("return", "invalid", _("Use return=minimal or return=representation."))
        rows = request.data.get("records") if isinstance(request.data, dict) else request.data
        if not isinstance(rows, list):
            raise ValidationFailed.single(None, "invalid", _("Give a list of records."))
        body, status = bulk_response(use_case, object_api_name, rows, request.user, per_row=mode == "per_row",
                                     confirm_duplicates=bool_param(request, "confirm_duplicates"),
                                     created=created, minimal=answer == "minimal", **options)
        return Response(body, status=status)


class RecordDetailView(ApiView):
    @_doc("records_retrieve", "Read a record", record=True, parameters=[OpenApiParameter("expand", OpenApiTypes.STR)])
    def get(self, request: Request, object_api_name: str, record_id: str) -> Response:
        record = service.get_record(object_api_name, _record_id(record_id), request.user,
                                    expand=_csv(request.query_params, "expand"))
        return _record_response(record, request.user)

    @_doc("records_update", "Change a record (If-Match or version: optimistic concurrency)", record=True,
          request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
          parameters=[OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER),
                      OpenApiParameter("confirm_duplicates", OpenApiTypes.BOOL)])
    def patch(self, request: Request, object_api_name: str, record_id: str) -> Response:
        record = service.update_record(object_api_name, _record_id(record_id), _record_body(request), request.user,
                                       expected_version=_if_match(request),
                                       confirm_duplicates=bool_param(request, "confirm_duplicates"))
        return _record_response(record, request.user)

    @_doc("records_destroy", "Delete a record (to the recycle bin)", record=True, responses={204: None, 409: OpenApiTypes.OBJECT})
    def delete(self, request: Request, object_api_name: str, record_id: str) -> Response:
        service.delete_record(object_api_name, _record_id(record_id), request.user)
        return Response(status=204)


class RecordRestoreView(ApiView):
    @_doc("records_restore", "Restore a record from the recycle bin", record=True, request=None)
    def post(self, request: Request, object_api_name: str, record_id: str) -> Response:
        record = service.restore_record(object_api_name, _record_id(record_id), request.user)
        return _record_response(record, request.user)


class RecordHistoryView(ApiView):
    @_doc("records_history", "History of a record's tracked fields", record=True)
    def get(self, request: Request, object_api_name: str, record_id: str) -> Response:
        entries = service.record_history(object_api_name, _record_id(record_id), request.user)
        return Response({"results": history_json(entries)})


class RecordMergeView(ApiView):
    @_doc("records_merge", "Merge two duplicate records: field → \"survivor\" or \"loser\"; related records, "
          "activities and history move to the survivor, the loser goes to the recycle bin",
          request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request: Request, object_api_name: str) -> Response:
        body = json_object(request, _("Give {\"survivor\": id, \"loser\": id, \"choices\": {field: side}}."))
        ids = {}
        for key in ("survivor", "loser"):
            value = body.get(key)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValidationFailed.single(key, "required", _("Give the id of a record."))
            ids[key] = value
        versions = body.get("versions") or {}
        if not isinstance(versions, dict) or not all(str(k).isdigit() and isinstance(v, int)
                                                     for k, v in versions.items()):
            raise ValidationFailed.single("versions", "invalid", _("Give {record id: version}."))
        done = merge.merge_records(object_api_name, ids["survivor"], ids["loser"], body.get("choices") or {},
                                   request.user, versions={int(k): v for k, v in versions.items()})
        record = record_json(done.record, readable_fields(done.record.object, request.user))
        return _with_etag(Response({"record": record, "loser": ids["loser"], "taken": done.taken,
                                    "moved": done.moved}), done.record.version)


class RecordFormView(ApiView):
    @_doc("records_form", "Form descriptor (layout, sections, widgets) for the UI", parameters=[
        OpenApiParameter("layout", OpenApiTypes.STR), OpenApiParameter("category", OpenApiTypes.STR),
        OpenApiParameter("record", OpenApiTypes.INT)])
    def get(self, request: Request, object_api_name: str) -> Response:
        params = request.query_params
        record = params.get("record")
        if record not in (None, "") and not (record.isascii() and record.isdigit() and len(record) <= 18):
            raise ValidationFailed.single("record", "invalid", _("Give the id of a record."))
        descriptor = forms.form_descriptor(object_api_name, request.user, layout=params.get("layout") or None,
                                           category=params.get("category") or None,
                                           record_id=int(record) if record else None,
                                           language=get_language())
        return Response(descriptor)


class LookupChoicesView(ApiView):
    @_doc("records_lookup_choices", "Records a lookup may point at: its filter's, that the reader may read, "
          "by name (a form's picker)", parameters=[
              OpenApiParameter("field_api_name", OpenApiTypes.STR, OpenApiParameter.PATH),
              OpenApiParameter("q", OpenApiTypes.STR, description="The name (or its pinyin, or initials) starts with it."),
              OpenApiParameter("limit", OpenApiTypes.INT),
              OpenApiParameter("v.<field>", OpenApiTypes.STR, description="A value of the record being edited, for a "
                               "filter that compares with that field (e.g. v.account=7).")])
    def get(self, request: Request, object_api_name: str, field_api_name: str) -> Response:
        params = request.query_params
        values = {key[2:]: value for key, value in params.items() if key.startswith("v.")}
        records = search.lookup_choices(object_api_name, field_api_name, request.user, params.get("q", ""), values,
                                        limit=int_param(request, "limit", default=20, low=1, high=100))
        return Response({"results": [{"id": r.id, "name": r.name} for r in records]})


# --- files -----------------------------------------------------------------------------------------


class FileUploadView(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="files_upload", summary="Upload a file (multipart, field `file`)", tags=["files"],
                   request={"multipart/form-data": {"type": "object", "properties": {
                       "file": {"type": "string", "format": "binary"}}}},
                   responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 413: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        length: str | None = request.META.get("CONTENT_LENGTH")
        files.check_upload_length(int(length) if length and length.isdigit() else None)
        return Response(files.store_upload(request.FILES.get("file"), request.user), status=201)


class FileDownloadView(ApiView):
    @extend_schema(operation_id="files_download", summary="Download a file", tags=["files"],
                   parameters=[OpenApiParameter("token", OpenApiTypes.STR, OpenApiParameter.PATH)],
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: OpenApiTypes.OBJECT})
    def get(self, request: Request, token: str) -> FileResponse:
        download = files.find_download(token, request.user)
        response = FileResponse(download.open(), as_attachment=not download.inline, filename=download.name,
                                content_type=download.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


# --- the tenant's OpenAPI document --------------------------------------------------------------


class TenantOpenAPIView(ApiView):
    @extend_schema(operation_id="tenant_openapi", summary="This tenant's OpenAPI 3.1 document (its own objects and fields)", tags=["schema"],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        tenant = getattr(request, "tenant", None)
        title = f"{getattr(tenant, 'name', None) or 'Tessera'} API"
        server = request.build_absolute_uri(request.path.rsplit("openapi.json", 1)[0]).rstrip("/")
        return Response(openapi.tenant_openapi(request.user, language=get_language(), title=title,
                                               server_url=server))

