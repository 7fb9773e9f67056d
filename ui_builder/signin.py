"""Sign-in pages: log in (then the second factor, or its set-up when the tenant requires one of an
administrator who has none), password reset by email.

Each view parses the request, calls one security service and renders its template; the rules
(lockout, token validity, password validators) live in the services and Django's auth."""

from __future__ import annotations

import time

import segno
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tessera.errors import PermissionDenied, ValidationFailed
from tessera.security import services as security
from tessera.security import throttle
from tessera.security.audit import client_ip


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form; a refused attempt says the account is locked here for now (only after
    the failures that caused it, so it tells nothing a wrong password would not)."""

    def clean(self):
        try:
            return super().clean()
        except auth_forms.ValidationError:
            until = throttle.locked_until(self.cleaned_data.get("username"), client_ip(self.request))
            if until is not None:
                raise auth_forms.ValidationError(
                    _("Too many failed attempts; try again later."), code="login_locked") from None
            raise


#: The session key of a login whose password was right and whose second factor is still due.
PENDING = "tessera_two_factor"
PENDING_SECONDS = 300
#: Wrong codes a pending login may give before the password must be given again (which is throttled).
MAX_CODE_TRIES = 5


class LoginView(auth_views.LoginView):
    """Django's login view; a user with a second factor (or required to have one) is not logged in
    yet: the login waits in the session for the code (or the set-up) for PENDING_SECONDS."""

    template_name = "ui_builder/login.html"
    form_class = LoginForm

    def form_valid(self, form):
        user = form.get_user()
        has_factor = security.has_two_factor(user)
        if not has_factor and not security.two_factor_required(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {"user": user.pk, "backend": user.backend, "next": self.get_success_url(),
                                         "since": time.time(), "tries": 0}
        return redirect("two_factor" if has_factor else "two_factor_setup")


def _pending(request):
    """(user, pending login) while one waits for its second factor, else None."""
    data = request.session.get(PENDING)
    if not data or time.time() - data["since"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    return (user, data) if user is not None else None


def _finish_login(request, user, data):
    request.session.pop(PENDING, None)
    login(request, user, backend=data["backend"])


def _wrong_code(request, data) -> bool:
    """Count a wrong code; True when the pending login is used up (back to the password)."""
    data["tries"] += 1
    if data["tries"] >= MAX_CODE_TRIES:
        request.session.pop(PENDING, None)
        messages.error(request, _("Too many wrong codes; log in again."))
        return True
    request.session[PENDING] = data
    return False


@require_http_methods(["GET", "POST"])
def two_factor(request):
    """The second step of a login: a code from the authenticator app, or a recovery code."""
    pending = _pending(request)
    if pending is None:
        return redirect("login")
    user, data = pending
    errors = []
    if request.method == "POST":
        try:
            right = security.check_login_code(user, request.POST.get("code", ""), client_ip(request))
        except PermissionDenied as exc:
            request.session.pop(PENDING, None)
            messages.error(request, exc.message)
            return redirect("login")
        if right:
            _finish_login(request, user, data)
            return redirect(data["next"])
        if _wrong_code(request, data):
            return redirect("login")
        errors = [_("This code is not valid; try the current one.")]
    return render(request, "ui_builder/two_factor.html", {"errors": errors}, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator: during a login the tenant requires it for, or by a logged-in user
    who chooses to. The first valid code turns it on and shows the recovery codes once."""
    pending = _pending(request)
    if pending is not None:
        user, data = pending
    elif request.user.is_authenticated:
        user, data = request.user, None
    else:
        return redirect("login")
    if security.has_two_factor(user):
        return redirect("home")
    device = security.pending_device(user) or security.start_enrolment(user)
    errors = []
    if request.method == "POST":
        try:
            codes = security.confirm_enrolment(user, request.POST.get("code", ""))
        except ValidationFailed as exc:
            if data is not None and _wrong_code(request, data):
                return redirect("login")
            errors = [str(d.message) for found in exc.field_errors.values() for d in found]
        else:
            next_url = data["next"] if data is not None else "/"
            if data is not None:
                _finish_login(request, user, data)
            return render(request, "ui_builder/two_factor_codes.html", {"codes": codes, "next": next_url})
    uri = security.provisioning_uri(device)
    # segno draws the QR code as SVG paths (no script, no text from the user): safe to inline.
    qr = mark_safe(segno.make(uri, error="m").svg_inline(scale=4))  # noqa: S308
    return render(request, "ui_builder/two_factor_setup.html",
                  {"secret": device.secret, "uri": uri, "qr": qr, "errors": errors, "required": data is not None},
                  status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Ask for a reset link. The answer is the same whether or not the address has an account."""
    context = {"sent": False, "errors": [], "email": ""}
    status = 200
    if request.method == "POST":
        context["email"] = request.POST.get("email", "")[:254]
        try:
            allowed = throttle.allow("password_reset", client_ip(request) or "unknown")
        except DatabaseError:
            allowed, status = False, 503
        if not allowed:
            context["errors"] = [_("Too many requests; try again later.")]
            status = status if status == 503 else 429
        else:
            try:
                security.request_password_reset(context["email"], base_url=request.build_absolute_uri("/"),
                                                 language=get_language())
            except ValidationFailed as exc:
                context["errors"] = [str(d.message) for found in exc.field_errors.values() for d in found]
                status = 400
            else:
                context["sent"] = True
    return render(request, "ui_builder/password_reset.html", context, status=status)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's view (it moves the token out of the URL into the session before showing the form,
    so it never leaks in a Referer) with SetPasswordForm (Django's validators); the change itself is
    the security service's: it also ends the user's sessions and lifts their login locks."""

    template_name = "ui_builder/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def get_user(self, uidb64):
        """Active, non-support users only: a link sent before a deactivation dies with it."""
        user = super().get_user(uidb64)
        if user is None or not user.is_active or user.is_support:
            return None
        return user

    def form_valid(self, form):
        security.complete_password_reset(self.user, form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your password is changed. Log in with it."))
        return redirect(self.success_url)
