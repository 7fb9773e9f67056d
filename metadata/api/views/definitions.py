"""Categories, layouts and list views of an object: list, create, read, change, delete.

Categories and layouts share one implementation (`SpecListView` / `SpecDetailView`, configured per
kind). List views differ in who sees them: shared views, plus each user's own personal views.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from metadata.meta import CategoryMeta, LayoutMeta, ListViewMeta, ObjectMeta
from metadata.services import (
    create_category,
    create_layout,
    create_list_view,
    delete_category,
    delete_layout,
    delete_list_view,
    update_category,
    update_layout,
    update_list_view,
    visible_list_views,
)
from tessera.api.base import ApiView, found, json_object
from tessera.errors import NotFound

from .. import serializers
from .base import JSON_LIST, tenant_and_object


class SpecListView(ApiView):
    """GET the object's definitions of one kind; POST creates one through the kind's service."""

    entity: str
    items: Callable[[ObjectMeta], list]
    to_json: Callable
    create: Callable

    @extend_schema(responses={200: JSON_LIST})
    def get(self, request: Request, object_name: str) -> Response:
        _tenant, obj = tenant_and_object(object_name)
        return Response([type(self).to_json(item) for item in type(self).items(obj)])

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, object_name: str) -> Response:
        created = type(self).create(object_name, json_object(request), request.user)
        return Response(type(self).to_json(created), status=status.HTTP_201_CREATED)


class SpecDetailView(ApiView):
    entity: str
    lookup: Callable[[ObjectMeta, str], object]
    to_json: Callable
    update: Callable
    remove: Callable

    def _get(self, object_name: str, api_name: str) -> Any:
        _tenant, obj = tenant_and_object(object_name)
        return found(type(self).lookup(obj, api_name),
                     _("No %(kind)s named “%(name)s”.") % {"kind": self.entity.replace("_", " "), "name": api_name},
                     code=f"unknown_{self.entity}")

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, object_name: str, api_name: str) -> Response:
        return Response(type(self).to_json(self._get(object_name, api_name)))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, object_name: str, api_name: str) -> Response:
        updated = type(self).update(object_name, api_name, json_object(request), request.user)
        return Response(type(self).to_json(updated))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, object_name: str, api_name: str) -> Response:
        type(self).remove(object_name, api_name, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _categories(obj: ObjectMeta) -> list[CategoryMeta]:
    return list(obj.categories.values())


def _layouts(obj: ObjectMeta) -> list[LayoutMeta]:
    return list(obj.layouts.values())


class CategoryListView(SpecListView):
    entity = "category"
    items = staticmethod(_categories)
    to_json = staticmethod(serializers.category_json)
    create = staticmethod(create_category)


class CategoryDetailView(SpecDetailView):
    entity = "category"
    lookup = staticmethod(lambda obj, name: obj.categories.get(name))
    to_json = staticmethod(serializers.category_json)
    update = staticmethod(update_category)
    remove = staticmethod(delete_category)


class LayoutListView(SpecListView):
    entity = "layout"
    items = staticmethod(_layouts)
    to_json = staticmethod(serializers.layout_json)
    create = staticmethod(create_layout)


class LayoutDetailView(SpecDetailView):
    entity = "layout"
    lookup = staticmethod(lambda obj, name: obj.layouts.get(name))
    to_json = staticmethod(serializers.layout_json)
    update = staticmethod(update_layout)
    remove = staticmethod(delete_layout)


# --- list views ---------------------------------------------------------------------------------


def _visible_list_view(obj: ObjectMeta, api_name: str, viewer_id: int | None) -> ListViewMeta:
    """The viewer's own view of that name if they have one, else the shared one."""
    candidates = [v for v in visible_list_views(obj, viewer_id) if v.api_name == api_name]
    if not candidates:
        raise NotFound(_("No list view named “%(name)s”.") % {"name": api_name}, code="unknown_list_view")
    return min(candidates, key=lambda v: v.owner_id is None)


class ListViewListView(ApiView):
    @extend_schema(summary="Shared list views and your own", responses={200: JSON_LIST})
    def get(self, request: Request, object_name: str) -> Response:
        _tenant, obj = tenant_and_object(object_name)
        return Response([serializers.list_view_json(v)
                         for v in visible_list_views(obj, request.user.pk)])

    @extend_schema(summary="Create a list view",
                   description='`"shared": true` makes a view everyone sees (needs the customise right); '
                               "otherwise the view is yours alone.",
                   request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, object_name: str) -> Response:
        view = create_list_view(object_name, json_object(request), request.user)
        return Response(serializers.list_view_json(view), status=status.HTTP_201_CREATED)


class ListViewDetailView(ApiView):
    def _get(self, request: Request, object_name: str, api_name: str) -> ListViewMeta:
        _tenant, obj = tenant_and_object(object_name)
        return _visible_list_view(obj, api_name, request.user.pk)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, object_name: str, api_name: str) -> Response:
        return Response(serializers.list_view_json(self._get(request, object_name, api_name)))

    @extend_schema(summary="Change your own list view, or a shared one (customise right)",
                   request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, object_name: str, api_name: str) -> Response:
        changes = json_object(request)
        view = self._get(request, object_name, api_name)
        updated = update_list_view(object_name, api_name, changes, request.user, shared=view.owner_id is None)
        return Response(serializers.list_view_json(updated))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, object_name: str, api_name: str) -> Response:
        view = self._get(request, object_name, api_name)
        delete_list_view(object_name, api_name, request.user, shared=view.owner_id is None)
        return Response(status=status.HTTP_204_NO_CONTENT)
