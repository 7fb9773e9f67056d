"""Objects: `objects/` and `objects/<object>/`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from metadata.cache import get_meta
from metadata.services import create_object, update_object
from tessera.api.base import ApiView, json_object
from tessera.errors import NotFound

from .. import serializers
from .base import (
    JSON_LIST,
    reader_definitions,
    reader_fields,
    reader_objects,
    reader_rules,
    tenant_and_object,
)


def _detail(request: Request, api_name: str, status_code: int = status.HTTP_200_OK) -> Response:
    tenant, obj = tenant_and_object(api_name)
    if not reader_objects(request, [obj]):
        raise NotFound(_("No object named “%(name)s”.") % {"name": api_name}, code="unknown_object")
    return Response(serializers.object_detail(obj, viewer_id=request.user.pk, version=tenant.version,
                                              fields=reader_fields(request, obj, obj.fields),
                                              definition=reader_definitions(request, obj),
                                              rule_visible=reader_rules(request, tenant, obj)),
                    status=status_code)


class ObjectListView(ApiView):
    @extend_schema(summary="All objects", responses={200: JSON_LIST})
    def get(self, request: Request) -> Response:
        return Response([serializers.object_summary(obj)
                         for obj in reader_objects(request, get_meta().objects.values())])

    @extend_schema(summary="Create a custom object", request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        obj = create_object(json_object(request), request.user)
        return _detail(request, obj.api_name, status.HTTP_201_CREATED)


class ObjectDetailView(ApiView):
    @extend_schema(summary="An object with its fields, categories, layouts and list views",
                   responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, object_name: str) -> Response:
        return _detail(request, object_name)

    @extend_schema(summary="Change an object (labels, description, icon, rules)", request=OpenApiTypes.OBJECT,
                   responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, object_name: str) -> Response:
        update_object(object_name, json_object(request), request.user)
        return _detail(request, object_name)
