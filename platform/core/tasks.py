"""Celery tasks of the core: they run in the schema of the tenant that queued them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Tenant
from tessera.celery import app

from . import jobs

if TYPE_CHECKING:
    from .jobs import Progress
    from .models import Job


@app.task(name="tessera.core.tasks.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> str | None:
    """Acknowledged after the job ran; given back to the queue if the worker process dies."""
    job = jobs.run_job(job_id)
    return job.status if job is not None else None


@app.task(name="tessera.core.tasks.sweep_jobs", ignore_result=True)
def sweep_jobs() -> dict[str, int]:
    """Run by beat: re-queue lost jobs in every schema (tessera.core.jobs.sweep). One query per
    schema, on a partial index of the unfinished jobs."""
    totals = {"requeued": 0, "failed": 0}
    schemas = [get_public_schema_name(),
               *Tenant.objects.filter(is_active=True).exclude(schema_name=get_public_schema_name())
               .values_list("schema_name", flat=True)]
    for schema_name in schemas:
        with schema_context(schema_name):
            for key, count in jobs.sweep(schema_name).items():
                totals[key] += count
    return totals


@app.task(name="tessera.core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Housekeeping run by beat for every tenant: drop the sessions that have expired."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def clear_expired_sessions_job(job: Job, progress: Progress) -> dict:
    expired = Session.objects.filter(expire_date__lt=timezone.now())
    progress.set_total(expired.count())
    deleted, _ = expired.delete()
    progress.advance(deleted)
    return {"deleted": deleted}
