"""Reassigning records, the audit log, support access."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from tessera.api.base import ApiView, json_object
from tessera.errors import ValidationFailed
from tessera.security import services

from .base import doc
from .render import audit_json, grant_json
from .users import BACKEND, AnonymousView


class ReassignView(ApiView):
    @doc("Reassign one record (`id`) or the records matching `filters` to the user `to`, optionally with "
         "`children` (objects with a lookup to it: their records owned by the same previous owner; "
         "activities: open ones only)", request=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = json_object(request)
        if not isinstance(data.get("object"), str):
            raise ValidationFailed.single("object", "required", _("Give the api_name of an object."))
        filters = data.get("filters")
        if isinstance(filters, dict):
            filters = [[k, v] for k, v in filters.items()]
        result = services.reassign_records(data.get("object") or "", request.user, to=data.get("to"),
                                           record_id=data.get("id"), filters=filters,
                                           children=data.get("children") or ())
        return Response({"to": result.to, "counts": result.counts, "ids": result.ids})


AUDIT_PARAMS = ("action", "actor", "target_type", "target_id", "since", "until", "cursor", "limit")


class AuditLogView(ApiView):
    @doc("The audit log, newest first (view_audit_log); action accepts a prefix ending in *",
         parameters=[OpenApiParameter(p, OpenApiTypes.STR) for p in AUDIT_PARAMS])
    def get(self, request: Request) -> Response:
        params = request.query_params
        entries, next_id = services.audit_entries(
            request.user, action=params.get("action"), actor_id=params.get("actor"),
            target_type=params.get("target_type"), target_id=params.get("target_id"), since=params.get("since"),
            until=params.get("until"), before_id=params.get("cursor"), limit=params.get("limit", 50))
        return Response({"results": [audit_json(e) for e in entries], "next": str(next_id) if next_id else None})


class GrantListView(ApiView):
    @doc("Support access grants (manage_users)")
    def get(self, request: Request) -> Response:
        return Response({"results": [grant_json(g) for g in services.list_grants(request.user)]})

    @doc("Grant platform support access until `expires_at` (or for `hours`), with `profile` (default administrator)",
         request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        return Response(grant_json(services.grant_support(json_object(request), request.user)), status=201)


class GrantDetailView(ApiView):
    @doc("Revoke a support grant now")
    def delete(self, request: Request, grant_id: int) -> Response:
        return Response(grant_json(services.revoke_grant(grant_id, request.user)))


class SupportLoginView(AnonymousView):
    @doc("Open a support login link (from the platform's support-login endpoint)", responses={302: None})
    def get(self, request: Request) -> HttpResponseRedirect:
        user, grant = services.support_login(request.query_params.get("token", ""))
        login(request._request, user, backend=BACKEND)
        request._request.session.set_expiry(grant.expires_at)
        return HttpResponseRedirect("/")
