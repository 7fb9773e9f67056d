"""Queue a job and run it in a Celery worker, reporting progress as it goes.

Services call `queue_job(kind, params)` inside their transaction; the task is sent only when that
transaction commits (`transaction.on_commit`), so a rolled-back write queues nothing. A job kind is
a function registered under a stable key (in its app's `AppConfig.ready()`); it receives the Job
and a `Progress` to report through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tessera.registry import Registry

from .models import Job

if TYPE_CHECKING:
    from tessera.security.models import User

logger = logging.getLogger(__name__)

JobHandler = Callable[[Job, "Progress"], object]
job_kinds: Registry[JobHandler] = Registry("job kinds")


class Progress:
    """Writes progress to the job row; each call commits on its own (outside the work's transaction)."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def set_total(self, total: int) -> None:
        self.job.total = total
        Job.objects.filter(pk=self.job.pk).update(total=total)

    def advance(self, count: int = 1, message: str = "") -> None:
        self.job.done += count
        fields: dict[str, object] = {"done": self.job.done}
        if message:
            self.job.message = fields["message"] = message[:500]
        Job.objects.filter(pk=self.job.pk).update(**fields)


def queue_job(kind: str, params: dict | None = None, *, user: User | None = None,
              countdown: float | None = None) -> Job:
    """Create the job row now and send it to a worker when the current transaction commits."""
    job_kinds.get(kind)  # fail now, not in the worker, on an unknown kind
    job = Job.objects.create(kind=kind, params=params or {}, created_by=user)

    def send() -> None:
        from .tasks import run_job

        run_job.apply_async(args=[job.pk], countdown=countdown)

    transaction.on_commit(send)
    return job


def run_job(job_id: int) -> Job:
    """Run a queued job in the current schema. Called by the worker; also usable inline."""
    job = Job.objects.get(pk=job_id)
    if job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return job  # a redelivered message for finished work does nothing
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    job.status = Job.Status.RUNNING
    try:
        result = job_kinds.get(job.kind)(job, Progress(job))
    except Exception as exc:
        logger.exception("job %s failed", job)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, message=str(exc)[:500], finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, result=result, finished_at=timezone.now())
    job.refresh_from_db()
    return job
