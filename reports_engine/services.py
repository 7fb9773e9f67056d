"""Report use cases: define reports (metadata: schema-checked, versioned, in the metadata history),
run them as a viewer (one statement, the viewer's rows and fields only), drill into the records
behind a number.

    run_report("won_by_region", request.user)                  → ReportResult
    run_report({...spec...}, user, extra_filters=[("stage", "closed_won")])
    drill_down("won_by_region", user, cell={"g0": "east"})     → DrillPage (the records, paged)
    drill_down_url("opportunity", [("stage", "closed_won")])   → "/app/opportunity/?f.stage=closed_won"
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from metadata import schemas
from metadata.cache import get_meta
from metadata.formula_scope import MetaScope
from metadata.formulas import FormulaError, compile_formula
from metadata.labels import with_language_properties
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from metadata.models import MetadataChange
from metadata.versioning import lock_metadata, record_change
from tessera.errors import ErrorCollector, NotFound, PermissionDenied, ValidationFailed
from tessera.records.query import RecordQuery
from tessera.records.record import Record
from tessera.records.repository import fetch_records
from tessera.security import audit
from tessera.security.access import RecordAccess, access_for, authenticated, is_system
from tessera.security.actor import Actor

from .compiler import Compiled, ReportCompiler, Viewer
from .models import Report
from .reading import Reader
from .result import ReportResult

SCHEMA_PATH = Path(__file__).parent / "schemas" / "report.json"
#: Rights of a profile's `admin` section (tessera.security.rights.ADMIN_RIGHTS).
CREATE_REPORTS, SHARE_REPORTS = "create_reports", "share_reports"
IDENTITY = ("api_name", "object")
#: Names of the API's own pages under /api/v1/reports/.
RESERVED = frozenset({"run", "schema", "jobs"})


@cache
def _validator() -> Draft202012Validator:
    schema = with_language_properties(json.loads(SCHEMA_PATH.read_text()))
    return Draft202012Validator(schema, registry=schemas.registry())


def report_schema() -> dict:
    """The JSON Schema of a report definition (served by the API)."""
    return dict(_validator().schema)


# --- who may do what ---------------------------------------------------------------------------


def _require_user(actor: Actor) -> RecordAccess:
    if not is_system(actor) and not authenticated(actor):
        raise PermissionDenied(_("Log in first."), code="not_authenticated")
    return access_for(actor)


def can_create_reports(actor: Actor) -> bool:
    access = access_for(actor)
    return access.has_right(CREATE_REPORTS) or access.has_right("customize")


def _may_see(row: Report, access: RecordAccess) -> bool:
    if access.superuser or access.has_right("customize") or row.owner_id == access.user_id:
        return True
    shared = row.spec.get("shared") or {}
    rights = access.rights
    return bool(shared.get("everyone") or (rights.role_id is not None and rights.role_id in shared.get("roles", ()))
                or (rights.department_id is not None and rights.department_id in shared.get("departments", ())))


def _may_change(row: Report, access: RecordAccess) -> bool:
    return access.superuser or access.has_right("customize") or (
        row.owner_id is not None and row.owner_id == access.user_id and access.has_right(CREATE_REPORTS))


# --- definitions -------------------------------------------------------------------------------


def full_spec(row: Report) -> dict:
    return {"api_name": row.api_name, "object": row.object, **copy.deepcopy(row.spec)}


def _check(spec: dict, actor: Actor, errors: ErrorCollector) -> None:
    """Schema, rights to share, then the report compiled against the metadata as its author sees it."""
    schemas.collect(_validator(), spec, errors)
    if errors:
        return
    if spec["api_name"] in RESERVED:
        errors.add("api_name", "reserved", _("“%(name)s” is reserved.") % {"name": spec["api_name"]})
    access = access_for(actor)
    if spec.get("shared") and not (access.has_right(SHARE_REPORTS) or access.has_right("customize")):
        errors.add("shared", "no_share_reports_right", _("Sharing reports needs the “share reports” right."))
    tenant = get_meta()
    obj = tenant.object(spec["object"])
    if obj is None:
        errors.add("object", "unknown_object", _("No object named “%(name)s”.") % {"name": spec["object"]})
        return
    try:
        Reader(_compiler(tenant, obj, spec, access).compile(), spec, language=None, fiscal_start=1, time_zone="UTC")
    except ValidationFailed as exc:
        errors.extend(exc)


def create_report(spec: dict, actor: Actor) -> Report:
    access = _require_user(actor)
    if not can_create_reports(actor):
        raise PermissionDenied(_("Creating reports needs the “create reports” right."), code="no_create_reports_right")
    errors = ErrorCollector()
    _check(spec, actor, errors)
    errors.raise_if_any()
    with transaction.atomic():
        lock_metadata()
        if Report.objects.filter(api_name=spec["api_name"]).exists():
            raise ValidationFailed.single("api_name", "taken", _("“%(name)s” exists already.") % {"name": spec["api_name"]})
        row = Report.objects.create(api_name=spec["api_name"], object=spec["object"], owner_id=access.user_id,
                                    spec={k: copy.deepcopy(v) for k, v in spec.items() if k not in IDENTITY})
        record_change(entity="report", action="create", entity_id=row.pk, after=spec, user=actor,
                      object_id=_object_id(row.object))
    return row


def update_report(api_name: str, changes: dict, actor: Actor) -> Report:
    access = _require_user(actor)
    errors = ErrorCollector()
    for key in IDENTITY:
        if key in changes:
            errors.add(key, "immutable", _("This property cannot be changed."))
    errors.raise_if_any()
    with transaction.atomic():
        row = _locked_row(api_name, access)
        before = full_spec(row)
        spec = {**before, **changes}
        spec = {k: v for k, v in spec.items() if v is not None}
        _check(spec, actor, errors)
        errors.raise_if_any()
        row.spec = {k: v for k, v in spec.items() if k not in IDENTITY}
        row.save()
        record_change(entity="report", action="update", entity_id=row.pk, before=before, after=spec, user=actor,
                      object_id=_object_id(row.object))
    return row


def _locked_row(api_name: str, access: RecordAccess) -> Report:
    """The report to change, under the metadata lock, if `access` may change it."""
    lock_metadata()
    row = _get_row(api_name, access, for_update=True)
    if not _may_change(row, access):
        raise PermissionDenied(_("Only its owner or an administrator may change this report."),
                               code="no_change_report_right")
    return row


def delete_report(api_name: str, actor: Actor) -> None:
    access = _require_user(actor)
    with transaction.atomic():
        row = _locked_row(api_name, access)
        before = full_spec(row)
        pk = row.pk
        row.delete()
        record_change(entity="report", action="delete", entity_id=pk, before=before, user=actor,
                      object_id=_object_id(before["object"]))


def _object_id(object_api_name: str) -> int | None:
    """The report's object, so the metadata history lists the report's changes with its object."""
    obj = get_meta().object(object_api_name)
    return obj.id if obj is not None else None


def revert_change(change: MetadataChange, actor: Actor) -> None:
    """Undo a report's change in the metadata history through these same services (see
    metadata.services.history): created → deleted, deleted → created as it was, changed → the
    properties the change touched, as they were."""
    before, after = change.before or {}, change.after or {}
    if change.action == "create":
        delete_report(after["api_name"], actor)
    elif change.action == "delete":
        create_report(dict(before), actor)
    else:
        touched = {k: before.get(k) for k in dict.fromkeys([*before, *after])
                   if k not in IDENTITY and before.get(k) != after.get(k)}
        if not touched:
            raise ValidationFailed.single(None, "nothing_to_revert", _("This change changed nothing to revert."))
        update_report(before["api_name"], touched, actor)


def _get_row(api_name: str, access: RecordAccess, *, for_update: bool = False) -> Report:
    rows = Report.objects.select_for_update() if for_update else Report.objects.all()
    row = rows.filter(api_name=api_name).first()
    if row is None or not _may_see(row, access):
        raise NotFound(_("No report named “%(name)s”.") % {"name": api_name}, code="unknown_report")
    return row


def get_report(api_name: str, actor: Actor) -> dict:
    return full_spec(_get_row(api_name, _require_user(actor)))


def list_reports(actor: Actor, *, object_api_name: str | None = None) -> list[dict]:
    """The reports `actor` may see (their own, shared with them, all for administrators), over
    objects they may read."""
    access = _require_user(actor)
    rows = Report.objects.all()
    if object_api_name:
        rows = rows.filter(object=object_api_name)
    if not (access.superuser or access.has_right("customize")):
        rights = access.rights
        rows = rows.filter(Q(owner_id=access.user_id) | Q(spec__shared__everyone=True)
                           | Q(spec__shared__roles__contains=[rights.role_id or 0])
                           | Q(spec__shared__departments__contains=[rights.department_id or 0]))
    tenant = get_meta()
    return [full_spec(r) for r in rows.order_by("api_name")
            if (o := tenant.object(r.object)) is not None and access.can(o, "read")]


def reports_using(obj: ObjectMeta, field: FieldMeta) -> list[str]:
    """The reports whose definition names `field` of `obj` (its "where used"), as descriptions."""
    tenant = get_meta()
    return [_("the report “%(name)s”") % {"name": row.api_name}
            for row in Report.objects.all().only("api_name", "object", "spec").order_by("api_name")
            if field.id in fields_named(tenant, full_spec(row))]


def fields_named(tenant: TenantMeta, spec: dict) -> set[int]:
    """Ids of every field a definition names: along each path from the primary object (columns,
    groups, buckets, aggregates, filters, formulas) and in the child objects it reads."""
    root = tenant.object(spec.get("object", ""))
    if root is None:
        return set()
    keys = {c.get("key") for c in spec.get("columns", ())} | {b["key"] for b in spec.get("buckets", ())}
    paths = [c["field"] for c in spec.get("columns", ()) if "field" in c]
    paths += [g["field"] for g in (*spec.get("groups", ()), *spec.get("column_groups", ())) if g["field"] not in keys]
    paths += [b["field"] for b in spec.get("buckets", ())]
    for item in spec.get("aggregates", ()):
        paths += [p for p in (item.get("of"), item.get("weight")) if p and p not in keys]
        paths += [f["field"] for f in item.get("filters", ())]
    paths += [f["field"] for f in spec.get("filters", ())]
    found = _ids_along(tenant, root, paths)
    for column in spec.get("columns", ()):
        if column.get("formula") is not None:
            try:
                checked = compile_formula(column["formula"], MetaScope(tenant, root))
            except FormulaError:
                continue
            found |= _ids_along(tenant, root, [".".join(p) for p in checked.references])
    for child in [*spec.get("cross_filters", ()), *(c["child"] for c in spec.get("columns", ()) if "child" in c)]:
        child_obj = tenant.object(child["object"])
        if child_obj is not None:
            found |= _ids_along(tenant, child_obj, [child["via"], *([child["field"]] if child.get("field") else []),
                                                    *(f["field"] for f in child.get("filters", ()))])
    return found


def _ids_along(tenant: TenantMeta, root: ObjectMeta, paths: Sequence[str]) -> set[int]:
    found: set[int] = set()
    for path in paths:
        try:
            found.update(f.id for f in MetaScope(tenant, root).walk(tuple(path.split("."))))
        except FormulaError:
            continue
    return found


# --- running -----------------------------------------------------------------------------------


def _viewer(access: RecordAccess, tenant: TenantMeta) -> Viewer:
    return Viewer(
        user_id=access.user_id,
        owner_ids=tuple(access.owner_ids) if not access.is_system and access.user_id is not None else (),
        readable=access.readable,
        row_predicate=lambda obj, alias: access.row_predicate(obj, "read", alias, tenant),
        superuser=access.superuser,
    )


def fiscal_start(tenant: TenantMeta) -> int:
    """The month the tenant's fiscal year starts (1 = January until the organisation says so)."""
    value = getattr(tenant, "fiscal_year_start_month", None)
    return int(value) if isinstance(value, int) and 1 <= value <= 12 else 1


