"""Users, their API tokens and invitations.

The same User model lives in the public schema (platform operators) and in every tenant schema (that
tenant's users): django-tenants gives each schema its own table, so a tenant user and an operator
never share a row, a session, a token or a password.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .permissions import Profile


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        """A user; without a profile given, the tenant's default profile (salesperson), if any."""
        if not email:
            raise ValueError("A user needs an email address.")
        if "profile" not in fields and "profile_id" not in fields:
            wanted = Q(api_name="administrator") if fields.get("is_admin") else Q(is_default=True)
            fields["profile"] = Profile.objects.using(self._db).filter(wanted).first()
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_admin(self, email: str, password: str | None = None, **fields: Any) -> User:
        return self.create_user(email, password, is_admin=True, **fields)


class User(AbstractBaseUser):
    #: Stored lowercased (UserManager.create_user), so the unique index is case-insensitive in effect.
    email = models.EmailField(_("email"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    #: In a tenant schema: a system administrator (every right, like the administrator profile).
    #: In the public schema: a platform operator.
    is_admin = models.BooleanField(_("administrator"), default=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    #: What the user may do (object, field and admin rights); permission sets add to it.
    profile = models.ForeignKey("security.Profile", verbose_name=_("profile"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="users")
    permission_sets = models.ManyToManyField("security.PermissionSet", verbose_name=_("permission sets"),
                                             blank=True, related_name="users")
    #: Where the user sits in the role hierarchy: managers see what the roles below them own.
    role = models.ForeignKey("security.Role", verbose_name=_("role"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="users")
    department = models.ForeignKey("security.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="users")
    #: A platform operator's stand-in, usable only while the tenant grants support access.
    is_support = models.BooleanField(_("support user"), default=False)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_staff(self) -> bool:
        return self.is_admin


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the key is stored; the key is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    #: The first characters of the key, to tell tokens apart in a list.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Invitation(models.Model):
    """An invitation by email: a one-time token (stored hashed) valid until `expires_at`."""

    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=150, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    profile = models.ForeignKey("security.Profile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.ForeignKey("security.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    department = models.ForeignKey("security.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    permission_set_ids = models.JSONField(default=list, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["email"], condition=Q(accepted_at__isnull=True), name="invitation_open")]

    def __str__(self) -> str:
        return f"invitation of {self.email}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class UserSession(models.Model):
    """A session a user logged in with (written on login, removed on logout), so that deactivating
    the user ends every one of their sessions at once: Django's session table does not say whose a
    session is without decoding each row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class TwoFactorDevice(models.Model):
    """A user's TOTP authenticator (RFC 6238, 30-second steps). Enrolment stores the secret
    unconfirmed; the first valid code confirms it. Recovery codes are stored as SHA-256 hashes."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    #: Base32; the verifier needs it in the clear (as django-otp stores its keys).
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    #: The last time step a code was accepted for: a code works once.
    last_step = models.BigIntegerField(default=0)
    recovery_codes = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"authenticator of user {self.user_id}"
