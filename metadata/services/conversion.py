"""Changing a field's type: only along safe conversions, after a dry run.

The dry run reads every stored value, converts it with the field types (source.convert_value, then
the target's validation) and lists the values that would not convert. The real run refuses while
any value would not; otherwise, in ONE transaction, it changes the field's type and rewrites every
value (deleted records too, so a restore finds them in the new form). The field keeps its key and
its api_name. Large objects are converted by a background job.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from metadata import schemas
from metadata.cache import get_meta
from metadata.compile import compile_field
from metadata.fieldtypes import FieldValueError, OptionsContext, field_types
from metadata.models import FieldDef, ObjectDef
from metadata.versioning import lock_metadata, record_change
from tessera.core.jobs import queue_job
from tessera.errors import ErrorCollector, ValidationFailed
from tessera.records import field_values, indexing
from tessera.security.access import require_customise
from tessera.security.actor import Actor, acting_user

from .common import get_object
from .fields import active_field, dependents, field_snapshot, sync_storage

if TYPE_CHECKING:
    from metadata.meta import FieldMeta
    from tessera.core.jobs import Progress
    from tessera.core.models import Job

MAX_LISTED_FAILURES = 50


@dataclass
class ConversionReport:
    total: int = 0
    convertible: int = 0
    failures: list[dict] = dc_field(default_factory=list)
    failure_count: int = 0
    applied: bool = False
    job_id: int | None = None

    def as_dict(self) -> dict:
        return {"total": self.total, "convertible": self.convertible, "failure_count": self.failure_count,
                "failures": self.failures,
                "applied": self.applied, "job_id": self.job_id}


def change_field_type(object_api_name: str, field_api_name: str, new_type: str, actor: Actor, *,
                      options: dict | None = None, dry_run: bool = True) -> ConversionReport:
    """Change a field's type along a safe conversion. The dry run lists the values that would not
    convert; the real run refuses while any would not, and otherwise rewrites every value."""
    require_customise(actor)
    return convert_field(object_api_name, field_api_name, new_type, actor, options=options or {}, dry_run=dry_run)


def convert_field(object_api_name: str, field_api_name: str, new_type: str, actor: Actor, *, options: dict,
                  dry_run: bool) -> ConversionReport:
    obj = get_object(object_api_name)
    field = active_field(obj, field_api_name)
    errors = ErrorCollector()
    if field.is_system or field.type.computed:
        errors.add("type", "not_convertible", _("The type of this field cannot change."))
    elif new_type not in field.type.converts_to:
        errors.add("type", "unsafe_conversion", _("A %(source)s field cannot become a %(target)s field.")
                   % {"source": field.type.key, "target": new_type})
    else:
        # Formulas, rules, cascades and roll-ups were checked against the current type.
        for where in dependents(get_meta(), obj, field):
            errors.add("type", "in_use", _("Used by %(where)s; change that first.") % {"where": where})
    errors.raise_if_any()
    target_type = field_types.get(new_type)
    schemas.collect(schemas.options_validator(target_type), options, errors, prefix="options")
    errors.raise_if_any()
    row = FieldDef.objects.get(pk=field.id)
    target_row = FieldDef(id=row.id, object_id=row.object_id, api_name=row.api_name, type=new_type, key=row.key,
                          spec={**row.spec, "options": options})
    target = compile_field(target_row, ObjectDef(id=obj.id, api_name=obj.api_name))
    context = OptionsContext(tenant=get_meta(), object_api_name=obj.api_name, field_api_name=field.api_name,
                             sibling_fields={f.api_name: f for f in obj.fields if f.api_name != field.api_name}
                             | {field.api_name: target})
    for code, message in target_type.check_options(target.options, context):
        errors.add("options", code, message)
    errors.raise_if_any()

    if not dry_run and _stored_count(field) <= indexing.INLINE_LIMIT:
        return apply_conversion(field.id, new_type, options, actor)  # converts once, under its lock
    report = ConversionReport()
    _convert_values(field, target, report)
    if dry_run:
        return report
    if report.failure_count:  # refused now rather than by the job
        raise _not_convertible(report.failure_count)
    job = queue_job("metadata.convert_field", {"field_id": field.id, "type": new_type, "options": options},
                    user=acting_user(actor))
    report.job_id = job.pk
    return report


def apply_conversion(field_id: int, new_type: str, options: dict, actor: Actor | None) -> ConversionReport:
    """Switch the type and rewrite the values, in one transaction; returns the ConversionReport
    (applied). Refused, changing nothing, when any value would not convert.

    The values are read and converted here, under the metadata lock and with writes to the object's
    records held until the new type is in place (reads go on): a record written after the dry run
    or the checks is converted as it is now, never overwritten with an older value."""
    with transaction.atomic():
        lock_metadata()
        row = FieldDef.objects.select_for_update().get(pk=field_id)
        field_values.hold_writes(row.object_id)
        obj = ObjectDef.objects.get(pk=row.object_id)
        field = compile_field(row, obj)
        before = field_snapshot(row)
        target = compile_field(FieldDef(id=row.id, object_id=row.object_id, api_name=row.api_name, type=new_type,
                                        key=row.key, spec={**row.spec, "options": options}), obj)
        report = ConversionReport()
        converted = _convert_values(field, target, report, keep=True)
        if report.failure_count:  # a value changed since the check
            raise _not_convertible(report.failure_count)
        if field.slot:
            indexing.drop_field_indexes(field)
            indexing.clear_slot(field.object_id, field.slot)
        row.type = new_type
        row.spec = {**row.spec, "options": options}
        row.slot, row.slot_ready = "", False
        row.save(update_fields=["type", "spec", "slot", "slot_ready", "updated_at"])
        target = compile_field(row, obj)
        field_values.rewrite(target, converted)
        if field.unique and not target.type.supports_unique:
            row.spec.pop("unique", None)
            row.save(update_fields=["spec"])
        sync_storage(row, before=None)
        record_change(entity="field", action="change_type", entity_id=row.id, before=before, after=field_snapshot(row),
                      user=actor)
    report.applied = True
    return report


def _convert_values(field: FieldMeta, target: FieldMeta, report: ConversionReport, *, keep: bool = False) -> dict:
    """Convert every stored value of `field` to `target`, counting into `report` (and listing the
    first failures); the converted values by record id when `keep`."""
    converted = {}
    for record_id, stored in field_values.stored_values(field):
        report.total += 1
        try:
            value = field.type.convert_value(field.type.from_storage(stored, field), field, target)
            if value is not None:
                target.type.validate(value, target)
        except FieldValueError as exc:
            if len(report.failures) < MAX_LISTED_FAILURES:
                report.failures.append({"id": record_id, "value": stored, "code": exc.code, "message": str(exc.message)})
            report.failure_count += 1
            continue
        report.convertible += 1
        if keep:
            converted[record_id] = value
    return converted


def _not_convertible(count: int) -> ValidationFailed:
    return ValidationFailed.single("type", "values_not_convertible", ngettext(
        "%(count)d value would not convert; run the dry run to see it.",
        "%(count)d values would not convert; run the dry run to see them.", count) % {"count": count})


def convert_field_job(job: Job, progress: Progress) -> dict:
    """Background conversion; run again after a crash, it finds the conversion done (it commits
    in one transaction with the type change) and does nothing."""
    progress.set_total(1)
    if FieldDef.objects.filter(pk=job.params["field_id"], type=job.params["type"]).exists():
        progress.advance(1)
        return {"skipped": "already converted"}
    report = apply_conversion(job.params["field_id"], job.params["type"], job.params["options"], job.created_by)
    progress.advance(1)
    return {"converted": report.convertible}


def _stored_count(field: FieldMeta) -> int:
    """How many records (deleted ones included) hold a value of `field`."""
    return field_values.count_stored(field)
