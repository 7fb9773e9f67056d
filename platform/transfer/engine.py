"""The import's batch loop: rows of a file → records, through the records service, batch by batch.

A run reads its file twice. The first pass reads only the key columns: it counts the rows (the
progress bar's total) and finds the keys that appear on more than one row (both rows are errors:
the file contradicts itself, and "the last one wins" would be a silent guess); it keeps 8-byte
hashes of the keys, not the keys, so a million rows cost 8 MB. The second pass works in batches of
`BATCH` rows, each read and its cells parsed a column at a time (values.cell_reader) in a worker
thread while the batch before it is written (read_ahead). Then references are resolved
(references.Resolver), existing records found by the key (update, upsert) and compared with the
rows a column at a time (existing.changes), unchanged rows skipped, and the rest written in one
call of `records.service.create_records` / `update_records` with a result per row (a bad row is
reported, the others written). Each batch commits together with its ImportBatch row (what it
created, the values it replaced) and its refused rows, so:

- a cancel stops between batches and keeps what was committed;
- a rerun after a crash starts after `rows_done`, the rows of committed batches, and never writes
  a row twice;
- undo finds every record the run created or changed.

A dry run does the same work and rolls every batch back, keeping only counts and the first errors.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from operator import itemgetter
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import ErrorCollector, NotFound, ValidationFailed
from tessera.records import service as records
from tessera.records.errors import DuplicatesFound, StaleVersion
from tessera.records.record import Record
from tessera.security.access import RecordAccess
from tessera.security.actor import Actor

from . import existing
from .mapping import ColumnMap
from .readers import SourceOptions, Table, open_table
from .references import Resolver, Unresolved, lookup_target
from .values import CellError, CellReader, ParseOptions, cell_reader

BATCH = records.MAX_BULK
#: Errors a dry run keeps to show (it counts them all).
FIRST_ERRORS = 20
MODES = ("insert", "update", "upsert")


def _name_text(raw: Any) -> str | None:
    """A lookup or user cell → the name it gives (resolved for the whole batch by `_resolve`)."""
    text = "" if raw is None else str(int(raw) if isinstance(raw, float) and raw.is_integer() else raw).strip()
    return text or None


@dataclass(frozen=True)
class Column:
    """A mapped column, compiled: where its cells go and how they are read."""

    index: int
    field: FieldMeta
    target: ObjectMeta | None = None  # a lookup's parent object
    match: FieldMeta | None = None  # the parent's field the cells name
    create_missing: bool = False
    user: bool = False  # the cells name users (owner, user fields)
    #: The cells' reader: values.cell_reader for the field, `_name_text` for names to resolve.
    read: CellReader = _name_text


@dataclass
class Plan:
    tenant: TenantMeta
    obj: ObjectMeta
    actor: Actor
    access: RecordAccess
    source: SourceOptions
    columns: list[Column]
    mode: str
    key: list[FieldMeta]
    parse: ParseOptions
    confirm_duplicates: bool
    path: str
    #: The key as the records service's `upsert_on` takes it (a unique field, or several), when the
    #: importer may create records too: updates are then written in one batched call.
    upsert_on: tuple[str, ...] = ()
    resolver: Resolver = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.tenant, self.actor)

    @property
    def key_columns(self) -> list[int]:
        by_field = {c.field.api_name: c.index for c in self.columns}
        return [by_field[f.api_name] for f in self.key if f.api_name in by_field]


@dataclass(slots=True)  # a million of them in a large file's run
class Row:
    number: int  # the row's number in the sheet (the header is row 1 by default)
    cells: list[Any]
    payload: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    record_id: int | None = None


@dataclass
class Outcome:
    """What a batch did (or, in a dry run, would have done)."""

    rows: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    created_ids: list[int] = field(default_factory=list)
    updated_before: dict[str, dict] = field(default_factory=dict)
    refused: list[Row] = field(default_factory=list)


def numbered_rows(table: Table) -> Iterator[tuple[int, list[Any]]]:
    first = table.options.header_row + 1
    return ((first + i, cells) for i, cells in enumerate(table.rows()))


def key_hash(cells: Sequence[Any], key_columns: Sequence[int]) -> int | None:
    """8 bytes of the row's key as text (None when a part is blank): each part made text once."""
    parts = ["" if cells[i] is None else str(cells[i]).strip() for i in key_columns]
    if "" in parts:
        return None
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def first_pass(plan: Plan) -> tuple[int, frozenset[int]]:
    """The number of data rows and the hashes of keys found on more than one row."""
    hashes = array("q")
    count = 0
    key_columns = plan.key_columns
    with open_table(plan.path, plan.source) as table:
        for cells in table.rows():
            count += 1
            if key_columns:
                h = key_hash(cells, key_columns)
                if h is not None:
                    hashes.append(h)
    repeated: set[int] = set()
    previous = None
    for h in sorted(hashes):
        if h == previous:
            repeated.add(h)
        previous = h
    return count, frozenset(repeated)


