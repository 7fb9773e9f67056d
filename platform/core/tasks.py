"""Celery tasks of the core: they run in the schema of the tenant that queued them."""

from django.contrib.sessions.models import Session
from django.utils import timezone

from tessera.celery import app

from . import jobs
from .jobs import Progress
from .models import Job


@app.task(name="tessera.core.tasks.run_job")
def run_job(job_id: int) -> str:
    return jobs.run_job(job_id).status


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
