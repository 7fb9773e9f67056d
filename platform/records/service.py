"""Record use cases: create, read, list, update, delete, restore. Every entry point (API, bulk API,
UI, imports) calls these; they own the transaction, ask the permission service, run the write
pipeline, write history and send events after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from psycopg2 import sql

from metadata.cache import get_meta
from metadata.formula_scope import MetaScope
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import Conflict, ErrorCollector, NotFound, PermissionDenied, ValidationFailed
from tessera.security import audit
from tessera.security.access import RecordAccess, access_for
from tessera.security.actor import Actor
from tessera.security.repository import visible_ids

from . import history, indexing, lookup_filters, pipeline, repository, upsert
from .cursor import decode_cursor, encode_cursor
from .draft import Draft
from .duplicates import blocking_message, find_duplicates
from .errors import BulkRejected, DuplicatesFound, StaleVersion
from .filters import filter_conditions, split_key
from .query import RecordQuery
from .record import Record
from .signals import records_changed

MAX_BULK = 1000
MAX_PAGE = 200
DEFAULT_PAGE = 50
#: Counts are exact up to this many records; beyond, a list says "10,000+" (Page.count_capped).
#: Never an estimate: the planner's statistics count every record, and so would reveal the size of
#: what the reader may not see.
COUNT_LIMIT = 10_000


# --- reading -----------------------------------------------------------------------------------


def get_object_meta(object_api_name: str, tenant: TenantMeta | None = None) -> tuple[TenantMeta, ObjectMeta]:
    tenant = tenant or get_meta()
    obj = tenant.object(object_api_name)
    if obj is None:
        raise NotFound(_("No object named “%(name)s”.") % {"name": object_api_name}, code="unknown_object")
    return tenant, obj


def readable_fields(obj: ObjectMeta, access: RecordAccess) -> list[FieldMeta]:
    return [f for f in obj.fields if access.readable(obj, f)]


def load_record(tenant: TenantMeta, obj: ObjectMeta, record_id: int, *, access: RecordAccess | None = None,
                action: str = "read", include_deleted: bool = False, expand: Sequence[FieldMeta] = (),
                for_update: bool = False) -> Record | None:
    """One record by id (computed fields included), or None when absent or not visible to `access`."""
    predicate = access.row_predicate(obj, action, "r") if access is not None else None
    return repository.load_record(tenant, obj, record_id, predicate=predicate, visibility=_visibility(access, tenant),
                                  include_deleted=include_deleted, expand=expand, for_update=for_update)


def _visibility(access: RecordAccess | None,
                tenant: TenantMeta) -> Callable[[ObjectMeta, str], sql.Composable | None] | None:
    """The reader's row predicate for records reached through lookups (expanded names, filters)."""
    if access is None or access.superuser:
        return None
    return lambda target, alias: access.row_predicate(target, "read", alias, tenant)


def _hidden_path(tenant: TenantMeta, obj: ObjectMeta, path: tuple[str, ...], access: RecordAccess) -> bool:
    """Whether a filter path (`account.industry`) crosses a field the reader may not see."""
    try:
        chain = MetaScope(tenant, obj).walk(path) if len(path) > 1 else [obj.field(path[0])]
    except Exception:  # an unknown path: filter_conditions reports it
        return False
    current = obj
    for f in chain:
        if f is None:
            return False
        if not access.readable(current, f):
            return True
        target = f.type.target(f)
        reached = tenant.objects.get(target) if target is not None else current
        if reached is None:
            return False
        current = reached
    return False


def get_record(object_api_name: str, record_id: int, actor: Actor, *, expand: Iterable[str] = (),
               include_deleted: bool = False) -> Record:
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "read")
    record = load_record(tenant, obj, record_id, access=access, include_deleted=include_deleted,
                         expand=_expand_fields(obj, expand, access))
    if record is None:
        raise NotFound(_("No such record."), code="unknown_record")
    return record


def _expand_fields(obj: ObjectMeta, names: Iterable[str], access: RecordAccess) -> list[FieldMeta]:
    fields = []
    for name in names:
        f = obj.field(name)
        if f is None or f.type.target(f) is None or not access.readable(obj, f):
            raise ValidationFailed.single("expand", "invalid_expand", _("“%(name)s” is not a lookup field.")
                                          % {"name": name})
        fields.append(f)
    return fields


