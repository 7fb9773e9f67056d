"""Export use cases: a list (its view, filters, search and sort) to CSV or XLSX.

Records are read through `records.service.list_records`, page after page on its keyset cursor, as
the exporting user: only the records they may see and the fields they may read ever reach the
file. Up to `INLINE_LIMIT` records are written at once; more go to a background job with progress
(`transfer.export`), whose file the same user downloads when it is done. Memory stays flat either
way: one page of records at a time, and the writer (tables.write_table, re-exported here for
reports) streams. Every export is recorded in the audit log: who, which object, how many rows,
which filters and fields.

Cells are written for people (`header="labels"`: labels in the user's language, picklist labels,
names of referenced records and users, numbers and dates as typed cells) or for programs
(`header="keys"`: API names and API values, which the importer reads back).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from metadata.meta import FieldMeta, ObjectMeta
from tessera.core.jobs import Progress, queue_job
from tessera.core.models import Job
from tessera.errors import ErrorCollector, NotFound, ValidationFailed
from tessera.records import service as records
from tessera.records.record import Record
from tessera.security import audit
from tessera.security.access import access_for
from tessera.security.actor import Actor
from tessera.security.services.directory import user_names

from .imports import actor_user
from .tables import CONTENT_TYPES, FORMATS, write_table

__all__ = ["ExportFile", "export_job", "export_records", "start_export", "write_table"]

#: Lists up to this many records are exported while the user waits; longer ones in the background.
INLINE_LIMIT = 10_000
HEADERS = ("labels", "keys")


@dataclass(frozen=True)
class ExportRequest:
    object_api_name: str
    filters: tuple[tuple[str, Any], ...] = ()
    sort: tuple[str, ...] = ()
    fields: tuple[str, ...] | None = None
    format: str = "xlsx"
    header: str = "labels"
    language: str | None = None

    def params(self) -> dict:
        return {"object": self.object_api_name, "filters": [list(f) for f in self.filters], "sort": list(self.sort),
                "fields": list(self.fields) if self.fields is not None else None, "format": self.format,
                "header": self.header, "language": self.language}

    @classmethod
    def from_params(cls, params: dict) -> ExportRequest:
        return cls(object_api_name=params["object"], filters=tuple((k, v) for k, v in params.get("filters") or ()),
                   sort=tuple(params.get("sort") or ()),
                   fields=tuple(params["fields"]) if params.get("fields") is not None else None,
                   format=params.get("format", "xlsx"), header=params.get("header", "labels"),
                   language=params.get("language"))


@dataclass(frozen=True)
class ExportFile:
    """A finished export: where it is stored, the name to download it as, its content type."""

    stored: str
    name: str
    content_type: str
    rows: int


def _check(request: ExportRequest, actor: Actor) -> ObjectMeta:
    _tenant, obj = records.get_object_meta(request.object_api_name)
    access_for(actor).require_export(obj)
    errors = ErrorCollector()
    if request.format not in FORMATS:
        errors.add("format", "invalid", _("Export as csv or xlsx."))
    if request.header not in HEADERS:
        errors.add("header", "invalid", _("Write labels or keys."))
    errors.raise_if_any()
    return obj


def start_export(request: ExportRequest, actor: Actor) -> ExportFile | Job:
    """Export now (a file) or, beyond INLINE_LIMIT records, queue the job (its Job)."""
    obj = _check(request, actor)
    total = records.list_records(obj.api_name, actor, filters=list(request.filters), limit=1, fields=[obj.name_field],
                                 count=True).total or 0
    if total > INLINE_LIMIT:
        return queue_job("transfer.export", request.params(), user=actor_user(actor))
    return _export_to_storage(request, actor)


def _export_to_storage(request: ExportRequest, actor: Actor, progress: Callable[[int], None] | None = None) -> ExportFile:
    with tempfile.TemporaryDirectory() as directory:
        path = str(Path(directory) / f"export.{request.format}")
        count = export_records(request, actor, path, progress)
        schema = getattr(connection, "schema_name", "public")
        with open(path, "rb") as handle:
            stored = default_storage.save(f"exports/{schema}/{uuid.uuid4().hex}.{request.format}", File(handle))
    obj = records.get_object_meta(request.object_api_name)[1]
    name = f"{obj.label(request.language, plural=True)}.{request.format}"
    return ExportFile(stored=stored, name=name, content_type=CONTENT_TYPES[request.format], rows=count)


def export_records(request: ExportRequest, actor: Actor, path: str,
                   progress: Callable[[int], None] | None = None) -> int:
    """Write the list to `path`; returns the number of rows. Logs the export (in the caller's
    transaction)."""
    obj = _check(request, actor)
    access = access_for(actor)
    readable = records.readable_fields(obj, access)
    by_name = {f.api_name: f for f in readable}
    if request.fields is not None:
        unknown = [n for n in request.fields if n not in by_name]
        if unknown:
            raise ValidationFailed.single("fields", "unknown_field", _("Unknown fields: %(names)s.")
                                          % {"names": ", ".join(unknown)})
        fields = [by_name[n] for n in request.fields]
    else:
        fields = [f for f in readable if not f.type.holds_files]
    with translation.override(request.language or translation.get_language()):
        language = translation.get_language()
        columns = [f.label(language) if request.header == "labels" else f.api_name for f in fields]
        rows = _rows(request, actor, fields, language)
        count = write_table(columns, rows, request.format, path, progress)
    audit.record_export(actor, obj.api_name, count=count, filters=request.filters,
                        fields=[f.api_name for f in fields], file_format=request.format)
    return count


def _pages(request: ExportRequest, actor: Actor, fields: Sequence[FieldMeta]) -> Iterator[records.Page]:
    expand = [f.api_name for f in fields if f.type.target(f)]
    cursor = None
    while True:
        page = records.list_records(request.object_api_name, actor, filters=list(request.filters),
                                    sort=list(request.sort) or ["id"], limit=records.MAX_PAGE, cursor=cursor,
                                    fields=[f.api_name for f in fields], expand=expand)
        yield page
        cursor = page.next_cursor
        if cursor is None:
            return


def _rows(request: ExportRequest, actor: Actor, fields: Sequence[FieldMeta], language: str) -> Iterator[list[Any]]:
    people = request.header == "labels"
    user_fields = [f for f in fields if f.type.is_reference and not f.type.target(f)]
    for page in _pages(request, actor, fields):
        names: dict[int, str] = {}
        if people and user_fields:
            names = user_names(actor, {r.get(f.api_name) for r in page.records for f in user_fields} - {None})
        for record in page.records:
            yield [_cell(record, f, language, people, names) for f in fields]


def _cell(record: Record, field: FieldMeta, language: str, people: bool, names: dict[int, str]) -> Any:
    value = record.get(field.api_name)
    if value is None or value == "" or value == ():
        return None
    if not people:
        api = field.type.to_api(value, field)
        return ";".join(map(str, api)) if isinstance(api, list | tuple) else api
    expanded = record.expanded.get(field.api_name)
    if expanded:
        return expanded.get("name") or expanded.get("id")
    if field.type.is_reference:
        return names.get(value, value)
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return value
    if hasattr(value, "isoformat"):  # dates and date-times stay typed cells
        return value
    return field.type.format_text(value, field, language)


def export_job(job: Job, progress: Progress) -> dict:
    """Kind "transfer.export": write the file, keep it in storage for its user to download."""
    request = ExportRequest.from_params(job.params)
    actor = job.created_by
    if actor is None:
        raise NotFound(_("The user who asked for this export is gone."), code="unknown_user")
    total = records.list_records(request.object_api_name, actor, filters=list(request.filters), limit=1,
                                 fields=[records.get_object_meta(request.object_api_name)[1].name_field],
                                 count=True).total or 0
    progress.set_total(total)
    done = [0]

    def advance(count: int) -> None:
        progress.advance(count - done[0])
        done[0] = count

    exported = _export_to_storage(request, actor, advance)
    return {"file": exported.stored, "name": exported.name, "content_type": exported.content_type,
            "rows": exported.rows}


def open_export(exported: ExportFile) -> IO[bytes]:
    """The stored file of an export, open for reading."""
    return default_storage.open(exported.stored, "rb")


def get_export_job(job_id: int, actor: Actor, *, kind: str = "transfer.export") -> Job:
    """An export job of `kind` (a list's, or a report's) that `actor` started (anyone else's is NotFound)."""
    job = Job.objects.filter(pk=job_id, kind=kind, created_by_id=access_for(actor).user_id).first()
    if job is None:
        raise NotFound(_("No such export."), code="unknown_export")
    return job


def finished_export(job_id: int, actor: Actor, *, kind: str = "transfer.export") -> ExportFile:
    """The file of a finished export job of `kind` started by `actor`."""
    job = get_export_job(job_id, actor, kind=kind)
    if job.status != Job.Status.DONE or not job.result or not job.result.get("file"):
        raise NotFound(_("No such export, or it is not finished."), code="unknown_export")
    result = job.result
    return ExportFile(stored=result["file"], name=result["name"], content_type=result["content_type"],
                      rows=int(result.get("rows") or 0))
