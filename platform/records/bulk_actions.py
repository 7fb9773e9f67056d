"""An action over every record a list's filters match ("all N matching", not just the rows on the
page): delete, give to another owner (with their related records), or set a field — run as a
background job (`records.bulk_action`) by a Celery worker, with progress on the job row.

Each record goes through the same use case as when it is changed on its own (rights, validation,
history, audit), as the user who asked: the records are those the user may read that match the
filters when the job runs; a record they may read but not change is reported with the reason,
never skipped in silence. The result keeps the counts and the first errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from metadata.meta import ObjectMeta
from tessera.core.jobs import Progress, queue_job
from tessera.core.models import Job
from tessera.errors import ErrorCollector, NotFound, PermissionDenied, TesseraError, ValidationFailed
from tessera.security import services as security
from tessera.security.access import access_for
from tessera.security.actor import Actor
from tessera.security.services.common import get_user

from . import service

KIND = "records.bulk_action"
ACTIONS = {"delete": "delete", "owner": "edit", "field": "edit"}
#: Records one job may act on (as many as a reassignment by filter).
MAX_RECORDS = 50_000
#: Records written per call of the record service (and per progress step).
CHUNK = 100
#: Errors kept in the job's result, in the order met.
FIRST_ERRORS = 50


def queue_bulk_action(object_api_name: str, actor: Actor, *, action: str, filters: Sequence[tuple[str, Any]],
                      field: str | None = None, value: Any = None, to: Any = None, children: bool = False,
                      language: str | None = None) -> Job:
    """Check what can be checked now (rights, the field, the new owner, the filters and how many
    records they match) and queue the job; it runs as `actor` after the caller's commit."""
    _tenant, obj = service.get_object_meta(object_api_name)
    access = access_for(actor)
    if action not in ACTIONS:
        raise ValidationFailed.single("action", "invalid_action", _("Choose an action."))
    access.require(obj, ACTIONS[action])
    if access.user_id is None:
        raise PermissionDenied(_("A bulk action runs as the user who asks for it."), code="not_a_user")
    errors = ErrorCollector()
    if action == "field":
        target = obj.field(field or "")
        if target is None or not access.readable(obj, target):
            errors.add("field", "unknown_field", _("Choose a field."))
        elif not target.writable or not access.editable(obj, target):
            errors.add("field", "read_only", _("This field cannot be changed."))
    if action == "owner":
        get_user(to, field="to", errors=errors, active=True)
    errors.raise_if_any()
    filters = [(str(key), value_) for key, value_ in filters]
    total = service.list_records(object_api_name, actor, filters=filters, limit=1, fields=[obj.name_field],
                                 count=True).total or 0
    if not total:
        raise ValidationFailed.single(None, "nothing_matches", _("No record matches these filters."))
    if total > MAX_RECORDS:
        raise ValidationFailed.single(None, "too_many", _("More than %(n)d records match; narrow the filters.")
                                      % {"n": MAX_RECORDS})
    params = {"object": object_api_name, "action": action, "filters": [list(f) for f in filters], "field": field,
              "value": value, "to": to, "children": bool(children), "language": language, "matched": total}
    return queue_job(KIND, params, user=actor)  # type: ignore[arg-type]  # a user: require() refused others


def bulk_job(job_id: Any, actor: Actor) -> Job:
    """A bulk job of `actor`'s own (someone else's is not found: its result names their records)."""
    try:
        job = Job.objects.filter(pk=int(job_id), kind=KIND).first()
    except (TypeError, ValueError):
        job = None
    if job is None or job.created_by_id is None or job.created_by_id != access_for(actor).user_id:
        raise NotFound(_("No such job."), code="unknown_job")
    return job


def bulk_action_job(job: Job, progress: Progress) -> dict:
    """The job kind: find the records, act on them a chunk at a time, report each one."""
    params = job.params
    user = job.created_by
    if user is None or not user.is_active:
        raise PermissionDenied(_("The user who asked for this is no longer active."))
    with translation.override(params.get("language") or None):
        _tenant, obj = service.get_object_meta(params["object"])
        found = list(_matching(obj, params["filters"], user))
        progress.set_total(len(found))
        act = _action(obj, params, user)
        done, failed = 0, 0
        first: list[dict] = []
        for start in range(0, len(found), CHUNK):
            chunk = found[start:start + CHUNK]
            problems = act([record_id for record_id, _name in chunk])
            for record_id, name in chunk:
                if record_id in problems:
                    failed += 1
                    if len(first) < FIRST_ERRORS:
                        first.append({"id": record_id, "name": name, "message": problems[record_id]})
                else:
                    done += 1
            progress.advance(len(chunk))
    return {"done": done, "failed": failed, "errors": first}


def _matching(obj: ObjectMeta, filters: list, user: Actor) -> Iterator[tuple[int, str | None]]:
    """(id, name) of the records the user may read that match, by id (a stable order while the
    records change under the action)."""
    cursor = None
    seen = 0
    while True:
        page = service.list_records(obj.api_name, user, filters=[tuple(f) for f in filters], sort=["id"],
                                    limit=service.MAX_PAGE, cursor=cursor, fields=[obj.name_field])
        for record in page.records:
            assert record.id is not None
            yield record.id, record.name
            seen += 1
        cursor = page.next_cursor
        if cursor is None or seen >= MAX_RECORDS:
            return


def _action(obj: ObjectMeta, params: dict, user: Actor) -> Callable[[list[int]], dict[int, str]]:
    """The action as a function: ids → {id: why it was not done}."""
    name = obj.api_name
    if params["action"] == "field":
        return lambda ids: _set_field(name, ids, params["field"], params["value"], user)
    if params["action"] == "owner":
        children = [child.api_name for child, _lookup in service.lookups_to(service.get_object_meta(name)[0], obj)] \
            if params.get("children") else []
        return lambda ids: _each(ids, lambda i: security.reassign_records(name, user, to=params["to"], record_id=i,
                                                                          children=children))
    return lambda ids: _each(ids, lambda i: service.delete_record(name, i, user))


def _each(ids: list[int], act: Callable[[int], object]) -> dict[int, str]:
    problems = {}
    for record_id in ids:
        try:
            act(record_id)
        except TesseraError as exc:
            problems[record_id] = _message(exc)
    return problems


def _set_field(object_api_name: str, ids: list[int], field: str, value: Any, user: Actor) -> dict[int, str]:
    """One update call per chunk, row by row (a bad row does not stop the others)."""
    payloads = [{"id": i, field: None if value == "" else value} for i in ids]
    try:
        results = service.update_records(object_api_name, payloads, user, all_or_nothing=False,
                                         confirm_duplicates=True, represent=False)
    except TesseraError as exc:  # one row (raised as for a single record) or the whole call refused
        return {i: _message(exc) for i in ids}
    return {ids[r.index]: _message(r.errors) for r in results if r.errors}


def _message(error: TesseraError | ErrorCollector) -> str:
    """What went wrong with one record, as one sentence or a few."""
    if isinstance(error, ErrorCollector | ValidationFailed):
        details = [d for found in error.field_errors.values() for d in found] + list(error.non_field_errors)
        return " ".join(str(d.message) for d in details) or _("Not valid.")
    return str(error.message)
