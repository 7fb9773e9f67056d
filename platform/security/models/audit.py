"""The audit log, the login throttle and shared request-rate counters."""

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
    """One login counter (tessera.security.throttle): attempts of an (account, client) pair, of an
    account from anywhere, or of a client on any account, and the lock or delay they caused."""

    scope = models.CharField(max_length=8)  # "pair" | "account" | "client"
    #: The account's email, the client's address, or "<email> <address>" for a pair.
    key = models.CharField(max_length=320)
    failures = models.IntegerField(default=0)
    #: The counter starts again from zero once this is older than TESSERA_LOGIN_LOCK_MINUTES.
    last_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="login_throttle_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class RateCounter(models.Model):
    """Requests per key in the current fixed window, for throttles that must hold across processes
    and restarts (tessera.security.throttle.SharedRateThrottle): sign-up, anonymous security calls."""

    key = models.CharField(max_length=200, unique=True)
    window_start = models.DateTimeField()
    hits = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.key