@dataclass
class Page:
    records: list[Record]
    next_cursor: str | None
    fields: list[FieldMeta]
    total: int | None = None
    expand: list[FieldMeta] = field(default_factory=list)
    #: More than COUNT_LIMIT records match: `total` is COUNT_LIMIT.
    count_capped: bool = False


def list_records(object_api_name: str, actor: Actor, *, filters: Sequence[tuple[str, object]] = (),
                 sort: Sequence[str] = (), limit: int = DEFAULT_PAGE, cursor: str | None = None,
                 fields: Sequence[str] | None = None, expand: Iterable[str] = (), count: bool = False,
                 deleted: str | bool = False, guard_sort: bool = False, name_prefix: str = "") -> Page:
    """A keyset page of the records `actor` may see, filtered and sorted in SQL.

    The statement is built from parts, as DRF builds a list from its filter backends and its
    paginator: the filters' conditions (with the reader's row predicate over every record they
    reach through a lookup), the permission service's row predicate, and the cursor's condition.
    `guard_sort` (the API and list pages, where anyone chooses the sort): refuse to sort a large
    object on a field without an index (callers with a fixed, selective filter, such as a related
    list, leave it off). `name_prefix`: only records whose name, or its pinyin or initials, starts
    with it (a list's search box, like global search)."""
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "read")
    errors = ErrorCollector()
    selected = _page_fields(obj, access, fields, limit, errors)
    query = RecordQuery(tenant, obj)
    query.visibility = _visibility(access, tenant)  # before any path joins (filters, sorts, formulas)
    filtered = _filter_part(query, filters, access, errors)
    if name_prefix.strip():
        filtered.append(query.name_starts_with(name_prefix))
    terms = _sort_part(query, sort, access, errors, guard=guard_sort)
    expand_fields = []
    if not errors:
        try:
            expand_fields = _expand_fields(obj, expand, access)
        except ValidationFailed as exc:
            errors.extend(exc)
    errors.raise_if_any()
    include_deleted = "only" if deleted else False  # the recycle bin only, counted as it is listed
    branches = access.row_branches(obj, "read", "r", tenant) or []
    permission: list[sql.Composable] = (
        [access.row_predicate(obj, "read", "r", tenant)] if branches else [])  # type: ignore[list-item]
    total, capped = None, False
    if count:  # with several branches, counted with their OR; never more than COUNT_LIMIT + 1 rows read
        counted = repository.count_records(query.count(where=[*filtered, *permission], include_deleted=include_deleted,
                                                       limit=COUNT_LIMIT + 1), query.params())
        total, capped = min(counted, COUNT_LIMIT), counted > COUNT_LIMIT
    where = [*filtered, *(permission if len(branches) == 1 else []), *_cursor_part(query, cursor, terms)]
    if len(branches) > 1:
        where.append(query.any_of(branches, terms, int(limit) + 1, where=where, include_deleted=include_deleted))
    statement = query.select(selected, where=where, expand=expand_fields, order=terms, limit=int(limit) + 1,
                             include_deleted=include_deleted)
    records = repository.fetch_records(obj, statement, query.params(), computed=selected, expand=expand_fields)
    next_cursor = None
    if len(records) > limit:
        records = records[:limit]
        next_cursor = encode_cursor(terms, records[-1])
    return Page(records=records, next_cursor=next_cursor, fields=selected, total=total, expand=expand_fields,
                count_capped=capped)


@dataclass(frozen=True)
class GroupTotal:
    count: int
    total: Any  # the sum of the summed field (None without one, or when every value is blank)


