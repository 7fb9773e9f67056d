"""Background jobs with progress, in each schema (tenant jobs) and in public (platform jobs)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A long piece of work (index build, import, export, template install…) that shows progress.

    The row is written by the service that queues the work and updated by the Celery task doing it,
    in the tenant's schema, so a tenant only ever sees its own jobs.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.BigIntegerField(_("done"), default=0)
    total = models.BigIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: Attempts taken so far (a worker lost mid-job makes another); progress counts per attempt.
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    #: Last sign of life: when queued, re-queued, or while running (tessera.core.jobs.Heartbeat).
    heartbeat_at = models.DateTimeField(_("heartbeat at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "kind"]),
            # The sweeper's question, answered from the few unfinished jobs only.
            # (finished_at IS NULL rather than a status list: pg_dump's form of that predicate
            # differs in text, and new tenant schemas are made from pg_dump's DDL.)
            models.Index(fields=["heartbeat_at"], name="core_job_unfinished",
                         condition=models.Q(finished_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} {self.status}"

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None if self.status != self.Status.DONE else 100
        return min(100, int(100 * self.done / self.total))
