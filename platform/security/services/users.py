"""Users of a tenant: invitation by email, acceptance, assignments, deactivation with transfer."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from importlib import import_module
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.errors import Conflict, ErrorCollector, ErrorDetail, NotFound, PermissionDenied, ValidationFailed
from tessera.security.actor import Actor

from .. import audit
from ..access import access_for, authenticated
from ..models import (
    ApiToken,
    Department,
    Invitation,
    PermissionSet,
    Profile,
    Role,
    TwoFactorDevice,
    UserSession,
)
from .common import get_user, pick, require_manage_users
from .ownership import transfer_all

if TYPE_CHECKING:
    from tessera.errors import ErrorDetail

    from ..models import User

#: The page an invitation email links to (ui_builder.views.accept_invitation; API clients use
#: /api/v1/security/invitations/accept/ with the same token).
ACCEPT_PATH = "/invitation/"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def list_users(actor: Actor, *, include_inactive: bool = True) -> QuerySet[User]:
    if not authenticated(actor):
        require_manage_users(actor)
    users = get_user_model().objects.select_related("profile", "role", "department").prefetch_related(
        "permission_sets").annotate(two_factor_on=Exists(TwoFactorDevice.objects.filter(
            user=OuterRef("pk"), confirmed_at__isnull=False))).order_by("id")
    return users if include_inactive else users.filter(is_active=True)


def get_user_detail(user_id: Any, actor: Actor) -> User:
    user = list_users(actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("No such user."), code="unknown_user")
    return user


def create_first_admin(email: str, password: str | None) -> User:
    """The tenant's first user: a system administrator with the administrator profile."""
    user = get_user_model().objects.create_admin(email, password,
                                                 profile=Profile.objects.filter(api_name="administrator").first())
    audit.log(None, "user.create", target_type="user", target_id=user.pk, email="system",
              detail={"email": user.email, "profile": "administrator", "first_admin": True})
    return user


# --- invitations -------------------------------------------------------------------------------


def invite_user(data: dict, actor: Actor, *, base_url: str) -> Invitation:
    """Invite someone by email: a one-time link valid TESSERA_INVITATION_DAYS days (default 7).
    A pending invitation of the same address is replaced."""
    require_manage_users(actor)
    errors = ErrorCollector()
    email: Any = data.get("email")  # whatever the client sent, until validated
    try:
        validate_email(email)
        email = email.strip().lower()
    except (DjangoValidationError, TypeError, AttributeError):
        errors.add("email", "invalid_email", _("Enter a valid email address."))
        email = None
    if email and get_user_model().objects.filter(email__iexact=email).exists():
        errors.add("email", "email_taken", _("A user with this email exists already."))
    assigned = _assignments(data, errors, actor)
    full_name = data.get("full_name") or ""
    if not isinstance(full_name, str) or len(full_name) > 150:
        errors.add("full_name", "invalid", _("At most 150 characters."))
    errors.raise_if_any()
    token = secrets.token_urlsafe(32)
    days = int(getattr(settings, "TESSERA_INVITATION_DAYS", 7))
    with transaction.atomic():
        Invitation.objects.filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            email=email, full_name=full_name.strip(), token_hash=_hash(token),
            profile=assigned.get("profile") or Profile.objects.filter(is_default=True).first(),
            role=assigned.get("role"), department=assigned.get("department"),
            permission_set_ids=[s.pk for s in assigned.get("permission_sets", [])],
            invited_by=cast("User", actor),  # a user with manage_users
            expires_at=timezone.now() + dt.timedelta(days=days))
        audit.log(actor, "user.invite", target_type="invitation", target_id=invitation.pk,
                  detail={"email": email, "profile": invitation.profile.api_name if invitation.profile else None})
        link = f"{base_url.rstrip('/')}{ACCEPT_PATH}?token={token}"
        tenant_name = getattr(getattr(connection, "tenant", None), "name", "Tessera")
        transaction.on_commit(lambda: _send_invitation(email, link, tenant_name, actor, invitation.expires_at))
    return invitation


def _send_invitation(email: str, link: str, tenant_name: str, inviter: Actor, expires_at: dt.datetime) -> None:
    subject = _("You are invited to %(tenant)s on Tessera") % {"tenant": tenant_name}
    body = _("%(who)s invites you to %(tenant)s.\n\nSet your password here (valid until %(until)s, once):\n%(link)s\n") % {
        "who": str(inviter), "tenant": tenant_name, "until": expires_at.strftime("%Y-%m-%d %H:%M UTC"), "link": link}
    send_mail(subject, body, None, [email])


