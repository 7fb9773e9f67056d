"""`/setup/users/`: invite users (with a profile, role and department), change their assignments,
and deactivate one with a wizard that hands every record they own to a receiver (人走资料留): the
counts per object are shown before the administrator confirms, and the service moves exactly
those (or refuses, when records changed hands meanwhile)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from metadata.cache import get_meta
from tessera.errors import Conflict, NotFound, TesseraError
from tessera.security import services
from tessera.security.models import Department, Profile, Role

from .form_state import act_then_redirect, errors_in_place
from .pages import render_setup
from .rights import manage_users_view


def profile_label(profile: Profile | None, language: str) -> str:
    if profile is None:
        return ""
    labels = profile.spec.get("labels") or {}
    return labels.get(language) or labels.get("en") or profile.api_name


def _choices(language: str) -> dict:
    return {
        "profiles": [(p.api_name, profile_label(p, language)) for p in Profile.objects.order_by("id")],
        "roles": list(Role.objects.order_by("name").values_list("id", "name")),
        "departments": list(Department.objects.order_by("name").values_list("id", "name")),
    }


def _user_or_404(user_id: int, actor):
    try:
        return services.get_user_detail(user_id, actor)
    except NotFound:
        raise Http404(str(user_id)) from None


def _assignments(post) -> dict:
    data: dict = {"profile": post.get("profile") or None}
    for key in ("role", "department"):
        data[key] = int(post[key]) if post.get(key, "").isdigit() else None
    return data


@manage_users_view
@require_http_methods(["GET", "POST"])
def user_list(request):
    """The users, the pending invitations, and the invitation form (POST: invite)."""
    language = get_language()
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    invite = {"email": "", "full_name": "", "profile": "", "role": "", "department": ""}
    if request.method == "POST":
        invite = {key: request.POST.get(key, "").strip() for key in invite}
        data = {"email": invite["email"], "full_name": invite["full_name"], **_assignments(request.POST)}
        if not data["profile"]:
            data.pop("profile")
        try:
            services.invite_user(data, request.user, base_url=request.build_absolute_uri("/"))
        except TesseraError as exc:
            errors, form_errors = errors_in_place(exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invite["email"]})
            return redirect("setup:users")
    users = list(services.list_users(request.user))
    for user in users:
        user.profile_label = profile_label(user.profile, language)
    context = {
        "title": _("Users"), "users": users, "invite": invite, "errors": errors, "form_errors": form_errors,
        "invitations": [i for i in services.list_invitations(request.user)
                        if i.accepted_at is None and i.revoked_at is None][:50],
        **_choices(language),
    }
    return render_setup(request, "ui_builder/setup/people/users.html", context, section="users",
                        status=400 if errors or form_errors else 200)


@manage_users_view
@require_POST
def revoke_invitation(request, invitation_id: int):
    return act_then_redirect(request, lambda: services.revoke_invitation(invitation_id, request.user), "setup:users")


@manage_users_view
@require_http_methods(["GET", "POST"])
def user_edit(request, user_id: int):
    """A user's profile, role and department."""
    language = get_language()
    user = _user_or_404(user_id, request.user)
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    if request.method == "POST":
        try:
            services.update_user(user.pk, {"full_name": request.POST.get("full_name", ""), **_assignments(request.POST)},
                                 request.user)
        except TesseraError as exc:
            errors, form_errors = errors_in_place(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("setup:users")
    context = {"title": user.full_name or user.email, "person": user, "errors": errors, "form_errors": form_errors,
               **_choices(language)}
    return render_setup(request, "ui_builder/setup/people/user_edit.html", context, section="users",
                        status=400 if errors or form_errors else 200)


@manage_users_view
@require_http_methods(["GET", "POST"])
def user_deactivate(request, user_id: int):
    """The deactivation wizard: choose who receives the records, see how many of each object move,
    confirm. The counts shown travel with the confirmation: the service moves exactly those."""
    language = get_language()
    user = _user_or_404(user_id, request.user)
    receiver = request.POST.get("transfer_to", "")
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    if request.method == "POST" and request.POST.get("confirm") == "1":
        shown = {key[len("count_"):]: int(value) for key, value in request.POST.items()
                 if key.startswith("count_") and value.isdigit()}
        try:
            moved = services.deactivate_user(user.pk, request.user, transfer_to=receiver or None,
                                             expected_counts=shown)
        except Conflict as exc:
            form_errors = [str(exc.message)]
        except TesseraError as exc:
            errors, form_errors = errors_in_place(exc)
        else:
            total = sum(moved.values())
            messages.success(request, _("%(name)s is deactivated; %(count)d records moved.")
                             % {"name": user.full_name or user.email, "count": total})
            return redirect("setup:users")
    meta = get_meta()
    counts = services.owned_records(user, request.user)
    context = {
        "title": _("Deactivate %(name)s") % {"name": user.full_name or user.email}, "person": user,
        "counts": [(name, meta.objects[name].label(language, plural=True), count) for name, count in counts.items()],
        "total": sum(counts.values()), "receiver": receiver, "errors": errors, "form_errors": form_errors,
        "receivers": [u for u in services.list_users(request.user, include_inactive=False)
                      if u.pk != user.pk and not u.is_support],
    }
    return render_setup(request, "ui_builder/setup/people/deactivate.html", context, section="users",
                        status=400 if errors or form_errors else 200)


@manage_users_view
@require_POST
def user_reactivate(request, user_id: int):
    return act_then_redirect(request, lambda: services.reactivate_user(user_id, request.user), "setup:users")
