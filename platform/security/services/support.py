"""Support access: platform operators read a tenant's data only while the tenant allows it.

1. A tenant admin (manage_users) grants support access until a time (at most
   TESSERA_SUPPORT_MAX_HOURS, default 72), with the profile the support user will have
   (administrator by default; read_only or any other for less). They may revoke it at any time.
2. An operator (a public-schema user with is_admin) asks, on the public host, for a support login
   link for the tenant: refused unless a grant is active. The link carries a signed token (the
   tenant's schema and a one-time nonce, stored hashed) valid TESSERA_SUPPORT_LINK_MINUTES (default 5).
3. Opening the link on the tenant's host logs in a flagged support user of that tenant (one per
   operator, is_support), whose session lasts no longer than the grant, whose rights are the grant's
   profile, and who stops working the moment the grant expires or is revoked (rights and session
   both check it). Support users cannot log in with a password or hold API tokens.

Every step is audited in the tenant's audit log, refusals included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from typing import TYPE_CHECKING, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from tessera.errors import ErrorCollector, NotFound, PermissionDenied
from tessera.security.actor import Actor, acting_user

from .. import audit
from ..models import Profile, SupportGrant, SupportLogin
from ..rights import active_support_grant
from .common import require_manage_users

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tenants.models import Tenant

    from ..models import User

SALT = "tessera.security.support-login"
LOGIN_PATH = "/api/v1/security/support/login/"


def _max_hours() -> int:
    return int(getattr(settings, "TESSERA_SUPPORT_MAX_HOURS", 72))


def _link_minutes() -> int:
    return int(getattr(settings, "TESSERA_SUPPORT_LINK_MINUTES", 5))


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- tenant side: grants ---------------------------------------------------------------------------


def list_grants(actor: Actor) -> QuerySet[SupportGrant]:
    require_manage_users(actor)
    return SupportGrant.objects.select_related("profile").order_by("-id")


def grant_support(data: dict, actor: Actor) -> SupportGrant:
    require_manage_users(actor)
    errors = ErrorCollector()
    now = timezone.now()
    expires_at = None
    if data.get("hours") is not None:
        try:
            hours = float(data["hours"])
        except (TypeError, ValueError):
            errors.add("hours", "invalid", _("Give a number of hours."))
        else:
            if not math.isfinite(hours):
                errors.add("hours", "invalid", _("Give a number of hours."))
            elif hours > _max_hours():  # checked before the date arithmetic, which overflows on huge numbers
                errors.add("expires_at", "too_long", _("At most %(h)d hours.") % {"h": _max_hours()})
            elif hours <= 0:
                errors.add("expires_at", "in_the_past", _("Give a time in the future."))
            else:
                expires_at = now + dt.timedelta(hours=hours)
    elif data.get("expires_at") is not None:
        expires_at = parse_datetime(str(data["expires_at"]))
        if expires_at is None:
            errors.add("expires_at", "invalid", _("Give an ISO date and time."))
        elif timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at)
    else:
        errors.add("expires_at", "required", _("Give expires_at or hours."))
    if expires_at is not None and not errors:
        if expires_at <= now:
            errors.add("expires_at", "in_the_past", _("Give a time in the future."))
        elif expires_at > now + dt.timedelta(hours=_max_hours()):
            errors.add("expires_at", "too_long", _("At most %(h)d hours.") % {"h": _max_hours()})
    profile = Profile.objects.filter(api_name=data.get("profile") or "administrator").first()
    if profile is None:
        errors.add("profile", "unknown_profile", _("No such profile."))
    reason = data.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 500:
        errors.add("reason", "invalid", _("At most 500 characters."))
    errors.raise_if_any()
    assert profile is not None and expires_at is not None  # else raise_if_any() raised
    with transaction.atomic():
        grant = SupportGrant.objects.create(granted_by=acting_user(actor),
                                            profile=profile, reason=reason, expires_at=expires_at)
        audit.log(actor, "support.grant", target_type="support_grant", target_id=grant.pk,
                  detail={"expires_at": expires_at.isoformat(), "profile": profile.api_name, "reason": reason})
    return grant


def revoke_grant(grant_id: int | str, actor: Actor) -> SupportGrant:
    require_manage_users(actor)
    with transaction.atomic():
        grant = SupportGrant.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None:
            raise NotFound(_("No such support grant."), code="unknown_support_grant")
        if grant.revoked_at is None:
            grant.revoked_at = timezone.now()
            grant.revoked_by = acting_user(actor)
            grant.save(update_fields=["revoked_at", "revoked_by"])
            audit.log(actor, "support.revoke", target_type="support_grant", target_id=grant.pk)
    return grant


# --- platform side: the link -------------------------------------------------------------------


def issue_support_link(operator: User | AnonymousUser, tenant: Tenant) -> tuple[str, dt.datetime]:
    """(URL, expiry) of a one-time support login for `tenant`; PermissionDenied without an active
    grant. Runs on the public host; switches to the tenant's schema for its checks and audit."""
    if not (operator and operator.is_authenticated and operator.is_active and operator.is_admin):
        raise PermissionDenied(_("Only platform operators may ask for support access."), code="not_operator")
    if connection.schema_name != "public":  # type: ignore[attr-defined]
        raise PermissionDenied(_("Ask on the platform's host."), code="not_operator")
    nonce = secrets.token_urlsafe(24)
    with tenant_context(tenant), transaction.atomic():
        grant = active_support_grant()
        if grant is None:
            audit.log(None, "support.link_refused", target_type="operator", target_id=operator.pk,
                      email=f"operator:{operator.email}", detail={"reason": "no active grant"})
            refused = True
        else:
            refused = False
            expires_at = min(grant.expires_at, timezone.now() + dt.timedelta(minutes=_link_minutes()))
            SupportLogin.objects.create(grant=grant, nonce_hash=_hash(nonce), operator_id=operator.pk,
                                        operator_email=operator.email, expires_at=expires_at)
            audit.log(None, "support.link_issued", target_type="support_grant", target_id=grant.pk,
                      email=f"operator:{operator.email}", detail={"operator": operator.email, "until": expires_at.isoformat()})
        schema = tenant.schema_name
    if refused:
        # Committed above: the refusal stays in the tenant's audit log.
        raise PermissionDenied(_("The tenant has not granted support access (or it has expired)."),
                               code="no_support_grant")
    token = signing.dumps({"s": schema, "n": nonce}, salt=SALT)
    domain = tenant.get_primary_domain()
    host = domain.domain if domain else f"{tenant.slug}.{settings.TESSERA_BASE_DOMAIN}"
    return f"http://{host}{LOGIN_PATH}?token={token}", expires_at


