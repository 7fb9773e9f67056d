"""Page views: each one gathers what its template needs from services, nothing more."""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from tessera.errors import NotFound, ValidationFailed
from tessera.security import services as security

from .messages import error_messages


@login_required
def home(request):
    """`/` takes a signed-in user to their desktop."""
    return redirect("app:home")


def platform_home(request):
    return render(request, "ui_builder/platform_home.html", {"base_domain": settings.TESSERA_BASE_DOMAIN})


@sensitive_post_parameters("password", "password2")
def accept_invitation(request):
    """The page an invitation email links to: the invited person chooses a password (and may
    correct their name) and is signed in at once. A used, revoked, expired or unknown link says so."""
    data = request.POST if request.method == "POST" else request.GET
    token = data.get("token", "")
    try:
        invitation = security.invitation_for(token)
    except (NotFound, ValidationFailed) as exc:
        return render(request, "ui_builder/invitation.html", {"problem": exc.message}, status=exc.status)
    context = {"invitation": invitation, "token": token, "errors": [],
               "full_name": data.get("full_name", invitation.full_name)}
    if request.method == "POST":
        if data.get("password", "") != data.get("password2", ""):
            context["errors"] = [_("The two passwords differ.")]
        else:
            try:
                user = security.accept_invitation(token, data.get("password", ""), full_name=data.get("full_name"))
            except (NotFound, ValidationFailed) as exc:
                context["errors"] = error_messages(exc)
            else:
                login(request, user)  # through the one backend of AUTHENTICATION_BACKENDS
                return redirect("home")
    return render(request, "ui_builder/invitation.html", context, status=400 if context["errors"] else 200)
