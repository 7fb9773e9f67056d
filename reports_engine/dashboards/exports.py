"""A report exported to XLSX or CSV: always a background job (kind `reports.export`) with progress,
run as the user who asked (the file holds what they may read, as the report page shows them),
written by the one table writer of exports (`tessera.transfer.tables.write_table`: xlsxwriter's
constant-memory mode, formula-like text neutralised), kept in storage for that user to download.
Every export is recorded in the audit log."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from reports_engine import services as reports
from reports_engine.export import table_of
from tessera.core.jobs import Progress, queue_job
from tessera.core.models import Job
from tessera.errors import NotFound, ValidationFailed
from tessera.records import service as records
from tessera.security import audit
from tessera.security.access import access_for
from tessera.security.actor import Actor
from tessera.transfer.export import ExportFile, finished_export, get_export_job
from tessera.transfer.tables import CONTENT_TYPES, FORMATS, write_table

KIND = "reports.export"


def start_report_export(report: str, actor: Actor, *, file_format: str, language: str | None) -> Job:
    """Queue the export of a report the actor may see and whose object they may export."""
    spec = reports.get_report(report, actor)
    _tenant, obj = records.get_object_meta(spec["object"])
    access = access_for(actor)
    access.require_export(obj)
    if file_format not in FORMATS:
        raise ValidationFailed.single("format", "invalid", _("Export as csv or xlsx."))
    user = get_user_model().objects.filter(pk=access.user_id).first()
    return queue_job(KIND, {"report": report, "format": file_format, "language": language}, user=user)


def report_export_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Kind `reports.export`: run the report as the job's user, write the file, store it."""
    actor = job.created_by
    if actor is None:
        raise NotFound(_("The user who asked for this export is gone."), code="unknown_user")
    params = job.params
    with translation.override(params.get("language")):
        result = reports.run_report(params["report"], actor)
        columns, rows = table_of(result)
        rows = list(rows)
        progress.set_total(len(rows))
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / f"report.{params['format']}"
            count = write_table(columns, rows, params["format"], path,
                                progress=lambda n: progress.advance(n - job.done))
            schema = getattr(connection, "schema_name", "public")
            with path.open("rb") as handle:
                stored = default_storage.save(f"exports/{schema}/{uuid.uuid4().hex}.{params['format']}", File(handle))
    audit.log(actor, "reports.export", target_type="report", target_id=params["report"],
              detail={"rows": count, "format": params["format"]})
    return {"file": stored, "name": f"{result.label}.{params['format']}", "content_type": CONTENT_TYPES[params["format"]],
            "rows": count}


def get_report_export(job_id: int, actor: Actor) -> Job:
    """A report export the actor started (anyone else's is NotFound)."""
    return get_export_job(job_id, actor, kind=KIND)


def finished_report_export(job_id: int, actor: Actor) -> ExportFile:
    """The file of a finished report export the actor started."""
    return finished_export(job_id, actor, kind=KIND)
