"""Reference documents: the JSON Schemas of metadata, the field types, and the change history."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from metadata import schemas
from metadata.fieldtypes import field_types
from tessera.api.base import ApiView, int_param
from tessera.errors import NotFound

from .. import serializers
from ..history import DEFAULT_LIMIT, MAX_LIMIT, metadata_changes
from .base import JSON_LIST


def schema_document(kind: str) -> dict:
    """What the server validates with: the file, or for fields the file with every type's options."""
    return schemas.field_schema_document() if kind == "field" else schemas.load(kind)


class SchemaListView(ApiView):
    @extend_schema(summary="The kinds of metadata with a JSON Schema", responses={200: JSON_LIST})
    def get(self, request: Request) -> Response:
        return Response([
            {"kind": kind, "title": schemas.load(kind).get("title", kind),
             "url": reverse("meta-schema", kwargs={"kind": kind})}
            for kind in schemas.KINDS
        ])


class SchemaDetailView(ApiView):
    @extend_schema(summary="The JSON Schema of one kind of metadata", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, kind: str) -> Response:
        if kind not in schemas.KINDS:
            raise NotFound(_("No schema named “%(name)s”.") % {"name": kind}, code="unknown_schema")
        return Response(schema_document(kind))


class FieldTypeListView(ApiView):
    @extend_schema(summary="Every field type: capabilities, options schema, safe conversions",
                   responses={200: JSON_LIST})
    def get(self, request: Request) -> Response:
        return Response([serializers.field_type_json(t) for _key, t in field_types.items()])


class ChangeListView(ApiView):
    @extend_schema(
        summary="The metadata change history, newest first (administrators)",
        parameters=[
            OpenApiParameter("before", int, description="Give the `next_before` of the previous page."),
            OpenApiParameter("limit", int, description=f"1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})."),
            OpenApiParameter("entity", str, description="object, field, category, layout or list_view"),
            OpenApiParameter("entity_id", int),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        page = metadata_changes(
            request.user,
            before=int_param(request, "before", low=1),
            limit=int_param(request, "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT),
            entity=request.query_params.get("entity") or None,
            entity_id=int_param(request, "entity_id", low=1),
        )
        return Response({"results": [serializers.change_json(c) for c in page.changes],
                         "next_before": page.next_before})
