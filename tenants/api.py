"""Platform API on the public host: self-service sign-up, and tenant administration for operators."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from tessera.security.throttle import SharedRateThrottle

from . import provisioning
from .models import Tenant


class IsPlatformOperator(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_admin)


class SignUpSerializer(serializers.Serializer):
    """Shape only (types, presence); the rules (slug syntax, reserved, taken…) are the service's."""

    slug = serializers.CharField(max_length=100, trim_whitespace=True)
    name = serializers.CharField(max_length=500, trim_whitespace=True)
    admin_email = serializers.CharField(max_length=254)
    admin_password = serializers.CharField(max_length=128, required=False, write_only=True)


class TenantSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    schema_name = serializers.CharField()
    is_active = serializers.BooleanField()
    plan = serializers.CharField(source="plan.code", default=None)
    created_on = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, tenant: Tenant) -> str:
        return provisioning.tenant_url(tenant)


class TenantListView(APIView):
    """POST: anyone may sign up (throttled). GET: platform operators list the tenants."""

    throttle_scope = "signup"

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [IsPlatformOperator()]

    def get_throttles(self) -> list[BaseThrottle]:
        return [SharedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=TenantSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(TenantSerializer(provisioning.list_tenants(), many=True).data)

    @extend_schema(request=SignUpSerializer, responses={201: TenantSerializer})
    def post(self, request: Request) -> Response:
        data = SignUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = provisioning.create_tenant(
            data.validated_data["slug"],
            data.validated_data["name"],
            admin_email=data.validated_data["admin_email"],
            admin_password=data.validated_data.get("admin_password"),
        )
        body = TenantSerializer(created.tenant).data
        if created.admin_password:
            body["admin_password"] = created.admin_password
        return Response(body, status=status.HTTP_201_CREATED)


class TenantDetailView(APIView):
    permission_classes = [IsPlatformOperator]

    @extend_schema(responses=TenantSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(TenantSerializer(provisioning.get_tenant(slug)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        provisioning.delete_tenant(slug)
        return Response(status=status.HTTP_204_NO_CONTENT)