def list_invitations(actor: Actor) -> QuerySet[Invitation]:
    require_manage_users(actor)
    return Invitation.objects.select_related("profile", "role", "department").order_by("-id")


def revoke_invitation(invitation_id: Any, actor: Actor) -> None:
    require_manage_users(actor)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id, accepted_at__isnull=True).first()
        if invitation is None:
            raise NotFound(_("No such pending invitation."), code="unknown_invitation")
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.log(actor, "user.invitation_revoked", target_type="invitation", target_id=invitation.pk,
                  detail={"email": invitation.email})


def invitation_for(token: str) -> Invitation:
    """The pending invitation a token opens (for the accept form), or NotFound / ValidationFailed."""
    invitation = Invitation.objects.filter(token_hash=_hash(token or "")).first() if isinstance(token, str) else None
    if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise NotFound(_("This invitation is not valid (used, revoked or unknown)."), code="unknown_invitation")
    if invitation.expires_at <= timezone.now():
        raise ValidationFailed.single("token", "expired", _("This invitation has expired; ask for a new one."))
    return invitation


def accept_invitation(token: str, password: Any, *, full_name: str | None = None) -> User:
    """Create the invited user with the chosen password (Django's validators and hashing)."""
    with transaction.atomic():
        invitation = invitation_for(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise NotFound(_("This invitation is not valid (used, revoked or unknown)."), code="unknown_invitation")
        User = get_user_model()
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationFailed.single("token", "email_taken", _("A user with this email exists already."))
        name = (full_name if isinstance(full_name, str) and full_name.strip() else invitation.full_name)[:150]
        candidate = User(email=invitation.email, full_name=name)
        try:
            validate_password(password if isinstance(password, str) else "", user=candidate)
        except DjangoValidationError as exc:
            raise ValidationFailed({"password": [_detail("weak_password", m) for m in exc.messages]}) from None
        user = User.objects.create_user(invitation.email, password, full_name=name.strip(), profile=invitation.profile,
                                        role=invitation.role, department=invitation.department)
        sets = PermissionSet.objects.filter(pk__in=invitation.permission_set_ids)
        if sets:
            user.permission_sets.set(sets)
        invitation.accepted_at = timezone.now()
        invitation.user = user
        invitation.save(update_fields=["accepted_at", "user"])
        audit.log(user, "user.invitation_accepted", target_type="user", target_id=user.pk,
                  detail={"invitation": invitation.pk})
    return user


def _detail(code: str, message: str) -> ErrorDetail:
    return ErrorDetail(code, message)


# --- assignments -------------------------------------------------------------------------------


def _assignments(data: dict, errors: ErrorCollector, actor: Actor) -> dict:
    """profile (api_name), role (id), department (id), permission_sets ([api_name]) from input."""
    found: dict[str, Any] = {}
    if "profile" in data:
        found["profile"] = pick(Profile, data["profile"], field="profile", errors=errors, code="unknown_profile",
                                lookup="api_name")
        if data["profile"] is None:
            errors.add("profile", "required", _("Every user needs a profile."))
    if "role" in data:
        found["role"] = pick(Role, data["role"], field="role", errors=errors, code="unknown_role")
    if "department" in data:
        found["department"] = pick(Department, data["department"], field="department", errors=errors,
                                   code="unknown_department")
    if "permission_sets" in data:
        names = data["permission_sets"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            errors.add("permission_sets", "invalid", _("Give a list of permission set API names."))
        else:
            sets = list(PermissionSet.objects.filter(api_name__in=names))
            missing = sorted(set(names) - {s.api_name for s in sets})
            if missing:
                errors.add("permission_sets", "unknown_permission_set",
                           _("No permission sets named: %(names)s.") % {"names": ", ".join(missing)})
            found["permission_sets"] = sets
    if "is_admin" in data:
        if not isinstance(data["is_admin"], bool):
            errors.add("is_admin", "invalid", _("Use true or false."))
        elif not access_for(actor).superuser:
            errors.add("is_admin", "not_allowed", _("Only a system administrator may change this."))
        else:
            found["is_admin"] = data["is_admin"]
    return found


def update_user(user_id: Any, data: dict, actor: Actor) -> User:
    """Change a user's name, language, profile, role, department, permission sets (manage_users; a
    user may change their own name and language)."""
    user = get_user(user_id)
    self_service = {"full_name", "language"}
    if not (getattr(actor, "pk", None) == user.pk and set(data) <= self_service):
        require_manage_users(actor)
    errors = ErrorCollector()
    unknown = sorted(set(data) - self_service - {"profile", "role", "department", "permission_sets", "is_admin"})
    for key in unknown:
        errors.add(key, "unknown_field", _("Unknown property."))
    assigned = _assignments(data, errors, actor)
    if "full_name" in data and (not isinstance(data["full_name"], str) or len(data["full_name"]) > 150):
        errors.add("full_name", "invalid", _("At most 150 characters."))
    if "language" in data and data["language"] not in dict(settings.LANGUAGES):
        errors.add("language", "invalid_choice", _("Not a language of Tessera."))
    if user.is_support and set(data) - self_service:
        errors.add(None, "support_user", _("Support users are managed by support grants."))
    errors.raise_if_any()
    with transaction.atomic():
        before = _summary(user)
        for key in ("full_name", "language"):
            if key in data:
                setattr(user, key, data[key].strip() if key == "full_name" else data[key])
        for key in ("profile", "role", "department", "is_admin"):
            if key in assigned:
                setattr(user, key, assigned[key])
        user.save()
        if "permission_sets" in assigned:
            user.permission_sets.set(assigned["permission_sets"])
        after = _summary(user)
        audit.log(actor, "user.update", target_type="user", target_id=user.pk, detail={"before": before, "after": after})
    return user


def _summary(user: User) -> dict:
    return {"full_name": user.full_name, "language": user.language, "is_admin": user.is_admin,
            "profile": user.profile.api_name if user.profile else None, "role": user.role_id,
            "department": user.department_id,
            "permission_sets": sorted(user.permission_sets.values_list("api_name", flat=True)) if user.pk else []}


def deactivate_user(user_id: Any, actor: Actor, *, transfer_to: Any,
                    expected_counts: dict[str, int] | None = None) -> dict[str, int]:
    """Deactivate a user, giving every record they own (every object, recycle bin included) to
    `transfer_to`. Deletes nothing; their API tokens are revoked and their sessions ended at once
    (a later reactivation does not bring either back).

    `expected_counts`: the counts per object the administrator was shown (`owned_records`); when
    what would move differs (records created or reassigned meanwhile), nothing happens and a
    Conflict says so, so what the wizard showed is what moved."""
    require_manage_users(actor)

    errors = ErrorCollector()
    user = get_user(user_id)
    if not user.is_active:
        errors.add(None, "inactive_user", _("This user is not active."))
    if getattr(actor, "pk", None) == user.pk:
        errors.add(None, "cannot_deactivate_self", _("You cannot deactivate yourself."))
    if transfer_to is None:
        errors.add("transfer_to", "required", _("Choose who receives this user's records."))
        receiver = None
    else:
        receiver = get_user(transfer_to, field="transfer_to", errors=errors, active=True)
        if receiver is not None and receiver.pk == user.pk:
            errors.add("transfer_to", "same_user", _("Choose someone else."))
    errors.raise_if_any()
    assert receiver is not None  # else raise_if_any() raised
    with transaction.atomic():
        counts = transfer_all(user, receiver, actor)
        if expected_counts is not None and counts != expected_counts:
            raise Conflict(_("This user's records changed since the counts were shown; check them again."),
                           code="counts_changed")
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        sessions = end_sessions(user)
        audit.log(actor, "user.deactivate", target_type="user", target_id=user.pk,
                  detail={"email": user.email, "transfer_to": receiver.pk, "records": counts,
                          "tokens_revoked": tokens, "sessions_ended": sessions})
    return counts


def end_sessions(user: User) -> int:
    """End every session the user logged in with (whatever the session engine); returns how many."""

    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def reactivate_user(user_id: Any, actor: Actor) -> User:
    require_manage_users(actor)
    user = get_user(user_id)
    if user.is_support:
        raise PermissionDenied(_("Support users are managed by support grants."), code="support_user")
    if user.is_active:
        return user
    with transaction.atomic():
        user.is_active = True
        user.deactivated_at = None
        user.save(update_fields=["is_active", "deactivated_at"])
        audit.log(actor, "user.reactivate", target_type="user", target_id=user.pk, detail={"email": user.email})
    return user
