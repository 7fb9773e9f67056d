"""DRF authentication: personal API tokens (`Authorization: Token <key>` or `Bearer <key>`).

A token lives in its tenant's schema and is looked up there only, so a token of tenant A means
nothing on tenant B's host (or on the public host). Revoked, expired and deactivated users' tokens
answer 401.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .services.tokens import authenticate_token

if TYPE_CHECKING:
    from rest_framework.request import Request

    from .models import User

KEYWORDS = (b"token", b"bearer")


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, str] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the keyword, with no spaces."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None

        user = authenticate_token(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return user, key

    def authenticate_header(self, request: Request) -> str:
        return 'Token realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session. Listed first so an anonymous request is a 403 (no login challenge), but
    a request that did present credentials in an Authorization header gets a 401 when they fail."""

    def authenticate_header(self, request: Request) -> str | None:
        if authentication.get_authorization_header(request):
            return 'Token realm="api"'
        return None
