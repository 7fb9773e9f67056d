"""Session login, the current user, users, invitations, personal API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib.auth import login
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response

from metadata.cache import get_meta
from tessera.api.base import ApiView, json_object
from tessera.errors import ValidationFailed
from tessera.security import services
from tessera.security.access import access_for
from tessera.security.rights import ADMIN_RIGHTS
from tessera.security.throttle import SharedRateThrottle

from .base import doc
from .render import invitation_json, token_json, user_json

if TYPE_CHECKING:
    from tessera.security.models import SecuritySettings, User

BACKEND = "tessera.security.auth.ThrottledModelBackend"


class AnonymousView(ApiView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [SharedRateThrottle]
    throttle_scope = "security_anon"


class SessionView(AnonymousView):
    @doc("Log in (starts a session; throttled after repeated failures; `code` from the authenticator app "
         "when two-factor sign-in is on)", request=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = json_object(request)
        user = services.log_in(request._request, data.get("email"), data.get("password"), data.get("code"))
        return Response(user_json(user))

    @doc("Log out", responses={204: None})
    def delete(self, request: Request) -> Response:
        services.log_out(request._request)
        return Response(status=204)


class MeView(ApiView):
    @doc("The current user and their rights")
    def get(self, request: Request) -> Response:
        access = access_for(request.user)
        objects = {o.api_name: sorted(access.actions(o)) for o in get_meta().objects.values() if access.can(o, "read")}
        admin = sorted(r for r in ADMIN_RIGHTS if access.has_right(r))
        user = cast("User", request.user)  # IsAuthenticated (the default permission) let it through
        return Response({"user": user_json(user), "admin": admin, "objects": objects})


class UserListView(ApiView):
    @doc("Users of this tenant")
    def get(self, request: Request) -> Response:
        return Response({"results": [user_json(u) for u in services.list_users(request.user)]})


class UserInviteView(ApiView):
    @doc("Invite a user by email (manage_users)", request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        invitation = services.invite_user(json_object(request), request.user, base_url=request.build_absolute_uri("/"))
        return Response(invitation_json(invitation), status=201)


class UserDetailView(ApiView):
    @doc("A user")
    def get(self, request: Request, user_id: int) -> Response:
        return Response(user_json(services.get_user_detail(user_id, request.user)))

    @doc("Change a user's profile, role, department, permission sets, name, language", request=OpenApiTypes.OBJECT)
    def patch(self, request: Request, user_id: int) -> Response:
        return Response(user_json(services.update_user(user_id, json_object(request), request.user)))


class UserDeactivateView(ApiView):
    @doc("Deactivate a user, giving every record they own to `transfer_to` (deletes nothing)",
         request=OpenApiTypes.OBJECT)
    def post(self, request: Request, user_id: int) -> Response:
        counts = services.deactivate_user(user_id, request.user, transfer_to=json_object(request).get("transfer_to"))
        return Response({"transferred": counts})


class UserReactivateView(ApiView):
    @doc("Reactivate a user", request=None)
    def post(self, request: Request, user_id: int) -> Response:
        return Response(user_json(services.reactivate_user(user_id, request.user)))


class UserTwoFactorView(ApiView):
    @doc("Turn off a user's two-factor sign-in (the user, or manage_users: a lost phone)", responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        services.turn_off_two_factor(user_id, request.user)
        return Response(status=204)


class SecuritySettingsView(ApiView):
    @doc("The tenant's sign-in policy")
    def get(self, request: Request) -> Response:
        return Response(_settings_json(services.security_settings()))

    @doc("Change the sign-in policy (manage_users): `require_two_factor_for_admins`", request=OpenApiTypes.OBJECT)
    def patch(self, request: Request) -> Response:
        return Response(_settings_json(services.update_security_settings(json_object(request), request.user)))


def _settings_json(settings: SecuritySettings) -> dict:
    return {"require_two_factor_for_admins": settings.require_two_factor_for_admins}


class InvitationListView(ApiView):
    @doc("Invitations (manage_users)")
    def get(self, request: Request) -> Response:
        return Response({"results": [invitation_json(i) for i in services.list_invitations(request.user)]})


class InvitationDetailView(ApiView):
    @doc("Revoke a pending invitation", responses={204: None})
    def delete(self, request: Request, invitation_id: int) -> Response:
        services.revoke_invitation(invitation_id, request.user)
        return Response(status=204)


class InvitationAcceptView(AnonymousView):
    @doc("What an invitation token opens (for the accept form)")
    def get(self, request: Request) -> Response:
        invitation = services.invitation_for(request.query_params.get("token", ""))
        return Response({"email": invitation.email, "full_name": invitation.full_name,
                         "expires_at": invitation.expires_at.isoformat(),
                         "tenant": getattr(getattr(request, "tenant", None), "name", None)})

    @doc("Accept an invitation: set a password (the user is logged in)", request=OpenApiTypes.OBJECT,
         responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = json_object(request)
        user = services.accept_invitation(data.get("token", ""), data.get("password"), full_name=data.get("full_name"))
        login(request._request, user, backend=BACKEND)
        return Response(user_json(user), status=201)


class TokenListView(ApiView):
    @doc("My API tokens")
    def get(self, request: Request) -> Response:
        return Response({"results": [token_json(t) for t in services.list_tokens(request.user)]})

    @doc("Create an API token (its key is in this answer only)", request=OpenApiTypes.OBJECT,
         responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = json_object(request)
        expires_at = None
        if data.get("expires_at"):
            expires_at = parse_datetime(str(data["expires_at"]))
            if expires_at is None:
                raise ValidationFailed.single("expires_at", "invalid", _("Give an ISO date and time."))
        token, key = services.create_token(request.user, data.get("name"), expires_at=expires_at)
        return Response(token_json(token, key), status=201)


class TokenDetailView(ApiView):
    @doc("Revoke one of my API tokens", responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        services.revoke_token(request.user, token_id)
        return Response(status=204)
