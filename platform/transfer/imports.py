"""Import use cases: upload a file, choose how to read it, map its columns, check it (dry run),
import it (a background job), cancel, list the history, download the refused rows, undo.

Every step asks the permission service: importing needs the import right and the right to create
or edit the object's records, and a run is seen only by the user who started it (and
administrators). The job runs as that user, so the records service applies their rights, field
levels and visibility to every row. The engine (engine.py) does the rows; this module owns the
run's life: its status, its job, the audit log entry.
"""

from __future__ import annotations

import gc
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tessera.core.jobs import Progress, queue_job
from tessera.core.models import Job
from tessera.errors import (
    Conflict,
    ErrorCollector,
    NotFound,
    PermissionDenied,
    TesseraError,
    ValidationFailed,
)
from tessera.records import service as records
from tessera.security import audit
from tessera.security.access import access_for
from tessera.security.actor import Actor

from . import engine, mapping
from .models import ImportBatch, ImportRowError, ImportRun
from .readers import Preview, SourceOptions, file_format, preview
from .tables import write_table
from .values import DATE_ORDERS

#: The largest file accepted (a million rows of 30 columns is about 200 MB of CSV).
MAX_FILE_BYTES = 512 * 1024 * 1024
UNDO_CHUNK = records.MAX_BULK
#: Objects allocated (and not freed) between two young garbage collections while a run imports
#: (Python's default is 700): see `_collecting_seldom`.
GC_YOUNG = 20_000
ACTIVE = (ImportRun.Status.CHECKING, ImportRun.Status.RUNNING, ImportRun.Status.UNDOING)


# --- the run and who may see it ---------------------------------------------------------------


def _require_import(object_api_name: str, actor: Actor) -> Any:
    tenant, obj = records.get_object_meta(object_api_name)
    access_for(actor).require_import(obj)
    return tenant, obj


def actor_user(actor: Actor) -> Any:
    """The user row of `actor` (None for SYSTEM): whom a job runs as."""
    user_id = access_for(actor).user_id
    return get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None


def get_run(run_id: int, actor: Actor, *, object_api_name: str | None = None) -> ImportRun:
    """The run, if `actor` started it (or administers the tenant); else NotFound."""
    run = ImportRun.objects.select_related("job", "created_by").filter(pk=run_id).first()
    access = access_for(actor)
    mine = run is not None and (run.created_by_id == access.user_id or access.superuser)
    if run is None or not mine or (object_api_name and run.object_api_name != object_api_name):
        raise NotFound(_("No such import."), code="unknown_import")
    return run


def import_history(object_api_name: str, actor: Actor, limit: int = 50) -> list[ImportRun]:
    """The object's imports, newest first: an administrator sees everyone's, others their own."""
    _require_import(object_api_name, actor)
    access = access_for(actor)
    runs = ImportRun.objects.filter(object_api_name=object_api_name).select_related("created_by", "undone_by")
    if not access.superuser:
        runs = runs.filter(created_by_id=access.user_id)
    return list(runs.exclude(status=ImportRun.Status.DRAFT)[:limit])


# --- preparing -----------------------------------------------------------------------------------


