"""The platform side of support access (public host): an operator asks for a support login link."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.provisioning import get_tenant
from tessera.api.base import ApiView
from tessera.security import services

from .base import doc


class IsPlatformOperator(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_admin)


class SupportLoginLinkView(ApiView):
    """POST: a one-time support login link, only while the tenant grants support access."""

    permission_classes = [IsPlatformOperator]

    @doc("A one-time support login link for a tenant (refused without an active grant)", request=None,
         responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, slug: str) -> Response:
        url, expires_at = services.issue_support_link(request.user, get_tenant(slug))
        return Response({"url": url, "expires_at": expires_at.isoformat()}, status=201)
