"""Log in and out through the API (the browser's login page uses the same backend, so both are
throttled and audited alike), with the second factor when the user has one or must have one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import authenticate, login, logout
from django.utils.translation import gettext as _

from tessera.errors import ErrorCollector, PermissionDenied

from .. import throttle
from ..audit import client_ip
from . import two_factor

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ..models import User


def log_in(request: HttpRequest, email: Any, password: Any, code: Any = None) -> User:
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
    if two_factor.has_two_factor(user):
        if code is None:
            raise PermissionDenied(_("Give the code from your authenticator app."), code="two_factor_required")
        if not two_factor.check_login_code(user, code, client_ip(request)):
            raise PermissionDenied(_("This code is not valid; try the current one."), code="invalid_code")
    elif two_factor.two_factor_required(user):
        raise PermissionDenied(_("Your organisation requires two-factor sign-in: log in once in the browser "
                                 "to set it up."), code="two_factor_enrolment_required")
    login(request, user)
    return user


def log_out(request: HttpRequest) -> None:
    logout(request)
