"""Personal API tokens: create (the key is shown once), list, revoke; and authenticate a key."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.errors import NotFound, PermissionDenied, ValidationFailed
from tessera.security.actor import Actor

from .. import audit
from ..access import authenticated
from ..models import ApiToken

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from ..models import User

PREFIX = "tsr_"
MAX_TOKENS = 20
#: last_used_at is written at most this often per token (not on every request).
TOUCH_EVERY = dt.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(actor: Actor, name: str | None, *, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `actor`; returns (token, key). The key is never stored nor shown again."""
    user = _require_user(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.single("name", "required", _("Give the token a name."))
    if len(name) > 100:
        raise ValidationFailed.single("name", "too_long", _("At most 100 characters."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed.single("expires_at", "in_the_past", _("Give a time in the future."))
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS:
        raise ValidationFailed.single(None, "too_many", _("At most %(n)d tokens; revoke one first.") % {"n": MAX_TOKENS})
    key = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=key[:12], key_hash=hash_key(key),
                                        expires_at=expires_at)
        audit.log(actor, "token.create", target_type="token", target_id=token.pk, detail={"name": name})
    return token, key


def list_tokens(actor: Actor) -> QuerySet[ApiToken]:
    user = _require_user(actor)
    return ApiToken.objects.filter(user=user).order_by("-id")


def revoke_token(actor: Actor, token_id: int) -> None:
    user = _require_user(actor)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound(_("No such token."), code="unknown_token")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.log(actor, "token.revoke", target_type="token", target_id=token.pk, detail={"name": token.name})


def authenticate_token(key: str) -> User | None:
    """The active user a key belongs to in this schema, or None."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    now = timezone.now()
    token = (ApiToken.objects.select_related("user").filter(key_hash=hash_key(key), revoked_at__isnull=True)
             .first())
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    user = token.user
    if not user.is_active or user.is_support:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


def _require_user(actor: Actor) -> User:
    """The actor as a user, or PermissionDenied: only users have tokens."""
    if not authenticated(actor) or getattr(actor, "pk", None) is None:
        raise PermissionDenied(_("Log in first."), code="not_authenticated")
    if getattr(actor, "is_support", False):
        raise PermissionDenied(_("Support users cannot have API tokens."), code="support_user")
    return cast("User", actor)