def group_totals(object_api_name: str, actor: Actor, by: str, *, total: str | None = None,
                 filters: Sequence[tuple[str, object]] = ()) -> dict[Any, GroupTotal]:
    """value of `by` → how many records the actor may see hold it, and the sum of `total` over them
    (a board's column headers): one grouped statement under the reader's row predicate."""
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "read")
    errors = ErrorCollector()
    fields = {}
    for key, name in (("by", by), ("total", total)):
        found = obj.field(name) if name else None
        if name and (found is None or not access.readable(obj, found)):
            errors.add(key, "unknown_field", _("No field “%(name)s”.") % {"name": name})
        elif key == "total" and found is not None and not found.type.value_type(found).summable:
            errors.add(key, "invalid", _("“%(name)s” cannot be summed.") % {"name": name})
        fields[key] = found
    query = RecordQuery(tenant, obj)
    query.visibility = _visibility(access, tenant)
    filtered = _filter_part(query, filters, access, errors) if not errors else []
    errors.raise_if_any()
    predicate = access.row_predicate(obj, "read", "r", tenant)
    statement = query.group_totals(fields["by"], fields["total"],  # type: ignore[arg-type]  # checked above
                                   where=[*filtered, *([predicate] if predicate is not None else [])])
    return {value: GroupTotal(count, summed) for value, count, summed in repository.fetch_rows(statement, query.params())}


def _page_fields(obj: ObjectMeta, access: RecordAccess, names: Sequence[str] | None, limit: int,
                 errors: ErrorCollector) -> list[FieldMeta]:
    """The fields a page shows: those asked for (all the reader may read by default)."""
    if not 1 <= int(limit) <= MAX_PAGE:
        errors.add("limit", "invalid", _("Between 1 and %(max)d.") % {"max": MAX_PAGE})
    selected = readable_fields(obj, access)
    if names:
        by_name = {f.api_name: f for f in selected}
        unknown = [name for name in names if name not in by_name]
        if unknown:
            errors.add("fields", "unknown_field", _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)})
        selected = [by_name[n] for n in names if n in by_name]
    return selected


def _filter_part(query: RecordQuery, filters: Sequence[tuple[str, object]], access: RecordAccess,
                 errors: ErrorCollector) -> list[sql.Composable]:
    """The filters' conditions, and the reader's row predicate over every record they reach through
    a lookup, so a filter through a lookup only matches through records the reader may see. A path
    crossing a field the reader may not see is an unknown field."""
    tenant, obj = query.tenant, query.obj
    filters = list(filters)
    for key, _value in filters:
        name = split_key(key)[0]
        if _hidden_path(tenant, obj, tuple(name.split(".")), access):
            errors.add(key, "unknown_field", _("No field “%(name)s”.") % {"name": name})
    if errors:
        return []
    conditions = filter_conditions(query, filters, errors)
    if errors or access.superuser:
        return conditions
    for key, _value in filters:
        for join_alias, target in query.joined(tuple(split_key(key)[0].split("."))):
            join_predicate = access.row_predicate(target, "read", join_alias, tenant)
            if join_predicate is not None and join_predicate not in conditions:
                conditions.append(join_predicate)
    return conditions


def _sort_part(query: RecordQuery, sort: Sequence[str], access: RecordAccess, errors: ErrorCollector, *,
               guard: bool = False) -> list:
    """The page's order (newest first by default), ending with the id; never by a hidden field, and
    (`guard`) never by a field without an index on a large object."""
    terms = []
    if not errors:
        try:
            terms = query.sort_terms(sort or ["-created_at"])
        except ValidationFailed as exc:
            errors.extend(exc)
    hidden_sort = [t for t in terms if t.field is not None and not access.readable(query.obj, t.field)]
    if hidden_sort:
        errors.add("sort", "invalid_sort", _("Cannot sort by: %(names)s.")
                   % {"names": ", ".join(t.field.api_name for t in hidden_sort if t.field)})
    unindexed = [t.field for t in terms if guard and t.field is not None and not indexing.sort_is_indexed(t.field)]
    if guard and unindexed and not errors and indexing.too_large_to_sort_unindexed(query.obj.id):
        errors.add("sort", "sort_needs_index", _(
            "“%(names)s” has no index, and sorting more than %(limit)s records without one would read them all "
            "on every page. Sort by another column, or ask an administrator to index the field.")
            % {"names": ", ".join(f.label(get_language()) for f in unindexed),
               "limit": f"{indexing.SORT_UNINDEXED_LIMIT:,}"})
    return terms


