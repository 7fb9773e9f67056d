"""The outbox table, in the public schema only (a shared app): one query drains every tenant's."""

from django.db import models


class OutboxMessage(models.Model):
    """A Celery task waiting to be handed to the broker; deleted once the broker has it."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    #: The schema the task runs in (tenant-schemas-celery's `_schema_name` header).
    schema_name = models.CharField(max_length=63)
    #: Not to run before (a countdown given when it was queued).
    not_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task}#{self.pk} ({self.schema_name})"