def start_import(object_api_name: str, file_name: str, content: IO[bytes], actor: Actor) -> ImportRun:
    """Keep the uploaded file and open a run for it (a draft until it is checked or imported)."""
    _require_import(object_api_name, actor)
    size = getattr(content, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ValidationFailed.single("file", "too_large", _("Files up to %(mb)d MB can be imported.")
                                      % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    head = content.read(8)
    content.seek(0)
    fmt = file_format(file_name, head)
    suffix = ".xlsx" if fmt == "xlsx" else ".csv"
    schema = getattr(connection, "schema_name", "public")
    stored = default_storage.save(f"imports/{schema}/{uuid.uuid4().hex}{suffix}", File(content))
    return ImportRun.objects.create(object_api_name=object_api_name, file_name=Path(file_name).name[:255],
                                    file=stored, source={"format": fmt}, created_by_id=access_for(actor).user_id)


def source_options(run: ImportRun, changes: Mapping[str, Any] | None = None) -> SourceOptions:
    source = {**run.source, **{k: v for k, v in (changes or {}).items() if k in ("encoding", "sheet", "header_row")}}
    try:
        header_row = int(source.get("header_row") or 1)
    except (TypeError, ValueError):
        raise ValidationFailed.single("header_row", "invalid", _("The header row is a number.")) from None
    return SourceOptions(format=source.get("format", "csv"), encoding=source.get("encoding") or None,
                         sheet=source.get("sheet") or None, header_row=header_row)


@contextmanager
def local_file(name: str) -> Iterator[str]:
    """A path on this machine for a stored file (a copy when the storage is remote)."""
    try:
        yield default_storage.path(name)
        return
    except NotImplementedError:
        pass
    suffix = Path(name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy, default_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1024 * 1024), b""):
            copy.write(chunk)
        copy.flush()
        yield copy.name


@dataclass
class Prepared:
    run: ImportRun
    preview: Preview
    columns: list[mapping.ColumnMap]


def prepare_import(run_id: int, actor: Actor, source: Mapping[str, Any] | None = None) -> Prepared:
    """Read the file as asked (encoding, sheet, header row): its header and first rows, and a
    mapping of its columns (the run's own, the object's saved one, or a guess)."""
    run = get_run(run_id, actor)
    tenant, obj = _require_import(run.object_api_name, actor)
    options = source_options(run, source)
    with local_file(run.file) as path:
        shown = preview(path, options)
    run.source = {**run.source, "encoding": shown.encoding if options.format == "csv" else None,
                  "sheet": shown.sheet, "header_row": options.header_row}
    if source and source.get("encoding"):
        run.source["encoding"] = source["encoding"]
    headers_changed = [m.get("header") for m in run.mapping] != shown.headers
    if headers_changed:
        run.mapping = [c.as_dict() for c in mapping.guess(shown.headers, tenant, obj, access_for(actor))]
    run.save(update_fields=["source", "mapping"])
    columns = mapping.from_payload(run.mapping, shown.headers)
    return Prepared(run, shown, columns)


def configure_import(run_id: int, actor: Actor, *, columns: Iterable[Mapping[str, Any]],
                     settings: Mapping[str, Any]) -> ImportRun:
    """Set the mapping and the settings (mode, key, date order, 万, duplicates); saves the mapping
    for the object's next import."""
    run = get_run(run_id, actor)
    if run.status in ACTIVE:
        raise Conflict(_("This import is running."), code="import_running")
    tenant, obj = _require_import(run.object_api_name, actor)
    access = access_for(actor)
    headers = [m.get("header", "") for m in run.mapping]
    mapped = mapping.from_payload(columns, headers)
    errors = ErrorCollector()
    mapping.check(mapped, tenant, obj, access, errors)
    clean = _check_settings(settings, mapped, obj, access, errors)
    errors.raise_if_any()
    run.mapping = [c.as_dict() for c in mapped]
    run.settings = clean
    run.dry_run = None
    run.save(update_fields=["mapping", "settings", "dry_run"])
    mapping.save(run.object_api_name, mapped)
    return run


def _check_settings(settings: Mapping[str, Any], mapped: list[mapping.ColumnMap], obj: Any, access: Any,
                    errors: ErrorCollector) -> dict:
    mode = settings.get("mode") or "insert"
    if mode not in engine.MODES:
        errors.add("mode", "invalid", _("Choose insert, update or upsert."))
    key = [k for k in (settings.get("key") or []) if k]
    if isinstance(settings.get("key"), str):
        key = [k for k in str(settings["key"]).split(",") if k]
    mapped_fields = {c.field for c in mapped if c.field}
    if mode != "insert" and not key:
        errors.add("key", "required", _("Choose the field that finds the record to update."))
    for name in key:
        if name not in mapped_fields:
            errors.add("key", "not_mapped", _("The key “%(name)s” is not one of the mapped columns.") % {"name": name})
    if mode == "insert" and not access.can(obj, "create") or mode != "insert" and not access.can(obj, "edit"):
        errors.add("mode", "not_allowed", _("You may not %(mode)s these records.") % {"mode": mode})
    if not mapped_fields:
        errors.add("mapping", "empty", _("Map at least one column to a field."))
    date_order = settings.get("date_order") or "ymd"
    if date_order not in DATE_ORDERS:
        errors.add("date_order", "invalid", _("Choose the order of day, month and year."))
    duplicates = settings.get("duplicates") or "skip"
    if duplicates not in ("skip", "import"):
        errors.add("duplicates", "invalid", _("Choose skip or import for possible duplicates."))
    return {"mode": mode, "key": key, "date_order": date_order, "wan": bool(settings.get("wan")),
            "duplicates": duplicates}


# --- running ---------------------------------------------------------------------------------------


def start_dry_run(run_id: int, actor: Actor) -> ImportRun:
    return _queue(run_id, actor, dry_run=True)


def start_run(run_id: int, actor: Actor) -> ImportRun:
    return _queue(run_id, actor, dry_run=False)


def _queue(run_id: int, actor: Actor, *, dry_run: bool) -> ImportRun:
    run = get_run(run_id, actor)
    _require_import(run.object_api_name, actor)
    if not run.mapping or not run.settings:
        raise ValidationFailed.single("mapping", "required", _("Map the columns first."))
    if run.status in ACTIVE:
        raise Conflict(_("This import is running."), code="import_running")
    if run.status not in (ImportRun.Status.DRAFT, ImportRun.Status.CHECKED):
        raise Conflict(_("This import has run; upload the file again to import it again."), code="import_done")
    with transaction.atomic():
        run.job = queue_job("transfer.import", {"run": run.pk, "dry_run": dry_run}, user=actor_user(actor))
        run.status = ImportRun.Status.CHECKING if dry_run else ImportRun.Status.RUNNING
        run.cancel_requested = False
        run.message = ""
        run.save(update_fields=["job", "status", "cancel_requested", "message"])
    return run


def cancel_import(run_id: int, actor: Actor) -> ImportRun:
    """Ask the run to stop after its current batch; the batches already committed stay."""
    run = get_run(run_id, actor)
    if run.status not in ACTIVE:
        raise Conflict(_("This import is not running."), code="import_not_running")
    ImportRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    run.cancel_requested = True
    return run


def _actor_of(run: ImportRun) -> Actor:
    if run.created_by is None or not run.created_by.is_active:
        raise PermissionDenied(_("The user who started this import is no longer active."), code="inactive_user")
    return run.created_by


def _plan(run: ImportRun, actor: Actor, path: str) -> engine.Plan:
    tenant, obj = _require_import(run.object_api_name, actor)
    headers = [m.get("header", "") for m in run.mapping]
    return engine.compile_plan(tenant, obj, actor, access_for(actor), path=path, source=source_options(run),
                               columns=mapping.from_payload(run.mapping, headers), settings=run.settings)


def import_job(job: Job, progress: Progress) -> dict:
    """The job of a dry run or a run (kind "transfer.import")."""
    run = ImportRun.objects.select_related("created_by").get(pk=job.params["run"])
    dry_run = bool(job.params.get("dry_run"))
    try:
        # Messages of refused rows are read by the user who started the import: in their language.
        with translation.override(getattr(run.created_by, "language", None)), local_file(run.file) as path, \
                _collecting_seldom():
            result = _check(run, path, progress) if dry_run else _import(run, path, progress)
    except TesseraError as exc:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, message=str(exc.message)[:500],
                                                   finished_at=timezone.now())
        return {"error": str(exc.message)}
    except Exception as exc:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, message=str(exc)[:500],
                                                   finished_at=timezone.now())
        raise
    return result