def batches(plan: Plan, skip: int) -> Iterator[list[Row]]:
    """The data rows after the first `skip`, in batches."""
    with open_table(plan.path, plan.source) as table:
        batch: list[Row] = []
        for position, (number, cells) in enumerate(numbered_rows(table)):
            if position < skip:
                continue
            batch.append(Row(number, cells))
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


# --- one batch ---------------------------------------------------------------------------------


class Prepared(list):
    """A batch whose cells are parsed already (prepare; read_ahead)."""


def prepare(plan: Plan, rows: list[Row], repeated: frozenset[int]) -> Prepared:
    """The part of a batch's work that needs no database: its cells parsed, and its rows whose key
    the file repeats refused."""
    key_columns = plan.key_columns
    _parse(plan, rows)
    for row in rows:
        if repeated and key_hash(row.cells, key_columns) in repeated:
            row.errors.append(_("Another row of the file has the same %(key)s.")
                              % {"key": " + ".join(f.label(get_language()) for f in plan.key)})
    return Prepared(rows)


def read_ahead(plan: Plan, batches: Iterator[list[Row]], repeated: frozenset[int]) -> Iterator[list[Row]]:
    """`batches`, each read from the file and prepared in a worker thread while the caller writes
    the one before: the next batch's reading and parsing (a quarter of a batch's work in this
    process) then takes the time this process would spend waiting for PostgreSQL to write the
    rows. The same batches, in order, with the same errors, in the caller's language; an error of
    the file comes out where the caller reaches it. One batch is read ahead at most."""
    language = get_language()
    ahead: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            with translation.override(language):
                for rows in batches:
                    if not hand_over(prepare(plan, rows, repeated)):
                        return
            hand_over(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, which raises it
            hand_over(exc)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()  # the file, when the caller stopped early

    reader = threading.Thread(target=read, name="tessera-import-read", daemon=True)
    reader.start()
    try:
        while True:
            item = ahead.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


_END = object()


def process(plan: Plan, rows: list[Row], repeated: frozenset[int]) -> Outcome:
    """Parse (unless read_ahead did), resolve and write one batch (inside the caller's transaction)."""
    outcome = Outcome(rows=len(rows))
    if not isinstance(rows, Prepared):
        rows = prepare(plan, rows, repeated)
    _resolve(plan, [r for r in rows if not r.errors])
    good = [r for r in rows if not r.errors]
    updates: list[Row] = []
    creates = good
    if plan.mode != "insert":
        creates, updates = _match_existing(plan, good, outcome)
    _write_creates(plan, creates, outcome)
    _write_updates(plan, updates, outcome)
    outcome.refused = [r for r in rows if r.errors]
    return outcome


def _parse(plan: Plan, rows: list[Row]) -> None:
    """Cells → payload values, a column at a time (one reader call per cell in a comprehension; a
    batch has 1,000 rows). A cell that cannot be read is its row's error, in the order of the
    columns, and leaves its field out of the payload."""
    language = get_language()
    names = [c.field.api_name for c in plan.columns]
    cells = [r.cells for r in rows]
    columns = [list(map(c.read, map(itemgetter(c.index), cells))) for c in plan.columns]
    if columns:
        for row, cells_read in zip(rows, zip(*columns, strict=True), strict=True):
            row.payload = dict(zip(names, cells_read, strict=True))
    for column, values in zip(plan.columns, columns, strict=True):
        if not any(issubclass(kind, CellError) for kind in set(map(type, values))):
            continue  # most columns of most batches: no cell to look at
        for position in [i for i, value in enumerate(values) if isinstance(value, CellError)]:
            row = rows[position]
            row.errors.append(f"{column.field.label(language)}: {values[position].message}")
            del row.payload[column.field.api_name]


def _resolve(plan: Plan, rows: list[Row]) -> None:
    for column in plan.columns:
        if column.target is None and not column.user:
            continue
        name = column.field.api_name
        texts = {r.payload[name] for r in rows if r.payload.get(name)}
        if not texts:
            continue
        if column.user:
            found = plan.resolver.users(texts)
        else:
            assert column.target is not None and column.match is not None
            found = plan.resolver.records(column.target, column.match, texts, create_missing=column.create_missing)
        for row in rows:
            text = row.payload.get(name)
            if not text:
                continue
            value = found.get(text)
            if isinstance(value, Unresolved) or value is None:
                row.errors.append(f"{column.field.label(get_language())}: {value.message if value else text}")
            else:
                row.payload[name] = value


def _match_existing(plan: Plan, rows: list[Row], outcome: Outcome) -> tuple[list[Row], list[Row]]:
    """Split rows into records to create and records to update (found by the key); skip rows
    that would change nothing."""
    keyed: dict[tuple, list[Row]] = {}
    for row in rows:
        key = existing.key_of(plan.key, row.payload)
        if key is None:
            row.errors.append(_("%(key)s is blank: it finds the record to update.")
                              % {"key": " + ".join(f.label(get_language()) for f in plan.key)})
            continue
        keyed.setdefault(key, []).append(row)
    found = existing.find(plan.obj, plan.key, list(keyed), plan.actor,
                          fields=sorted({c.field.api_name for c in plan.columns}))
    creates: list[Row] = []
    matched: list[tuple[Record, Row]] = []
    for key, key_rows in keyed.items():
        match = found.get(key)
        for row in key_rows:
            if match is None and plan.mode == "update":
                row.errors.append(_("No record has this %(key)s.") % {"key": " + ".join(f.label(get_language()) for f in plan.key)})
            elif match is None:
                creates.append(row)
            elif isinstance(match, Unresolved):
                row.errors.append(match.message)
            else:
                matched.append((match, row))
    updates: list[Row] = []
    compared = existing.changes(plan.obj, [(match, row.payload) for match, row in matched])
    for (match, row), (changed, before) in zip(matched, compared, strict=True):
        if not changed:
            outcome.skipped += 1
            continue
        row.record_id = match.id
        identity = {f.api_name: row.payload[f.api_name] for f in plan.key} if plan.upsert_on else {"id": match.id}
        row.payload = {**changed, **identity}
        outcome.updated_before[str(match.id)] = before
        updates.append(row)
    return creates, updates


def _write_creates(plan: Plan, rows: list[Row], outcome: Outcome) -> None:
    if not rows:
        return
    payloads = [r.payload for r in rows]
    for row, result in zip(rows, _write(records.create_records, plan, payloads), strict=True):
        if isinstance(result, str):
            row.errors.append(result)
        else:
            outcome.inserted += 1
            outcome.created_ids.append(result[0])


def _write_updates(plan: Plan, rows: list[Row], outcome: Outcome) -> None:
    """Updates: by the key in one batched upsert where the key allows it, else by id."""
    if not rows:
        return
    use_case = partial(records.create_records, upsert_on=plan.upsert_on) if plan.upsert_on else records.update_records
    for row, result in zip(rows, _write(use_case, plan, [r.payload for r in rows]), strict=True):
        if isinstance(result, str):
            row.errors.append(result)
            outcome.updated_before.pop(str(row.record_id), None)
        elif result[1]:  # the record went away since it was found: made again
            outcome.updated_before.pop(str(row.record_id), None)
            outcome.inserted += 1
            outcome.created_ids.append(result[0])
        else:
            outcome.updated += 1


WriteAnswer = tuple[int, bool] | str  # (the record's id, whether it was created), or why the row was refused


def _write(use_case: Callable, plan: Plan, payloads: list[dict]) -> list[WriteAnswer]:
    """Write rows per row; a batch the service refuses as a whole (one row, or a race on a unique
    value) is retried row by row, each in its own savepoint."""
    try:
        with transaction.atomic():
            if len(payloads) == 1:
                raise _OneRow
            results = use_case(plan.obj.api_name, payloads, plan.actor, all_or_nothing=False,
                               confirm_duplicates=plan.confirm_duplicates, represent=False)
    except (_OneRow, ValidationFailed, DuplicatesFound, StaleVersion, NotFound):
        return [_write_one(use_case, plan, payload) for payload in payloads]
    answers: list[WriteAnswer] = []
    for result in results:
        if result.record_id is not None:
            answers.append((result.record_id, result.created))
        elif result.duplicates:
            answers.append(_duplicates_message(result.duplicates))
        else:
            answers.append(_messages(plan.obj, result.errors))
    return answers


class _OneRow(Exception):
    """A one-row write raises its errors instead of returning them: written on its own."""


def _write_one(use_case: Callable, plan: Plan, payload: dict) -> WriteAnswer:
    try:
        with transaction.atomic():
            results = use_case(plan.obj.api_name, [payload], plan.actor, all_or_nothing=True,
                               confirm_duplicates=plan.confirm_duplicates, represent=False)
    except DuplicatesFound as exc:
        return _duplicates_message(exc.matches)
    except ValidationFailed as exc:
        collector = ErrorCollector()
        collector.extend(exc)
        return _messages(plan.obj, collector)
    except (StaleVersion, NotFound) as exc:
        return str(exc.message)
    record_id = results[0].record_id
    if record_id is None:
        return _("Not saved.")
    return record_id, results[0].created


def _duplicates_message(matches: list[dict]) -> str:
    names = ", ".join(str(m.get("name") or f"#{m.get('id')}") for m in matches[:3])
    return _("Looks like a record that exists: %(names)s (choose “import possible duplicates” to import "
             "it anyway).") % {"names": names}


def _messages(obj: ObjectMeta, errors: ErrorCollector | None) -> str:
    if not errors:
        return _("Not saved.")
    parts = []
    for name, details in errors.field_errors.items():
        field_meta = obj.field(name)
        label = field_meta.label(get_language()) if field_meta is not None else name
        parts += [f"{label}: {d.message}" for d in details]
    parts += [str(d.message) for d in errors.non_field_errors]
    return "; ".join(parts)


def compile_plan(tenant: TenantMeta, obj: ObjectMeta, actor: Actor, access: RecordAccess, *, path: str,
                 source: SourceOptions, columns: Sequence[ColumnMap], settings: dict) -> Plan:
    compiled = []
    for c in columns:
        f = obj.field(c.field) if c.field else None
        if f is None:
            continue
        target = lookup_target(tenant, f)
        match = None
        if target is not None:
            match = target.field(c.match or target.name_field)
        compiled.append(Column(c.column, f, target=target, match=match, create_missing=c.create_missing,
                               user=f.type.is_reference and target is None))
    key = [f for f in (obj.field(name) for name in settings.get("key") or []) if f is not None]
    options = ParseOptions(date_order=settings.get("date_order", "ymd"), wan=bool(settings.get("wan")))
    compiled = [c if c.target is not None or c.user else replace(c, read=cell_reader(c.field, options))
                for c in compiled]
    batched = (len(key) > 1 or (len(key) == 1 and key[0].unique)) and access.can(obj, "create")
    return Plan(tenant=tenant, obj=obj, actor=actor, access=access, source=source, columns=compiled,
                mode=settings.get("mode", "insert"), key=key, parse=options,
                confirm_duplicates=settings.get("duplicates") == "import", path=path,
                upsert_on=tuple(f.api_name for f in key) if batched else ())
