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


class ReportSchedule(models.Model):
    """A report e-mailed weekly or monthly to chosen users, each receiving it run as themselves."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly"
        MONTHLY = "monthly"

    #: The report's api_name (reports are named, never renamed).
    report = models.CharField(max_length=63, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    #: Weekly: the day (0 = Monday); monthly: the day of the month (1-28); at `hour`, the tenant's time.
    weekday = models.SmallIntegerField(default=0)
    day = models.SmallIntegerField(default=1)
    hour = models.SmallIntegerField(default=8)
    recipients = models.JSONField(default=list)
    #: Where links in the e-mail point (the tenant's address as its creator reached it).
    base_url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