@contextmanager
def _collecting_seldom() -> Iterator[None]:
    """While a run imports, a young garbage collection runs every `GC_YOUNG` objects instead of
    Python's 700. A batch of 1,000 rows keeps tens of thousands of objects alive until it is
    written (cells, payloads, the records service's drafts): at 700 they were traversed again and
    again, some 500 young and a few full collections per 20,000 rows, 5-7% of an import's CPU
    (with the objects of the process's start frozen out of them, core.apps). The few cycles a run
    makes, such as exceptions' tracebacks, are still collected."""
    threshold = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


class _RollBack(Exception):
    pass


def _check(run: ImportRun, path: str, progress: Progress) -> dict:
    plan = _plan(run, _actor_of(run), path)
    total, repeated = engine.first_pass(plan)
    progress.set_total(total)
    counts = {"rows": 0, "inserted": 0, "updated": 0, "skipped": 0, "errors": 0}
    first_errors: list[dict] = []
    cancelled = False
    for batch in engine.read_ahead(plan, engine.batches(plan, 0), repeated):
        if _cancel_requested(run):
            cancelled = True
            break
        outcome = engine.Outcome()
        try:
            with transaction.atomic():
                outcome = engine.process(plan, batch, repeated)
                raise _RollBack
        except _RollBack:
            pass
        finally:
            plan.resolver.rollback()
        _add(counts, outcome)
        for row in outcome.refused[:max(0, engine.FIRST_ERRORS - len(first_errors))]:
            first_errors.append({"row": row.number, "message": "; ".join(row.errors)})
        progress.advance(len(batch))
    result = {**counts, "first_errors": first_errors, "cancelled": cancelled}
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.CHECKED, dry_run=result, rows_total=total,
                                               cancel_requested=False)
    return result