def unindexed_sort_fields(object_api_name: str, sort: Sequence[str]) -> list[FieldMeta]:
    """The fields of a sort that have no sort index (what a refused list offers to index)."""
    _tenant, obj = get_object_meta(object_api_name)
    names = [name.lstrip("-") for name in sort]
    fields = [f for name in names if (f := obj.field(name)) is not None]
    return [f for f in fields if not indexing.sort_is_indexed(f)]


def _cursor_part(query: RecordQuery, cursor: str | None, terms: list) -> list[sql.Composable]:
    """Keyset pagination: the rows after the cursor's row, in the page's order."""
    return [query.after(terms, decode_cursor(cursor, terms))] if cursor else []


# --- writing -----------------------------------------------------------------------------------


@dataclass
class WriteResult:
    index: int
    errors: ErrorCollector | None = None
    duplicates: list[dict] = field(default_factory=list)
    #: Whether the row made a new record (an upsert's rows may update existing ones).
    created: bool = False
    #: The id of the record the row wrote (None for a row not written).
    record_id: int | None = None
    #: That record as reading it back gives it (None when the writer asked for ids only).
    record: Record | None = None


def create_record(object_api_name: str, payload: Mapping, actor: Actor, *, confirm_duplicates: bool = False) -> Record:
    results = create_records(object_api_name, [payload], actor, confirm_duplicates=confirm_duplicates)
    record = results[0].record
    assert record is not None  # all or nothing: a row that failed raised
    return record


def create_records(object_api_name: str, payloads: Sequence[Mapping], actor: Actor, *, all_or_nothing: bool = True,
                   confirm_duplicates: bool = False, upsert_on: Sequence[str] = (),
                   represent: bool = True) -> list[WriteResult]:
    """Create records. All-or-nothing (one error → nothing written, every row's errors returned), or
    per row (each valid row written, each invalid one reported).

    `upsert_on`: a unique field, or several fields together, whose values identify a record: a row
    whose key a live record holds updates that record (WriteResult.created is False), the others
    create one. Two rows of the batch with the same key are both refused (no "last one wins"), and
    so is a key several records hold.

    `represent`: whether each result carries its record as read back (False: ids only — what an
    import or the API's return=minimal needs, without reading a thousand records back)."""
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "create")
    _check_batch_size(payloads)
    drafts = [Draft(index=i) for i in range(len(payloads))]
    fields = pipeline.InputFields(obj, access)
    with transaction.atomic():
        if upsert_on:
            key_fields = upsert.key_fields(obj, upsert_on, fields)
            access.require(obj, "edit")
            upsert.match_existing(tenant, obj, drafts, payloads, key_fields, access)
        keyed = [d for d in drafts if d.ok]  # not those an upsert's key refused already
        pipeline.read_new_inputs(obj, [d for d in keyed if d.is_new], payloads, access, fields)
        for draft in keyed:
            if not draft.is_new:  # an upsert's update
                pipeline.read_input(obj, payloads[draft.index], draft, access, fields)
        pipeline.apply_defaults(obj, keyed, access)
        pipeline.validate_values(tenant, obj, keyed)
        return _write(tenant, obj, drafts, access, all_or_nothing=all_or_nothing,
                      confirm_duplicates=confirm_duplicates, represent=represent)


def update_record(object_api_name: str, record_id: int, payload: Mapping, actor: Actor, *,
                  expected_version: int | None = None, confirm_duplicates: bool = False) -> Record:
    body = dict(payload)
    if expected_version is not None:
        body["version"] = expected_version
    results = update_records(object_api_name, [{**body, "id": record_id}], actor,
                             confirm_duplicates=confirm_duplicates)
    record = results[0].record
    assert record is not None  # all or nothing: a row that failed raised
    return record


