"""The audit log and the login throttle."""

from django.db import models


class AuditEntry(models.Model):
    """Who did what, when, from where. Written by services (tessera.security.audit), never updated."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    #: The actor's email at the time (users are renamed; the log must still say who it was).
    actor_email = models.CharField(max_length=254, blank=True)
    #: Done by a platform operator's support user.
    support = models.BooleanField(default=False)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["action", "id"], name="audit_action"),
            models.Index(fields=["actor_id", "id"], name="audit_actor"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.actor_email}"


class LoginThrottle(models.Model):
    """Failed logins per account and per IP address within a window, and the lock they cause."""

    scope = models.CharField(max_length=8)  # "account" | "ip"
    key = models.CharField(max_length=254)
    failures = models.IntegerField(default=0)
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="login_throttle_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
