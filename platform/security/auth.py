"""Authentication backends: passwords with failed-login throttling and audit, for the browser login
and any API login endpoint alike (both go through django.contrib.auth.authenticate)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import connection
from django.dispatch import receiver

from . import audit, throttle
from .models import UserSession
from .rights import active_support_grant

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import User


class ThrottledModelBackend(ModelBackend):
    """ModelBackend + lockout after repeated failures (tessera.security.throttle) + audit."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> User | None:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = audit.client_ip(request) if request is not None else None
        email = str(username).strip().lower()
        attempt = throttle.begin_attempt(email, ip)
        if attempt.refused:
            audit.log(None, "login.locked", target_type="user", target_id=_user_id(email), email=email,
                      ip=ip, detail={"refused": True})
            # Stops every backend; authenticate() then answers "no user" like a wrong password.
            raise DjangoPermissionDenied("locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or getattr(user, "is_support", False):
            audit.log(None, "login.failed", target_type="user", target_id=_user_id(email), email=email, ip=ip)
            if attempt.locks:
                audit.log(None, "login.locked", target_type="user", target_id=_user_id(email), email=email, ip=ip,
                          detail={"scopes": list(attempt.locks)})
            return None
        # The counters are cleared by the login itself (below), not here: a right password whose
        # second factor is still due must not wipe the failures of someone guessing codes.
        return user

    def get_user(self, user_id: Any) -> User | None:
        user = super().get_user(user_id)
        if user is not None and user.is_support:
            if active_support_grant() is None:
                return None
        return user


def _user_id(email: str) -> int | str:
    return get_user_model().objects.filter(email__iexact=email).values_list("pk", flat=True).first() or ""


@receiver(user_logged_in)
def _audit_login(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    ip = audit.client_ip(request) if request is not None else None
    if connection.schema_name is not None:  # type: ignore[attr-defined]
        audit.log(user, "login", target_type="user", target_id=user.pk, ip=ip)
    throttle.succeeded(user.email, ip)
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:  # remembered so that deactivating the user can end it (services.users)
        UserSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


@receiver(user_logged_out)
def _audit_logout(sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None and getattr(user, "pk", None):
        audit.log(user, "logout", target_type="user", target_id=user.pk,
                  ip=audit.client_ip(request) if request is not None else None)
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()