def _cancel_requested(run: ImportRun) -> bool:
    return ImportRun.objects.filter(pk=run.pk, cancel_requested=True).exists()


def _add(counts: dict, outcome: engine.Outcome) -> None:
    counts["rows"] += outcome.rows
    counts["inserted"] += outcome.inserted
    counts["updated"] += outcome.updated
    counts["skipped"] += outcome.skipped
    counts["errors"] += len(outcome.refused)


def _import(run: ImportRun, path: str, progress: Progress) -> dict:
    actor = _actor_of(run)
    plan = _plan(run, actor, path)
    total, repeated = engine.first_pass(plan)
    ImportRun.objects.filter(pk=run.pk).update(rows_total=total, started_at=run.started_at or timezone.now())
    progress.set_total(total)
    run.refresh_from_db()
    if run.rows_done:
        progress.advance(run.rows_done, _("Resuming after row %(count)d.") % {"count": run.rows_done})
    number = ImportBatch.objects.filter(run=run).count()
    cancelled = False
    statistics = records.StatisticsKeeper(run.object_api_name)
    for batch in engine.read_ahead(plan, engine.batches(plan, run.rows_done), repeated):
        if _cancel_requested(run):
            cancelled = True
            break
        number += 1
        try:
            with transaction.atomic():
                outcome = engine.process(plan, batch, repeated)
                _commit_batch(run, number, outcome, plan.resolver.created)
        except BaseException:
            plan.resolver.rollback()
            raise
        plan.resolver.commit()
        statistics.wrote(outcome.inserted)
        progress.advance(len(batch))
    return _finish(run, actor, cancelled)


def _commit_batch(run: ImportRun, number: int, outcome: engine.Outcome, parents: int) -> None:
    ImportBatch.objects.create(run=run, number=number, rows=outcome.rows, created_ids=outcome.created_ids,
                               updated_before=outcome.updated_before)
    ImportRowError.objects.bulk_create([ImportRowError(run=run, row=r.number, cells=_json_cells(r.cells),
                                                       message="; ".join(r.errors)) for r in outcome.refused])
    ImportRun.objects.filter(pk=run.pk).update(
        rows_done=F("rows_done") + outcome.rows, inserted=F("inserted") + outcome.inserted,
        updated=F("updated") + outcome.updated, skipped=F("skipped") + outcome.skipped,
        errors=F("errors") + len(outcome.refused), parents_created=parents)


def _json_cells(cells: list[Any]) -> list[Any]:
    return [c if c is None or isinstance(c, str | int | float | bool) else str(c) for c in cells]


def _finish(run: ImportRun, actor: Actor, cancelled: bool) -> dict:
    run.refresh_from_db()
    if cancelled:
        run.status = ImportRun.Status.CANCELLED
        run.message = ngettext("Cancelled: the %(count)d row of the batches finished before is kept.",
                               "Cancelled: the %(count)d rows of the batches finished before are kept.",
                               run.rows_done) % {"count": run.rows_done}
    else:
        run.status = ImportRun.Status.DONE
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save(update_fields=["status", "message", "finished_at"])
        audit.log(actor, "records.import", target_type="object", target_id=run.object_api_name, detail={
            "import": run.pk, "file": run.file_name, "rows": run.rows_done, "inserted": run.inserted,
            "updated": run.updated, "skipped": run.skipped, "errors": run.errors, "cancelled": cancelled,
            "mode": run.settings.get("mode")})
    return summary(run)


def summary(run: ImportRun) -> dict:
    return {"rows": run.rows_done, "total": run.rows_total, "inserted": run.inserted, "updated": run.updated,
            "skipped": run.skipped, "errors": run.errors, "parents_created": run.parents_created,
            "status": run.status, "message": run.message}


# --- the error file ------------------------------------------------------------------------------


