"""Two-factor sign-in with a TOTP authenticator app (RFC 6238: 6 digits, 30-second steps, pyotp),
recovery codes for a lost phone, and the tenant's policy requiring it of administrators.

A code is accepted for the current step or one step either side (clock drift), and only for a step
later than the last one accepted: a code seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

import pyotp
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.errors import ErrorCollector, PermissionDenied, ValidationFailed
from tessera.security.actor import Actor

from .. import audit, throttle
from ..access import access_for
from ..models import SecuritySettings, TwoFactorDevice
from .common import get_user, require_manage_users

if TYPE_CHECKING:
    from ..models import User

RECOVERY_CODES = 10
#: Rights that make a user an administrator for the "require two-factor for administrators" policy.
ADMIN_RIGHTS = ("manage_users", "customize")


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


def security_settings() -> SecuritySettings:
    settings, _created = SecuritySettings.objects.get_or_create(pk=1)
    return settings


def update_security_settings(data: dict, actor: Actor) -> SecuritySettings:
    """Change the sign-in policy (manage_users)."""
    require_manage_users(actor)
    errors = ErrorCollector()
    for key in sorted(set(data) - {"require_two_factor_for_admins"}):
        errors.add(key, "unknown_field", _("Unknown property."))
    value: Any = data.get("require_two_factor_for_admins")  # a bool once checked
    if "require_two_factor_for_admins" in data and not isinstance(value, bool):
        errors.add("require_two_factor_for_admins", "invalid", _("Use true or false."))
    errors.raise_if_any()
    with transaction.atomic():
        settings = SecuritySettings.objects.select_for_update().get_or_create(pk=1)[0]
        if "require_two_factor_for_admins" in data and value != settings.require_two_factor_for_admins:
            settings.require_two_factor_for_admins = value
            settings.save()
            audit.log(actor, "security.settings", target_type="settings", target_id=1,
                      detail={"require_two_factor_for_admins": value})
    return settings


def has_two_factor(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def two_factor_required(user: User) -> bool:
    """Whether the tenant requires a second factor of this user (an administrator under the policy)."""
    if not security_settings().require_two_factor_for_admins:
        return False
    access = access_for(user)
    return bool(user.is_admin or any(access.has_right(right) for right in ADMIN_RIGHTS))


def start_enrolment(user: User) -> TwoFactorDevice:
    """A new secret for the user to scan (replacing an unconfirmed one); refused while one is on."""
    if has_two_factor(user):
        raise ValidationFailed.single(None, "two_factor_on", _("Two-factor sign-in is on already."))
    device, _created = TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": pyotp.random_base32(), "confirmed_at": None, "last_step": 0,
                             "recovery_codes": []})
    return device


def pending_device(user: User) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=True).first()


def provisioning_uri(device: TwoFactorDevice) -> str:
    """The otpauth:// URI authenticator apps read (from the QR code, or pasted)."""
    tenant = getattr(getattr(connection, "tenant", None), "name", "") or "Tessera"
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.email, issuer_name=f"Tessera {tenant}")


def confirm_enrolment(user: User, code: Any) -> list[str]:
    """Turn two-factor sign-in on with the first valid code; returns the recovery codes (shown once)."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
        if device is None:
            raise ValidationFailed.single("code", "no_enrolment", _("Start the set-up again."))
        if not _take_totp(device, code):
            raise ValidationFailed.single("code", "invalid_code", _("This code is not valid; try the current one."))
        codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
        device.recovery_codes = [_hash(c) for c in codes]
        device.confirmed_at = timezone.now()
        device.save()
        audit.log(user, "user.two_factor_on", target_type="user", target_id=user.pk)
    return codes


def verify_code(user: User, code: Any) -> bool:
    """A current authenticator code, or an unused recovery code (then used up)."""
    if not isinstance(code, str) or not code.strip():
        return False
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            return False
        if _take_totp(device, code):
            return True
        hashed = _hash(code)
        if hashed in device.recovery_codes:
            device.recovery_codes = [c for c in device.recovery_codes if c != hashed]
            device.save(update_fields=["recovery_codes"])
            audit.log(user, "user.recovery_code_used", target_type="user", target_id=user.pk,
                      detail={"left": len(device.recovery_codes)})
            return True
    return False


def check_login_code(user: User, code: Any, ip: str | None) -> bool:
    """The second step of a login: refused while the login is locked for this account and address,
    and a wrong code counts as a failed login attempt (tessera.security.throttle), so a password
    known to an attacker does not open unlimited guesses at the code."""
    if throttle.locked_until(user.email, ip) is not None:
        raise PermissionDenied(_("Too many failed attempts; try again later."), code="login_locked")
    if verify_code(user, code):
        return True
    throttle.begin_attempt(user.email, ip)
    audit.log(None, "login.failed", target_type="user", target_id=user.pk, email=user.email, ip=ip,
              detail={"second_factor": True})
    return False


def _take_totp(device: TwoFactorDevice, code: Any) -> bool:
    """Accept `code` for a step after the last accepted one (the caller holds the row lock)."""
    code = code.strip().replace(" ", "") if isinstance(code, str) else ""
    if not (len(code) == 6 and code.isdigit()):
        return False
    totp = pyotp.TOTP(device.secret)
    now = totp.timecode(timezone.now())
    for step in (now - 1, now, now + 1):
        if step > device.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            device.last_step = step
            device.save(update_fields=["last_step"])
            return True
    return False


def turn_off_two_factor(user_id: Any, actor: Actor) -> None:
    """Remove a user's authenticator: the user themself, or a user manager (a lost phone). Under the
    policy, an administrator then enrols again at their next login."""
    user = get_user(user_id)
    if getattr(actor, "pk", None) != user.pk:
        require_manage_users(actor)
    with transaction.atomic():
        removed, _detail = TwoFactorDevice.objects.filter(user=user).delete()
        if not removed:
            raise ValidationFailed.single(None, "two_factor_off", _("Two-factor sign-in is not on for this user."))
        audit.log(actor, "user.two_factor_off", target_type="user", target_id=user.pk)
