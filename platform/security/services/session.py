"""Log in and out through the API (the browser's login page uses the same backend, so both are
throttled and audited alike)."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.utils.translation import gettext as _

from tessera.errors import ErrorCollector, PermissionDenied

from .. import throttle
from ..audit import client_ip


def log_in(request, email, password):
    errors = ErrorCollector()
    if not isinstance(email, str) or not email.strip():
        errors.add("email", "required", _("Give your email."))
    if not isinstance(password, str) or not password:
        errors.add("password", "required", _("Give your password."))
    errors.raise_if_any()
    user = authenticate(request, username=email, password=password)
    if user is None:
        if throttle.locked_until(email, client_ip(request)) is not None:
            raise PermissionDenied(_("Too many failed attempts; try again later."), code="login_locked")
        raise PermissionDenied(_("Your email and password didn't match."), code="invalid_login")
    login(request, user)
    return user


def log_out(request) -> None:
    logout(request)
