"""Support access: a tenant admin grants platform operators time-limited access to the tenant."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SupportGrant(models.Model):
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    #: The rights the support user gets while the grant lasts.
    profile = models.ForeignKey("security.Profile", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"support grant until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SupportLogin(models.Model):
    """A one-time support login link issued to an operator (its nonce, hashed)."""

    grant = models.ForeignKey(SupportGrant, on_delete=models.CASCADE, related_name="logins")
    nonce_hash = models.CharField(max_length=64, unique=True)
    operator_id = models.BigIntegerField()
    operator_email = models.CharField(max_length=254)
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")

    def __str__(self) -> str:
        return f"support login of {self.operator_email}"
