"""Queue a job and run it in a Celery worker, reporting progress as it goes; lose none to a fault.

Services call `queue_job(kind, params)` inside their transaction. The job row and its task message
(through the outbox, tessera.outbox) are written in that transaction, so a rolled-back write queues
nothing and a committed one always runs, even when the broker is down at the time. A job kind is a
function registered under a stable key (in its app's `registrations` module); it receives the Job and
a `Progress` to report through.

Faults: the task is acknowledged only after it ran (acks_late) and given back when its worker
process dies (reject on worker lost). A worker whose main process is killed gives nothing back
until the broker's visibility timeout (an hour on Redis), so we do not rely on the broker: a
running job writes a heartbeat into its row, and beat's `sweep_jobs` re-queues the jobs whose
heartbeat stopped. A worker claims a job with one UPDATE that only succeeds for a queued job (or a
running one whose heartbeat stopped), so a message delivered twice runs the job once at a time;
each claim is a new attempt, progress restarts with it, and the job kinds are written to be run
again after a crash without harm. After `TESSERA_JOB_MAX_ATTEMPTS` lost attempts a job fails.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db import connection as thread_connection
from django.db.models import F, Q
from django.utils import timezone
from psycopg2 import sql

from tessera.outbox.relay import send_on_commit
from tessera.registry import Registry

from .models import Job

if TYPE_CHECKING:
    from tessera.security.models import User

logger = logging.getLogger(__name__)

JobHandler = Callable[[Job, "Progress"], object]
job_kinds: Registry[JobHandler] = Registry("job kinds")

RUN_TASK = "tessera.core.tasks.run_job"
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def heartbeat_timeout() -> timedelta:
    """A running job whose heartbeat is older than this is taken for lost."""
    return timedelta(seconds=settings.TESSERA_JOB_HEARTBEAT_SECONDS)


class Progress:
    """Writes progress to the job row; each call commits on its own (outside the work's transaction).

    Writes only while this attempt owns the job: an attempt taken for lost that still runs
    somewhere cannot overwrite the progress of the attempt that replaced it."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def _update(self, **fields: Any) -> None:
        Job.objects.filter(pk=self.job.pk, attempts=self.job.attempts).update(heartbeat_at=timezone.now(), **fields)

    def set_total(self, total: int) -> None:
        self.job.total = total
        self._update(total=total)

    def advance(self, count: int = 1, message: str = "") -> None:
        self.job.done += count
        fields: dict[str, Any] = {"done": self.job.done}
        if message:
            self.job.message = fields["message"] = message[:500]
        self._update(**fields)


def queue_job(kind: str, params: dict | None = None, *, user: User | None = None,
              countdown: float | None = None) -> Job:
    """Create the job row and its task message now; the message reaches a worker after the commit."""
    job_kinds.get(kind)  # fail now, not in the worker, on an unknown kind
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params or {}, created_by=user, heartbeat_at=timezone.now())
        send_on_commit(RUN_TASK, [job.pk], countdown=countdown)
    return job


def _claim(job_id: int) -> Job | None:
    """Take the job for a new attempt, or None when it is finished or another attempt is alive."""
    now = timezone.now()
    claimed = Job.objects.filter(
        Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, heartbeat_at__lt=now - heartbeat_timeout()),
        pk=job_id,
    ).update(status=Job.Status.RUNNING, attempts=F("attempts") + 1, started_at=now, heartbeat_at=now,
             done=0, total=None, message="", result=None)
    return Job.objects.get(pk=job_id) if claimed else None


def run_job(job_id: int) -> Job | None:
    """Run a queued job in the current schema. Called by the worker; also usable inline.

    A message for a job that is finished, or that another live attempt is running, does nothing."""
    job = _claim(job_id)
    if job is None:
        return Job.objects.filter(pk=job_id).first()
    with Heartbeat(job):
        try:
            result = job_kinds.get(job.kind)(job, Progress(job))
        except DATABASE_UNAVAILABLE:
            # Not the job's fault, and its row cannot be written now: it stays running, its
            # heartbeat stops, and the sweeper re-queues it once the database is back.
            logger.warning("job %s interrupted: the database is unavailable", job)
            raise
        except Exception as exc:
            logger.exception("job %s failed", job)
            Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
                status=Job.Status.FAILED, message=str(exc)[:500], finished_at=timezone.now())
            job.refresh_from_db()
            return job
    Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
        status=Job.Status.DONE, result=result, finished_at=timezone.now())
    job.refresh_from_db()
    return job


class Heartbeat:
    """While a job runs, a thread stamps its row every quarter of the heartbeat timeout, on a
    connection of its own (Django's connections are per thread), so a long statement (CREATE INDEX
    CONCURRENTLY on a large table) does not make the job look lost."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.schema: str = connection.schema_name  # type: ignore[attr-defined]
        self.interval = max(0.5, heartbeat_timeout().total_seconds() / 4)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job.pk}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopped.set()
        self._thread.join(timeout=10)

    def _beat(self) -> None:
        statement = sql.SQL("UPDATE {}.{} SET heartbeat_at = now() WHERE id = %s AND attempts = %s "
                            "AND status = 'running'").format(sql.Identifier(self.schema),
                                                             sql.Identifier(Job._meta.db_table))
        try:
            while not self._stopped.wait(self.interval):
                try:
                    with thread_connection.cursor() as cursor:
                        cursor.execute(statement, [self.job.pk, self.job.attempts])
                except DatabaseError as exc:
                    logger.warning("heartbeat of %s not written: %s", self.job, exc)
        finally:
            thread_connection.close()


def sweep(schema_name: str) -> dict[str, int]:
    """Re-queue the jobs of the current schema that were lost: running with a stopped heartbeat
    (their worker died), or queued so long that their message must be lost (a broker restarted
    without it). A job that was lost `TESSERA_JOB_MAX_ATTEMPTS` times fails instead."""
    now = timezone.now()
    lost = Q(status=Job.Status.RUNNING, heartbeat_at__lt=now - heartbeat_timeout()) | Q(
        status=Job.Status.QUEUED, heartbeat_at__lt=now - heartbeat_timeout() * 5)
    requeued = failed = 0
    with transaction.atomic():
        for job in Job.objects.select_for_update(skip_locked=True).filter(lost, finished_at__isnull=True):
            if job.status == Job.Status.RUNNING and job.attempts >= settings.TESSERA_JOB_MAX_ATTEMPTS:
                Job.objects.filter(pk=job.pk).update(
                    status=Job.Status.FAILED, finished_at=now,
                    message=f"lost {job.attempts} times (its worker stopped); given up")
                failed += 1
                continue
            logger.warning("re-queueing %s in %s: no heartbeat since %s", job, schema_name, job.heartbeat_at)
            Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, heartbeat_at=now)
            send_on_commit(RUN_TASK, [job.pk])
            requeued += 1
    return {"requeued": requeued, "failed": failed}