def error_file(run_id: int, actor: Actor, directory: str) -> tuple[str, str]:
    """Write the refused rows (the file's own columns, then why) to a file in `directory`, in the
    format of the upload; returns (path, the name to download it as)."""
    run = get_run(run_id, actor)
    fmt = run.source.get("format", "csv")
    headers = [m.get("header", "") for m in run.mapping]
    path = str(Path(directory) / f"errors-{run.pk}.{fmt}")
    rows = ([*r.cells, r.message] for r in ImportRowError.objects.filter(run=run).order_by("row").iterator())
    write_table([*headers, _("Error")], rows, fmt, path)
    suffix = _("errors")
    return path, f"{Path(run.file_name).stem}-{suffix}.{fmt}"


def open_error_file(run_id: int, actor: Actor) -> tuple[IO[bytes], str]:
    """The error file, open for reading (its temporary copy is unlinked already: it goes away when
    the handle is closed), and the name to download it as."""
    with tempfile.TemporaryDirectory() as directory:
        path, name = error_file(run_id, actor, directory)
        handle = open(path, "rb")  # noqa: SIM115 - the caller closes it (a FileResponse does)
    return handle, name


# --- undo ------------------------------------------------------------------------------------------


def undo_import(run_id: int, actor: Actor) -> ImportRun:
    """Queue the undo: records the run created go to the recycle bin, fields it changed get their
    values back."""
    run = get_run(run_id, actor)
    _require_import(run.object_api_name, actor)
    if run.status not in (ImportRun.Status.DONE, ImportRun.Status.CANCELLED, ImportRun.Status.FAILED):
        raise Conflict(_("Only a finished import can be undone."), code="import_not_finished")
    with transaction.atomic():
        user = actor_user(actor)
        run.job = queue_job("transfer.undo_import", {"run": run.pk}, user=user)
        run.status = ImportRun.Status.UNDOING
        run.undone_by = user
        run.save(update_fields=["job", "status", "undone_by"])
    return run


def undo_job(job: Job, progress: Progress) -> dict:
    """Undo a run, newest batch first (kind "transfer.undo_import"); a record that cannot go back
    (deleted since, or others refer to it and forbid its deletion) is reported, the rest undone."""
    run = ImportRun.objects.select_related("undone_by", "created_by").get(pk=job.params["run"])
    actor = run.undone_by or _actor_of(run)
    with translation.override(getattr(actor, "language", None)):
        return _undo(run, actor, progress)


def _undo(run: ImportRun, actor: Actor, progress: Progress) -> dict:
    batches = list(ImportBatch.objects.filter(run=run).order_by("-number"))
    progress.set_total(sum(len(b.created_ids) + len(b.updated_before) for b in batches))
    deleted = restored = 0
    problems: list[str] = []
    for batch in batches:
        for record_id in batch.created_ids:
            try:
                records.delete_record(run.object_api_name, record_id, actor)
                deleted += 1
            except (NotFound, Conflict, PermissionDenied) as exc:
                problems.append(f"#{record_id}: {exc.message}")
        progress.advance(len(batch.created_ids))
        restored += _restore_values(run.object_api_name, batch.updated_before, actor, problems)
        progress.advance(len(batch.updated_before))
    message = _("%(deleted)d records moved to the recycle bin, %(restored)d records given their values back.") % {
        "deleted": deleted, "restored": restored}
    if problems:
        message += " " + _("%(count)d could not be undone.") % {"count": len(problems)}
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.UNDONE, undone_at=timezone.now(),
                                                   message=message[:500])
        audit.log(actor, "records.import_undo", target_type="object", target_id=run.object_api_name,
                  detail={"import": run.pk, "deleted": deleted, "restored": restored, "problems": len(problems)})
    return {"deleted": deleted, "restored": restored, "problems": problems[:100]}


def _restore_values(object_api_name: str, before: Mapping[str, dict], actor: Actor, problems: list[str]) -> int:
    payloads = [{"id": int(record_id), **values} for record_id, values in before.items()]
    restored = 0
    for start in range(0, len(payloads), UNDO_CHUNK):
        chunk = payloads[start:start + UNDO_CHUNK]
        for payload in chunk:
            try:
                records.update_records(object_api_name, [payload], actor, confirm_duplicates=True)
                restored += 1
            except TesseraError as exc:
                problems.append(f"#{payload['id']}: {exc.message}")
    return restored
