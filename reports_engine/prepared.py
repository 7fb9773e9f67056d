"""Prepared reports (Frappe's name): a report that takes longer than PREPARE_AFTER_SECONDS runs as a
background job (tessera.core.jobs, kind "reports.prepare") as the same viewer, and the page picks
the result up from the job when it is ready — the same `ReportResult`, as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from tessera.core.jobs import Progress, queue_job
from tessera.core.models import Job
from tessera.errors import NotFound
from tessera.security.access import user_id
from tessera.security.actor import Actor

from .result import ReportResult
from .services import run_report

PREPARE_AFTER_SECONDS = 5
KIND = "reports.prepare"


def run_within(spec_or_api_name: dict | str, actor: Actor, *, extra_filters: Sequence[tuple[str, Any]] = (),
               timeout_seconds: float | None = None) -> ReportResult | Job:
    """The result when the statement finishes within the timeout (PREPARE_AFTER_SECONDS unless
    given); otherwise the queued job that runs it in the background as the same viewer."""
    limit = PREPARE_AFTER_SECONDS if timeout_seconds is None else timeout_seconds
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = %s", [max(1, int(limit * 1000))])
            return run_report(spec_or_api_name, actor, extra_filters=extra_filters)
    except OperationalError as exc:
        if getattr(getattr(exc, "__cause__", None), "pgcode", None) != "57014":  # query_canceled
            raise
    return queue_job(KIND, {"report": spec_or_api_name, "user_id": user_id(actor), "language": get_language(),
                            "extra_filters": [list(item) for item in extra_filters]},
                     user=actor if user_id(actor) else None)  # type: ignore[arg-type]


def run_or_prepare(spec_or_api_name: dict | str, actor: Actor, *, extra_filters: Sequence[tuple[str, Any]] = (),
                   timeout_seconds: float | None = None) -> dict:
    """The API's answer: the result now ({"status": "done", "result": …}) or a queued job
    ({"status": "queued", "job": id})."""
    outcome = run_within(spec_or_api_name, actor, extra_filters=extra_filters, timeout_seconds=timeout_seconds)
    if isinstance(outcome, ReportResult):
        return {"status": "done", "result": outcome.to_json()}
    return {"status": "queued", "job": outcome.pk}


def prepared_job(job_id: int, actor: Actor) -> Job:
    """A prepared report's job; only the viewer it runs as may read it."""
    job = Job.objects.filter(pk=job_id, kind=KIND, created_by_id=user_id(actor)).first()
    if job is None:
        raise NotFound(_("No such prepared report."), code="unknown_job")
    return job


def prepared_report(job: Job) -> ReportResult | None:
    """The result a finished prepared report's job holds (None before it is done)."""
    if job.status != Job.Status.DONE:
        return None
    return ReportResult.from_json((job.result or {}).get("result") or {})


def prepared_result(job_id: int, actor: Actor) -> dict:
    """A prepared report's state: queued / running (with progress), done (with its result) or failed."""
    job = prepared_job(job_id, actor)
    found: dict[str, Any] = {"status": job.status, "job": job.pk}
    if job.status == Job.Status.DONE:
        found["result"] = (job.result or {}).get("result")
    elif job.status == Job.Status.FAILED:
        found["message"] = job.message
    return found


def prepare_report_job(job: Job, progress: Progress) -> dict:
    viewer = get_user_model().objects.get(pk=job.params["user_id"])
    with override(job.params.get("language")):  # labels in the language of the page that asked
        result = run_report(job.params["report"], viewer,
                            extra_filters=[tuple(item) for item in job.params.get("extra_filters", ())])
    return {"result": result.to_json()}