# --- tenant side: the login --------------------------------------------------------------------


def support_login(token: str) -> tuple[User, SupportGrant]:
    """(support user, grant) a link logs in (the caller starts the session), or PermissionDenied.
    Refusals are audited (outside the refused transaction, so they stay)."""
    try:
        payload = signing.loads(token or "", salt=SALT, max_age=_link_minutes() * 60)
    except signing.BadSignature:
        payload = None
    if not isinstance(payload, dict) or payload.get("s") != connection.schema_name:  # type: ignore[attr-defined]
        _refuse("bad, expired or foreign link")
    with transaction.atomic():
        outcome = _use_link(str(payload.get("n", "")))
    if isinstance(outcome[0], str):
        _refuse(*outcome)
    return outcome


def _use_link(nonce: str) -> tuple[str, SupportLogin | None] | tuple[User, SupportGrant]:
    login = (SupportLogin.objects.select_for_update().select_related("grant", "grant__profile")
             .filter(nonce_hash=_hash(nonce)).first())
    now = timezone.now()
    if login is None:
        return "unknown link", None
    if login.used_at is not None:
        return "used link", login
    if login.expires_at <= now:
        return "expired link", login
    if not login.grant.active:
        return "grant expired or revoked", login
    User = get_user_model()
    email = f"support-{login.operator_id}@support.tessera.invalid"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, None, full_name=f"Tessera support ({login.operator_email})",
                                        is_support=True, profile=login.grant.profile)
    else:
        user.is_active, user.profile = True, login.grant.profile
        user.save(update_fields=["is_active", "profile"])
    login.used_at, login.user = now, user
    login.save(update_fields=["used_at", "user"])
    audit.log(user, "support.login", target_type="support_grant", target_id=login.grant_id,
              detail={"operator": login.operator_email, "until": login.grant.expires_at.isoformat()})
    return user, login.grant


def _refuse(reason: str, login: SupportLogin | None = None) -> NoReturn:
    audit.log(None, "support.login_refused", target_type="support_grant",
              target_id=login.grant_id if login else "", email=f"operator:{login.operator_email}" if login else "",
              detail={"reason": reason})
    raise SupportLoginRefused(reason)


class SupportLoginRefused(PermissionDenied):
    code = "support_login_refused"

    def __init__(self, reason: str) -> None:
        super().__init__(_("This support link is not valid (expired, used, or access not granted)."))
        self.reason = reason
