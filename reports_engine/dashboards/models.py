"""The Dashboard row: identity in columns, the rest in a JSONB `spec` (schemas/dashboard.json)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Dashboard(models.Model):
    """A dashboard (shared when `owner` is empty, else personal) or a user's desktop (`kind`
    desktop: one per user, the arrangement of their home page)."""

    class Kind(models.TextChoices):
        DASHBOARD = "dashboard"
        DESKTOP = "desktop"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DASHBOARD)
    api_name = models.CharField(max_length=63)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    spec = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "api_name", "owner"], name="dashboard_unique",
                                    nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.api_name}"
