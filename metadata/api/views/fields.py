"""Fields of an object: CRUD, restore, type change, picklist values and cascades (dependencies)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from metadata.meta import FieldMeta
from metadata.services import add_field, change_field_type, delete_field, restore_field, update_field
from metadata.services.fields import active_field
from tessera.api.base import ApiView, bool_param, json_object
from tessera.errors import NotFound, ValidationFailed
from tessera.security.actor import Actor

from .. import serializers
from .base import JSON_LIST, reader_definitions, reader_fields, require_keys, tenant_and_object

CASCADE_OPTIONS = ("controlling_field", "dependency")


class FieldListView(ApiView):
    @extend_schema(summary="Fields of an object", responses={200: JSON_LIST}, parameters=[
        OpenApiParameter("deleted", bool, description="Also list soft-deleted fields (marked `deleted`).")])
    def get(self, request: Request, object_name: str) -> Response:
        _tenant, obj = tenant_and_object(object_name)
        fields = list(obj.fields)
        if bool_param(request, "deleted"):
            fields += list(obj.deleted_fields)
        return Response(serializers.fields_json(reader_fields(request, obj, fields),
                                                definition=reader_definitions(request, obj)))

    @extend_schema(summary="Add a field", request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, object_name: str) -> Response:
        field = add_field(object_name, json_object(request), request.user)
        return Response(serializers.field_json(field), status=status.HTTP_201_CREATED)


class FieldDetailView(ApiView):
    @extend_schema(summary="A field", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, object_name: str, field_name: str) -> Response:
        _tenant, obj = tenant_and_object(object_name)
        field = active_field(obj, field_name)
        if not reader_fields(request, obj, [field]):
            raise NotFound(_("No field named “%(name)s”.") % {"name": field_name}, code="unknown_field")
        return Response(serializers.field_json(field, definition=reader_definitions(request, obj)(field)))

    @extend_schema(summary="Change a field (labels, flags, options, default, position)",
                   request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, object_name: str, field_name: str) -> Response:
        field = update_field(object_name, field_name, json_object(request), request.user)
        return Response(serializers.field_json(field))

    @extend_schema(summary="Delete a field (soft: its values stay and come back on restore)",
                   responses={204: None})
    def delete(self, request: Request, object_name: str, field_name: str) -> Response:
        delete_field(object_name, field_name, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FieldRestoreView(ApiView):
    @extend_schema(summary="Restore a deleted field with its values", request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, object_name: str, field_name: str) -> Response:
        field = restore_field(object_name, field_name, request.user)
        return Response(serializers.field_json(field))


class FieldChangeTypeView(ApiView):
    @extend_schema(
        summary="Change a field's type (dry run first)",
        description='Body: {"type": …, "options": {…}, "dry_run": true|false}. Answers the conversion report: '
                    "how many values convert and the ones that would not. The real run is refused (400) while "
                    "any value would not convert; 202 when a background job does the conversion.",
        request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
    def post(self, request: Request, object_name: str, field_name: str) -> Response:
        body = json_object(request)
        require_keys(body, {"type": str, "options": dict, "dry_run": bool}, optional=frozenset({"options", "dry_run"}))
        report = change_field_type(object_name, field_name, body["type"], request.user,
                                   options=body.get("options") or {}, dry_run=body.get("dry_run", True))
        code = status.HTTP_202_ACCEPTED if report.job_id else status.HTTP_200_OK
        return Response(serializers.report_json(report), status=code)


def _picklist(object_name: str, field_name: str) -> FieldMeta:
    _tenant, obj = tenant_and_object(object_name)
    field = active_field(obj, field_name)
    if field.type.choice_keys(field) is None:
        raise NotFound(_("“%(name)s” is not a picklist.") % {"name": field_name}, code="not_a_picklist")
    return field


def _change_options(object_name: str, field: FieldMeta, patch: dict, actor: Actor) -> FieldMeta:
    """Set (None: remove) some option keys, leaving the others as they are when the change is made."""
    return update_field(object_name, field.api_name, {}, actor, options_patch=patch)


class PicklistValuesView(ApiView):
    @extend_schema(summary="The values of a picklist", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, object_name: str, field_name: str) -> Response:
        return Response(serializers.picklist_values_json(_picklist(object_name, field_name)))

    @extend_schema(
        summary="Replace the values of a picklist",
        description='Body: {"values": [{"key", "labels", "active", "color", "probability"}, …]} (or the bare list). '
                    "Relabel, reorder, deactivate (active: false) or add values: records keep their stored keys "
                    "and are never rewritten.",
        request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def put(self, request: Request, object_name: str, field_name: str) -> Response:
        body = request.data
        if isinstance(body, dict):
            require_keys(body, {"values": list})
            values = body["values"]
        elif isinstance(body, list):
            values = body
        else:
            raise ValidationFailed.single(None, "invalid", _("Send the list of values."))
        field = _picklist(object_name, field_name)
        field = _change_options(object_name, field, {"values": values}, request.user)
        return Response(serializers.picklist_values_json(field))


class FieldDependencyView(ApiView):
    @extend_schema(summary="The controlling field and the values allowed under each of its values",
                   responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, object_name: str, field_name: str) -> Response:
        return Response(serializers.dependency_json(_picklist(object_name, field_name)))

    @extend_schema(
        summary="Make a picklist depend on another field (cascading picklists)",
        description='Body: {"controlling_field": "<picklist or checkbox of this object>", '
                    '"dependency": {"<controlling key>": ["<allowed key>", …]}}; a checkbox controls with '
                    '"true" / "false".',
        request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def put(self, request: Request, object_name: str, field_name: str) -> Response:
        body = json_object(request)
        require_keys(body, {"controlling_field": str, "dependency": dict})
        field = _picklist(object_name, field_name)
        field = _change_options(object_name, field, {"controlling_field": body["controlling_field"],
                                                     "dependency": body["dependency"]}, request.user)
        return Response(serializers.dependency_json(field))

    @extend_schema(summary="Remove the dependency (the picklist no longer depends on another field)",
                   responses={204: None})
    def delete(self, request: Request, object_name: str, field_name: str) -> Response:
        field = _picklist(object_name, field_name)
        if not field.options.get("controlling_field"):
            raise NotFound(_("This picklist has no controlling field."), code="no_dependency")
        _change_options(object_name, field, dict.fromkeys(CASCADE_OPTIONS), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
