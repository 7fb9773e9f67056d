"""Password reset by email: a request that says nothing about whether the address has an account,
a single-use link that expires, and the new password checked by Django's validators.

The link carries Django's PasswordResetTokenGenerator token: an HMAC over the user's id, password
hash, last login and email, with a timestamp. Setting the password (or logging in) changes what it
hashes, so a link works once; PASSWORD_RESET_TIMEOUT (TESSERA_PASSWORD_RESET_MINUTES) bounds it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from tessera.errors import ValidationFailed

from .. import audit, tasks, throttle
from .users import end_sessions

if TYPE_CHECKING:
    from ..models import User

logger = logging.getLogger(__name__)

#: The page the email links to: RESET_PATH<uidb64>/<token>/ (ui_builder.signin).
RESET_PATH = "/password-reset/"


def request_password_reset(email: Any, *, base_url: str, language: str) -> None:
    """Queue the reset email. The request does the same work whether or not the address belongs to
    someone (the account is looked up by the worker), so neither the answer nor its timing tells."""
    try:
        validate_email(email)
    except (DjangoValidationError, TypeError):
        raise ValidationFailed.single("email", "invalid_email", _("Enter a valid email address.")) from None
    email = email.strip().lower()
    transaction.on_commit(lambda: _queue(email, base_url, language))


def _queue(email: str, base_url: str, language: str) -> None:
    try:
        tasks.send_password_reset.delay(email, base_url, language)
    except Exception:  # the broker is away: the person sees the same page and may ask again
        logger.exception("could not queue a password reset email")


def send_password_reset(email: str, *, base_url: str, language: str) -> bool:
    """Email a reset link to the active user with this address, if there is one (in the worker)."""
    user = get_user_model().objects.filter(email__iexact=email, is_active=True, is_support=False).first()
    if user is None:
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = f"{base_url.rstrip('/')}{RESET_PATH}{uid}/{default_token_generator.make_token(user)}/"
    tenant_name = getattr(getattr(connection, "tenant", None), "name", "Tessera")
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    with translation.override(user.language or language):
        subject = _("Reset your password for %(tenant)s on Tessera") % {"tenant": tenant_name}
        body = _("Someone (we hope you) asked to reset the password of %(email)s at %(tenant)s.\n\n"
                 "Choose a new password here (the link works once, for %(minutes)d minutes):\n%(link)s\n\n"
                 "If you did not ask, ignore this email: your password stays as it is.\n") % {
            "email": user.email, "tenant": tenant_name, "minutes": minutes, "link": link}
    send_mail(subject, body, None, [user.email])
    audit.log(None, "user.password_reset_sent", target_type="user", target_id=user.pk, email=user.email)
    return True


def complete_password_reset(user: User, password: str) -> None:
    """Set the new password (already checked by the validators in the form), end every session the
    user had (the link proves the mailbox, not the browsers) and lift their login locks."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        ended = end_sessions(user)
        throttle.clear_account(user.email)
        audit.log(user, "user.password_reset", target_type="user", target_id=user.pk,
                  detail={"sessions_ended": ended})