def update_records(object_api_name: str, payloads: Sequence[Mapping], actor: Actor, *, all_or_nothing: bool = True,
                   confirm_duplicates: bool = False, represent: bool = True) -> list[WriteResult]:
    """Update records given as {"id": …, "version": … (optional), field: value…} (`represent`:
    see create_records)."""
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "edit")
    _check_batch_size(payloads)
    with transaction.atomic():
        drafts = []
        read = []  # the drafts of records found, to validate
        fields = pipeline.InputFields(obj, access)
        ids = [_record_id(payload) for payload in payloads]
        editable = _lock_for_edit(tenant, obj, [i for i in ids if i is not None], access)
        for i, (payload, record_id) in enumerate(zip(payloads, ids, strict=True)):
            draft = Draft(index=i)
            drafts.append(draft)
            if record_id is None:
                draft.errors.add("id", "required", _("Give the id of the record to update."))
                continue
            current = editable.get(record_id)
            if current is None:
                if len(payloads) == 1:
                    if load_record(tenant, obj, record_id, access=access) is not None:
                        raise PermissionDenied(_("You may not edit this record."), code="no_edit_access")
                    raise NotFound(_("No such record, or you may not edit it."), code="unknown_record")
                draft.errors.add("id", "unknown_record", _("No such record, or you may not edit it."))
                continue
            draft.current = current
            pipeline.read_input(obj, {k: v for k, v in payload.items() if k != "id"}, draft, access, fields)
            if draft.expected_version is not None and draft.expected_version != current.version:
                if len(payloads) == 1:
                    raise StaleVersion(_("This record was changed by someone else (version %(now)d, you had "
                                         "%(had)d); reload it and try again.")
                                       % {"now": current.version, "had": draft.expected_version})
                draft.errors.add("version", "stale_version", _("Changed by someone else; reload it."))
            read.append(draft)
        pipeline.validate_values(tenant, obj, read)
        return _write(tenant, obj, drafts, access, all_or_nothing=all_or_nothing,
                      confirm_duplicates=confirm_duplicates, represent=represent)


def _record_id(payload: Any) -> int | None:
    """The id an update's payload names, or None when it names none."""
    raw: Any = payload.get("id") if isinstance(payload, Mapping) else None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _lock_for_edit(tenant: TenantMeta, obj: ObjectMeta, ids: list[int], access: RecordAccess) -> dict[int, Record]:
    """The live records among `ids` that the writer may edit, locked, in one query: id → record."""
    records = repository.lock_records(tenant, obj, ids, predicate=access.row_predicate(obj, "edit", "r"),
                                      visibility=_visibility(access, tenant))
    return {r.id: r for r in records if r.id is not None}