def _compiler(tenant: TenantMeta, obj: ObjectMeta, spec: dict, access: RecordAccess) -> ReportCompiler:
    return ReportCompiler(tenant, obj, spec, _viewer(access, tenant), language=get_language(),
                          fiscal_start=fiscal_start(tenant), time_zone=tenant.time_zone or "UTC")


def _resolve(spec_or_api_name: dict | str, access: RecordAccess) -> tuple[TenantMeta, ObjectMeta, dict, str | None]:
    """The definition to run: a saved report the viewer may see, or a spec (the builder's preview),
    validated against the schema."""
    if isinstance(spec_or_api_name, str):
        spec = full_spec(_get_row(spec_or_api_name, access))
        name: str | None = spec_or_api_name
    else:
        spec = dict(spec_or_api_name)
        spec.setdefault("api_name", "preview")
        errors = ErrorCollector()
        schemas.collect(_validator(), spec, errors)
        errors.raise_if_any()
        name = None
    tenant = get_meta()
    obj = tenant.object(spec["object"])
    if obj is None:
        raise NotFound(_("No object named “%(name)s”.") % {"name": spec["object"]}, code="unknown_object")
    access.require(obj, "read")
    return tenant, obj, spec, name


def run_report(spec_or_api_name: dict | str, actor: Actor, *, extra_filters: Sequence[tuple[str, Any]] = (),
               limit: int | None = None, run_as: Actor | None = None, sample: int | None = None) -> ReportResult:
    """Run a report as `actor`: one SQL statement; only the rows and fields `actor` may read.

    `extra_filters` (records-API filters, `stage__in=…`) narrow it further: a dashboard's filters,
    or a cell to drill into. `run_as`: run it as that user instead (a dashboard shown as someone
    else sees what they see): allowed for oneself and for holders of the view-all-data right, and
    recorded in the audit log. `sample` (the builder's live preview): over the viewer's `sample`
    latest records only when they may read more (a second, index-only-cheap statement finds where
    those begin; `result.sample` then says so), so a preview costs the same on any number of records."""
    access = _require_user(actor)
    tenant, obj, spec, name = _resolve(spec_or_api_name, access)
    if run_as is not None and getattr(run_as, "pk", None) != access.user_id:
        if not access.has_right("view_all_data"):
            raise PermissionDenied(_("Running a report as someone else needs the view-all-data right."),
                                   code="no_view_all_data_right")
        audit.log(actor, "report.run_as", target_type="report", target_id=name or spec["api_name"],
                  detail={"as_user": getattr(run_as, "pk", None)})
        access = _require_user(run_as)
        access.require(obj, "read")
    compiler = _compiler(tenant, obj, spec, access)
    after_id = _sample_start(compiler, sample) if sample else None
    compiled = compiler.compile(extra_filters, limit=limit, after_id=after_id)
    result = read_result(compiled, spec, tenant, name, _execute(compiled))
    result.sample = sample if after_id is not None else None
    return result


