"""Departments, roles, profiles, permission sets, sharing rules, manual shares."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from rest_framework.request import Request
from rest_framework.response import Response

from tessera.api.base import ApiView, json_object
from tessera.security import services
from tessera.security.specs import profile_schema

from .base import doc
from .render import node_json, rule_json, share_json, spec_json


class NodeListView(ApiView):
    kind = "role"

    @doc("List (departments: a tree; roles: a hierarchy)")
    def get(self, request: Request) -> Response:
        return Response({"results": [node_json(n) for n in services.list_nodes(self.kind, request.user)]})

    @doc("Create (manage_users)", request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        return Response(node_json(services.create_node(self.kind, json_object(request), request.user)), status=201)


class NodeDetailView(ApiView):
    kind = "role"

    @doc("Read")
    def get(self, request: Request, node_id: int) -> Response:
        return Response(node_json(services.get_node(self.kind, node_id, request.user)))

    @doc("Rename or move (cycles are refused)", request=OpenApiTypes.OBJECT)
    def patch(self, request: Request, node_id: int) -> Response:
        return Response(node_json(services.update_node(self.kind, node_id, json_object(request), request.user)))

    @doc("Delete (only when nothing uses it)", responses={204: None, 409: OpenApiTypes.OBJECT})
    def delete(self, request: Request, node_id: int) -> Response:
        services.delete_node(self.kind, node_id, request.user)
        return Response(status=204)


class SpecListView(ApiView):
    kind = "profile"

    @doc("List")
    def get(self, request: Request) -> Response:
        return Response({"results": [spec_json(r) for r in services.list_specs(self.kind, request.user)]})

    @doc("Create (manage_users); spec: see /api/v1/security/schemas/profile.json", request=OpenApiTypes.OBJECT,
         responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        return Response(spec_json(services.create_spec(self.kind, json_object(request), request.user)), status=201)


class SpecDetailView(ApiView):
    kind = "profile"

    @doc("Read")
    def get(self, request: Request, api_name: str) -> Response:
        return Response(spec_json(services.get_spec(self.kind, api_name, request.user)))

    @doc("Replace the spec", request=OpenApiTypes.OBJECT)
    def patch(self, request: Request, api_name: str) -> Response:
        return Response(spec_json(services.update_spec(self.kind, api_name, json_object(request), request.user)))

    @doc("Delete (not standard, not in use)", responses={204: None, 409: OpenApiTypes.OBJECT})
    def delete(self, request: Request, api_name: str) -> Response:
        services.delete_spec(self.kind, api_name, request.user)
        return Response(status=204)


class ProfileSchemaView(ApiView):
    @doc("The JSON Schema of profile and permission set specs")
    def get(self, request: Request) -> Response:
        return Response(profile_schema())


class RuleListView(ApiView):
    @doc("Sharing rules (manage_users); ?object= to narrow")
    def get(self, request: Request) -> Response:
        rules = services.list_rules(request.user, object_api_name=request.query_params.get("object"))
        return Response({"results": [rule_json(r, services.rule_object(r)) for r in rules]})

    @doc("Create a sharing rule: records of `object` matching `filters` (records API filters) shared with "
         "a department or a role (include_sub), for read or edit", request=OpenApiTypes.OBJECT,
         responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        rule = services.create_rule(json_object(request), request.user)
        return Response(rule_json(rule, services.rule_object(rule)), status=201)


class RuleDetailView(ApiView):
    @doc("Read a sharing rule")
    def get(self, request: Request, rule_id: int) -> Response:
        rule = services.get_rule(rule_id, request.user)
        return Response(rule_json(rule, services.rule_object(rule)))

    @doc("Change a sharing rule", request=OpenApiTypes.OBJECT)
    def patch(self, request: Request, rule_id: int) -> Response:
        rule = services.update_rule(rule_id, json_object(request), request.user)
        return Response(rule_json(rule, services.rule_object(rule)))

    @doc("Delete a sharing rule", responses={204: None})
    def delete(self, request: Request, rule_id: int) -> Response:
        services.delete_rule(rule_id, request.user)
        return Response(status=204)


class ShareListView(ApiView):
    @doc("Manual shares of a record")
    def get(self, request: Request, object_api_name: str, record_id: str) -> Response:
        shares = services.list_shares(object_api_name, record_id, request.user)
        return Response({"results": [share_json(s) for s in shares]})

    @doc("Share a record with a user or a department (owner, their managers, modify_all)",
         request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, object_api_name: str, record_id: str) -> Response:
        share = services.share_record(object_api_name, record_id, json_object(request), request.user)
        return Response(share_json(share), status=201)


class ShareDetailView(ApiView):
    @doc("Stop sharing", responses={204: None})
    def delete(self, request: Request, object_api_name: str, record_id: str, share_id: int) -> Response:
        services.unshare_record(object_api_name, record_id, share_id, request.user)
        return Response(status=204)