class StatisticsKeeper:
    """Keeps the planner's statistics of an object's records up to date through a bulk load (an
    import of many batches): its partition is analysed once the records written since the last
    time reach a fifth of those counted then (at least `FIRST`), as autovacuum would — here where
    it may lag or be off. Without them a partition filled by the load is planned as if it were
    empty: each batch's look-ups by key became scans of every record written so far (an import of
    100,000 rows slowed with every batch)."""

    FIRST = 10_000

    def __init__(self, object_api_name: str) -> None:
        self.obj = get_object_meta(object_api_name)[1]
        self.counted = 0
        self.written = 0

    def wrote(self, count: int) -> None:
        """`count` records were created (committed); analyse when enough have been."""
        self.written += count
        if self.written >= max(self.FIRST, self.counted // 5):
            self.counted = repository.analyze(self.obj)
            self.written = 0


def _check_batch_size(payloads: object) -> None:
    if not isinstance(payloads, list | tuple) or not payloads:
        raise ValidationFailed.single(None, "invalid", _("Give a list of records."))
    if len(payloads) > MAX_BULK:
        raise ValidationFailed.single(None, "too_many", _("At most %(max)d records per call.") % {"max": MAX_BULK})


def _write(tenant: TenantMeta, obj: ObjectMeta, drafts: list[Draft], access: RecordAccess, *,
           all_or_nothing: bool, confirm_duplicates: bool, represent: bool = True) -> list[WriteResult]:
    with transaction.atomic():
        for draft in drafts:
            pipeline.scrub_hidden(obj, draft, access)
        candidates = [d for d in drafts if d.ok]
        pipeline.resolve_references(tenant, obj, candidates, access)
        candidates = [d for d in candidates if d.ok]
        pipeline.check_lookups(tenant, obj, candidates, access=access)
        lookup_filters.check_references(tenant, obj, [d for d in candidates if d.ok])
        pipeline.check_unique(tenant, obj, [d for d in candidates if d.ok])
        pipeline.check_validation_rules(tenant, obj, [d for d in candidates if d.ok])
        warnings = []
        checked = [d for d in drafts if d.ok]
        found = find_duplicates(obj, checked) if obj.duplicate_rules and checked else {}
        for draft in checked:
            matches = found.get(draft.index, [])
            blocking = [m for m in matches if m["action"] == "block"]
            if blocking:
                draft.errors.add(None, "duplicate", blocking_message(blocking))
            elif matches and not confirm_duplicates:
                draft.duplicates = matches
                warnings.append(draft)
        for draft in drafts:
            pipeline.scrub_hidden(obj, draft, access)
            _mask_duplicates(obj, draft, access, tenant)
        pipeline.attach_uploads(obj, [d for d in drafts if d.ok and not d.duplicates], access)
        bad = [d for d in drafts if not d.ok]
        if bad and (all_or_nothing or len(drafts) == 1):
            if len(drafts) == 1:
                bad[0].errors.raise_if_any()
            raise BulkRejected([(d.index, d.errors) for d in bad], len(drafts))
        if warnings and (all_or_nothing or len(drafts) == 1):
            raise DuplicatesFound([{"index": d.index, "matches": d.duplicates} for d in warnings]
                                  if len(drafts) > 1 else warnings[0].duplicates)
        good = [d for d in drafts if d.ok and not d.duplicates]
        pipeline.compute_materialized(tenant, obj, good)
        results = {d.index: WriteResult(index=d.index, errors=d.errors if not d.ok else None,
                                        duplicates=d.duplicates, created=d.is_new) for d in drafts}
        if good:
            saved = _save(tenant, obj, good, access, represent=represent)
            for draft, (record_id, record) in zip(good, saved, strict=True):
                results[draft.index].record_id, results[draft.index].record = record_id, record
        return [results[i] for i in range(len(drafts))]


def _mask_duplicates(obj: ObjectMeta, draft: Draft, access: RecordAccess, tenant: TenantMeta) -> None:
    """Possible duplicates the writer may not read keep their id (查重: the customer exists, owned by
    someone else) but not their name."""
    if not draft.duplicates or access.superuser:
        return

    stored = [m["id"] for m in draft.duplicates if m["id"] is not None]
    visible = visible_ids(obj, stored, access.row_predicate(obj, "read", "r", tenant)) if stored else set()
    for match in draft.duplicates:
        if match["id"] is not None and match["id"] not in visible:
            match["name"] = None


def _save(tenant: TenantMeta, obj: ObjectMeta, drafts: list[Draft], access: RecordAccess, *,
          represent: bool) -> list[tuple[int, Record | None]]:
    """Write the drafts; for each, the record's id and, when `represent`, the record."""
    user_id = access.user_id
    new = [d for d in drafts if d.is_new]
    existing = [d for d in drafts if not d.is_new]
    tracked = history.tracked_fields(obj)
    entries: list[tuple[int, str, dict | str]] = []
    ids: list[int] = []
    id_of: dict[int, int] = {}  # draft.index → the record's id
    created: list[Record] = []
    try:  # the caller's transaction rolls back what was written when this raises
        if new:
            pipeline.assign_auto_numbers(obj, new)
            rows = pipeline.storage_rows(obj, new, user_id=user_id)
            with repository.inserting(obj, rows) as inserted:  # while PostgreSQL writes them: no queries here
                for n, (draft, returned, created_changes) in enumerate(
                        zip(new, inserted, history.creations(new, tracked), strict=True)):
                    if represent:
                        created.append(_created_record(obj, draft, rows, n, returned))
                    ids.append(returned[0])
                    id_of[draft.index] = returned[0]
                    entries.append((returned[0], "create", created_changes))
        if existing:
            _update(obj, existing, access)
        for draft in existing:
            current = draft.current
            assert current is not None and current.id is not None  # an update of a stored record
            ids.append(current.id)
            id_of[draft.index] = current.id
            changes = history.changes_of(obj, draft, tracked)
            if changes:
                owner_key = obj.fields_by_name["owner"].key
                action = "owner" if set(changes) == {owner_key} else "update"
                entries.append((current.id, action, changes))
                if owner_key in changes:
                    audit.record_change(access.actor, "record.owner", obj, current.id,
                                        {"from": changes[owner_key][0], "to": changes[owner_key][1]})
    except IntegrityError as exc:
        raise _integrity_error(obj, exc) from None
    history.write(obj, entries, user_id)
    if new:
        _send_after_commit(obj, "create", ids[:len(new)])
    if existing:
        _send_after_commit(obj, "update", ids[len(new):])
    if not represent:
        return [(id_of[d.index], None) for d in drafts]
    if existing or _computed_on_read(obj):
        by_id = {r.id: r for r in _reload(tenant, obj, ids, access)}
        return [(id_of[d.index], by_id[id_of[d.index]]) for d in drafts]
    return list(zip(ids, created, strict=True))


def _update(obj: ObjectMeta, drafts: list[Draft], access: RecordAccess) -> None:
    """Write the drafts' changes to their records, in one statement for the batch; every record
    must still be at the version read (a record changed by someone since fails the whole write)."""
    changes = []
    for draft in drafts:
        current = draft.current
        assert current is not None and current.id is not None  # an update of a stored record
        set_data, unset, columns = pipeline.storage_changes(obj, draft)
        changes.append(repository.RowChange(current.id, set_data, unset, columns, current.version))
    versions = repository.update_rows(obj, changes, user_id=access.user_id,
                                      predicate=access.row_predicate(obj, "edit", "r"))
    if len(versions) != len(changes) or any(c.record_id not in versions for c in changes):
        raise StaleVersion(_("This record was changed by someone else; reload it and try again."))


def _computed_on_read(obj: ObjectMeta) -> bool:
    """Whether records of `obj` have values computed by SQL as they are read (formulas, roll-ups)."""
    return any(f.type.computed_on_read for f in obj.fields)


def _created_record(obj: ObjectMeta, draft: Draft, rows: repository.NewRows, n: int, returned: tuple) -> Record:
    """A record just inserted (row `n` of `rows`), as reading it back would give it (for objects
    without values computed on read): the columns written and returned, and the draft's values of
    the fields written to `data` (stored values read back equal the values stored)."""
    record_id, version, created_at, updated_at = returned
    values = {obj.name_field: rows.names[n], "owner": rows.owner_ids[n], "created_by": rows.created_by,
              "updated_by": rows.created_by, "created_at": created_at, "updated_at": updated_at}
    written = rows.written(n)
    values.update(zip(written, map(draft.values.__getitem__, written), strict=True))
    return Record(object=obj, id=record_id, version=version, category=rows.categories[n], values=values)


def _reload(tenant: TenantMeta, obj: ObjectMeta, ids: list[int], access: RecordAccess) -> list[Record]:
    """Records just written, read back with the writer's view of values computed on read."""
    query = RecordQuery(tenant, obj)
    query.visibility = _visibility(access, tenant)
    statement = query.select(obj.fields, where=[query.id_in(ids)])
    return repository.fetch_records(obj, statement, query.params(), computed=obj.fields)


def _integrity_error(obj: ObjectMeta, exc: IntegrityError) -> ValidationFailed | Conflict:
    message = str(exc)
    for f in obj.fields:
        if f.unique and f"_u{f.id}" in message:
            return ValidationFailed.single(f.api_name, "unique", _("Another record has this value already."))
    return Conflict(_("The write conflicts with another one; try again."))


def _send_after_commit(obj: ObjectMeta, action: str, ids: list[int]) -> None:
    schema = connection.schema_name  # type: ignore[attr-defined]
    transaction.on_commit(lambda: records_changed.send(sender=None, schema=schema, object=obj.api_name,
                                                       action=action, ids=list(ids)))


# --- delete and restore -------------------------------------------------------------------------


def delete_record(object_api_name: str, record_id: int, actor: Actor) -> None:
    """Soft delete to the recycle bin, following each lookup's rule for the records pointing here:
    restrict (refuse while any), set null, or cascade (to the recycle bin with this one)."""
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "delete")
    with transaction.atomic():
        locked = repository.lock_live(obj, [record_id], predicate=access.row_predicate(obj, "delete", "r"))
        if not locked:
            if load_record(tenant, obj, record_id, access=access) is not None:
                raise PermissionDenied(_("You may not delete this record."), code="no_delete_access")
            raise NotFound(_("No such record, or you may not delete it."), code="unknown_record")
        _delete_cascade(tenant, obj, [record_id], access.user_id, seen=set())
        audit.record_change(access.actor, "record.delete", obj, record_id, {"name": locked[0][2]})