def _sample_start(compiler: ReportCompiler, size: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(compiler.sample_start(size))
        found = cursor.fetchone()
    return int(found[0]) if found else None


def _execute(compiled: Compiled) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(compiled.statement, compiled.params or None)
        return cursor.fetchall()


def read_result(compiled: Compiled, spec: dict, tenant: TenantMeta, name: str | None, rows: list[tuple]) -> ReportResult:
    language = get_language()
    reader = Reader(compiled, spec, language=language, fiscal_start=fiscal_start(tenant),
                    time_zone=tenant.time_zone or "UTC")
    labels = spec.get("labels") or {}
    result = ReportResult(object=spec["object"], shape=spec["shape"], columns=reader.columns(), report=name,
                          label=labels.get(language or "", "") or next(iter(labels.values()), "") or spec["api_name"],
                          filters=compiled.list_filters)
    if compiled.list_filters is not None:
        result.drill_down_url = drill_down_url(spec["object"], compiled.list_filters)
    if compiled.shape == "tabular":
        return reader.tabular(rows, result)
    if compiled.shape == "matrix":
        return reader.matrix(rows, result)
    if compiled.shape == "stage_progress":
        return reader.stage_progress(rows, result)
    return reader.summary(rows, result)


@dataclass
class DrillPage:
    """The records behind a number, a page at a time (keyset on the id)."""

    records: list[Record]
    fields: list[FieldMeta]
    next_after: int | None
    object: str
    extra: dict = field(default_factory=dict)


def drill_down(spec_or_api_name: dict | str, actor: Actor, *, cell: dict[str, Any] | None = None,
               extra_filters: Sequence[tuple[str, Any]] = (), after: int | None = None,
               limit: int = 50) -> DrillPage:
    """The records a group or cell of the report counted (`cell`: its group keys → values, as the
    result carries them), exactly — buckets, formulas, OR logic and cross filters included — with
    the fields the viewer may read. Two statements: the page's ids, then those records."""
    access = _require_user(actor)
    tenant, obj, spec, _name = _resolve(spec_or_api_name, access)
    if not 1 <= int(limit) <= 200:
        raise ValidationFailed.single("limit", "invalid", _("Between 1 and %(max)d.") % {"max": 200})
    compiler = _compiler(tenant, obj, spec, access)
    statement = compiler.ids_statement(extra_filters, cell or {}, after=after, limit=int(limit) + 1)
    with connection.cursor() as cursor:
        cursor.execute(statement, compiler.query.params() or None)
        ids = [row[0] for row in cursor.fetchall()]
    more = len(ids) > limit
    ids = ids[:limit]
    fields = [f for f in obj.fields if access.readable(obj, f)]
    records: list[Record] = []
    if ids:
        query = RecordQuery(tenant, obj)
        query.visibility = None if access.superuser else (
            lambda target, alias: access.row_predicate(target, "read", alias, tenant))
        records = fetch_records(obj, query.select(fields, where=[query.id_in(ids)], order=query.sort_terms(["id"])),
                                query.params(), computed=fields)
    return DrillPage(records=records, fields=fields, next_after=ids[-1] if more and ids else None, object=obj.api_name)


def drill_down_url(object_api_name: str, filters: Sequence[tuple[str, Any]]) -> str:
    """The list page of `object` filtered by `filters` (the list's URL syntax, `f.<field>__<op>=`)."""
    query = urlencode([(f"f.{key}", value) for key, value in filters])
    return f"/app/{object_api_name}/" + (f"?{query}" if query else "")
