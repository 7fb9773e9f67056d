"""Sign-in pages: log in (with the second factor when the user has one), password reset by email.

Each view parses the request, calls one security service and renders its template; the rules
(lockout, token validity, password validators) live in the services and Django's auth."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tessera.errors import ValidationFailed
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


class LoginView(auth_views.LoginView):
    template_name = "ui_builder/login.html"
    form_class = LoginForm


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