def _delete_cascade(tenant: TenantMeta, obj: ObjectMeta, ids: list[int], user_id: int | None, seen: set) -> None:
    key = (obj.api_name, tuple(sorted(ids)))
    if key in seen:
        return
    seen.add(key)
    for child, lookup in lookups_to(tenant, obj):
        pointing = repository.referencing(tenant, child, lookup, ids)
        if not pointing:
            continue
        rule = lookup.type.on_delete(lookup)  # type: ignore[attr-defined]  # a lookup field
        if rule == "restrict":
            raise Conflict(ngettext("%(count)d %(object)s record refers to this record through “%(field)s”; "
                                    "change it first.",
                                    "%(count)d %(object)s records refer to this record through “%(field)s”; "
                                    "change them first.", len(pointing))
                           % {"count": len(pointing), "object": child.label(None, plural=True),
                              "field": lookup.label()}, code="in_use")
        if rule == "set_null":
            repository.clear_lookup(child, lookup, pointing, user_id)
            _send_after_commit(child, "update", pointing)
        else:
            _delete_cascade(tenant, child, pointing, user_id, seen)
    deleted = repository.soft_delete(obj, ids, user_id)
    history.write(obj, [(i, "delete", {}) for i in deleted], user_id)
    _send_after_commit(obj, "delete", deleted)


