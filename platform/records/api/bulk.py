"""Rendering of bulk writes (create or update up to 1,000 records in one call).

All or nothing (the default): every row is valid and written, or nothing is and the answer is a
400 with the errors of each bad row (`rows`), or a 409 listing possible duplicates per row. Per row:
each valid row is written and each row gets a result, {"index", "id", "status": "created" |
"updated" | "error" | "duplicate", "errors", "non_field_errors", "duplicates", "record"}; the
answer is 200 when every row was written, 207 otherwise. A create with `upsert_on` updates the
rows whose key a record holds ("updated"). `return=minimal` leaves the records out (ids, statuses
and errors only: a tenth of the bytes).

The service treats a one-row call as a single write (its errors are raised as such); here a bulk
call answers in the bulk shape whatever its number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from tessera.errors import ErrorCollector, NotFound, ValidationFailed
from tessera.records.errors import BulkRejected, DuplicatesFound, StaleVersion
from tessera.records.serialize import readable_fields, record_json
from tessera.security.actor import Actor

if TYPE_CHECKING:
    from metadata.meta import FieldMeta
    from tessera.records.record import Record


#: Errors on these names are about the call, never one of its rows.
REQUEST_PARAMETERS = frozenset({"upsert_on"})


def bulk_response(use_case: Callable, object_api_name: str, rows: list, actor: Actor, *, per_row: bool,
                  confirm_duplicates: bool, created: bool, minimal: bool = False,
                  **options: Any) -> tuple[dict[str, Any], int]:
    """`options`: more keyword arguments of the use case (a create's `upsert_on`)."""
    try:
        results = use_case(object_api_name, rows, actor, all_or_nothing=not per_row,
                           confirm_duplicates=confirm_duplicates, represent=not minimal, **options)
    except (ValidationFailed, DuplicatesFound, StaleVersion, NotFound) as exc:
        row = _single_row_error(exc, rows)
        if row is None:
            raise
        if not per_row:
            if isinstance(row, list):
                raise DuplicatesFound([{"index": 0, "matches": row}]) from None
            raise BulkRejected([(0, row)], 1) from None
        if isinstance(row, list):
            failed = _row(0, rows[0], None, None, None, row, None, created)
        else:
            failed = _row(0, rows[0], None, None, row, [], None, created)
        return _summarise({"results": [failed]}), 207

    fields = None
    out = []
    for result in results:
        record = result.record  # None for return=minimal: ids only
        if record is not None and fields is None:
            fields = readable_fields(record.object, actor)
        out.append(_row(result.index, rows[result.index], result.record_id, record, result.errors, result.duplicates,
                        fields, result.created if created else False))
    body = _summarise({"results": out})
    if not per_row:
        return body, 201 if all(r["status"] == "created" for r in out) else 200
    return body, 200 if all(r["status"] in ("created", "updated") for r in out) else 207


def _single_row_error(exc: ValidationFailed | DuplicatesFound | StaleVersion | NotFound, rows: list) -> ErrorCollector | list | None:
    """A one-row call's error as that row's errors (or its duplicate matches), None when the error
    is not about the row (unknown object, too many rows…)."""
    if len(rows) != 1 or isinstance(exc, BulkRejected):
        return None
    if isinstance(exc, ValidationFailed) and REQUEST_PARAMETERS & set(exc.field_errors):
        return None  # about the call (a key to upsert on that is not one), not the row
    if isinstance(exc, DuplicatesFound):
        return list(exc.matches)
    errors = ErrorCollector()
    if isinstance(exc, StaleVersion):
        errors.add("version", exc.code, str(exc.message))
    elif isinstance(exc, NotFound):
        if exc.code != "unknown_record":
            return None
        errors.add("id", exc.code, str(exc.message))
    else:
        errors.extend(exc)
    return errors


def _row(index: int, payload: object, record_id: int | None, record: Record | None, errors: ErrorCollector | None,
         duplicates: list, fields: list[FieldMeta] | None, created: bool) -> dict:
    if record_id is not None:
        row: dict[str, Any] = {"index": index, "id": record_id, "status": "created" if created else "updated"}
        if record is not None and fields is not None:  # None: return=minimal
            row["record"] = record_json(record, fields)
        return row
    row = {"index": index, "id": _given_id(payload) if not created else None}
    if duplicates and not errors:
        return {**row, "status": "duplicate", "duplicates": duplicates}
    errors = errors or ErrorCollector()
    return {**row, "status": "error",
            "errors": {name: [d.as_dict() for d in details] for name, details in errors.field_errors.items()},
            "non_field_errors": [d.as_dict() for d in errors.non_field_errors]}


def _given_id(payload: object) -> int | None:
    if isinstance(payload, Mapping):
        try:
            return int(payload.get("id"))  # type: ignore[arg-type]  # None: TypeError below
        except (TypeError, ValueError):
            return None
    return None


def _summarise(body: dict) -> dict:
    counts: dict[str, int] = {}
    for row in body["results"]:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    body["counts"] = counts
    return body