def lookups_to(tenant: TenantMeta, obj: ObjectMeta) -> Iterator[tuple[ObjectMeta, FieldMeta]]:
    """(child object, lookup field) for every lookup of any object that points at `obj`."""
    for child in tenant.objects.values():
        for f in child.fields:
            if f.type.target(f) == obj.api_name:
                yield child, f


def restore_record(object_api_name: str, record_id: int, actor: Actor) -> Record:
    """Bring a record back from the recycle bin, with the records its delete cascaded to."""
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "delete")
    with transaction.atomic():
        record = load_record(tenant, obj, record_id, access=access, action="delete", include_deleted=True)
        if record is None or record.deleted_at is None:
            raise NotFound(_("No such record in the recycle bin."), code="unknown_record")
        try:
            with transaction.atomic():
                _restore_cascade(tenant, obj, [record_id], access.user_id)
        except IntegrityError as exc:
            raise _integrity_error(obj, exc) from None
        audit.record_change(access.actor, "record.restore", obj, record_id, {"name": record.name})
    return get_record(object_api_name, record_id, actor)


def _restore_cascade(tenant: TenantMeta, obj: ObjectMeta, ids: list[int], user_id: int | None) -> None:
    restored = repository.restore(obj, ids)
    if not restored:
        return
    history.write(obj, [(i, "restore", {}) for i, _at in restored], user_id)
    _send_after_commit(obj, "restore", [i for i, _at in restored])
    by_time: dict = {}
    for record_id, deleted_at in restored:
        by_time.setdefault(deleted_at, []).append(record_id)
    for child, lookup in lookups_to(tenant, obj):
        if lookup.type.on_delete(lookup) != "cascade":  # type: ignore[attr-defined]  # a lookup field
            continue
        for deleted_at, parent_ids in by_time.items():
            children = repository.deleted_with(tenant, child, lookup, parent_ids, deleted_at)
            if children:
                _restore_cascade(tenant, child, children, user_id)


def record_history(object_api_name: str, record_id: int, actor: Actor) -> list[dict]:
    tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    get_record(object_api_name, record_id, actor, include_deleted=True)  # visibility check
    return history.history_of(obj, record_id, lambda f: access.readable(obj, f))
