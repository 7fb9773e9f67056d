"""What a form shows before it is saved: formula fields computed from the values typed so far, and
the next number an auto-number field would take — without writing or taking anything.

Formulas are computed in Python by the same evaluator validation rules use (formula_values), over
the values read as the write path reads them; only formula fields the user may read are answered,
and a value reached through a lookup comes only from a record the user may read (a form can name
any id; the answer must not tell what an unreadable record holds).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from metadata.formulas import FormulaError
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import NotFound
from tessera.security.access import RecordAccess, access_for
from tessera.security.actor import Actor

from . import autonumbers, pipeline, service
from .draft import Draft
from .formula_values import DraftValues

#: What a formula may fail with on half-typed values (a division by zero, text where a number goes).
EVALUATION_ERRORS = (FormulaError, ArithmeticError, ValueError, TypeError)


class VisibleValues(DraftValues):
    """DraftValues that follow a lookup only to a record the reader may read."""

    def __init__(self, tenant: TenantMeta, obj: ObjectMeta, values: dict, access: RecordAccess, *,
                 depth: int = 0) -> None:
        super().__init__(tenant, obj, values, depth=depth)
        self.access = access

    def _load(self, lookup: FieldMeta) -> DraftValues | None:
        if lookup.api_name not in self._related:
            record_id = self.values.get(lookup.api_name)
            target = self.tenant.objects.get(lookup.type.target(lookup) or "")
            record = None
            if isinstance(record_id, int) and target is not None and self.access.readable(self.obj, lookup):
                record = service.load_record(self.tenant, target, record_id, access=self.access)
            self._related[lookup.api_name] = (
                VisibleValues(self.tenant, target, record.values, self.access, depth=self.depth + 1)
                if record is not None and target is not None else None)
        return self._related[lookup.api_name]


def formula_fields(obj: ObjectMeta, access: RecordAccess) -> list[FieldMeta]:
    """The formula fields of `obj` the user may read (their values can be previewed)."""
    return [f for f in obj.fields if f.type.formula(f) is not None and access.readable(obj, f)]


def preview_formulas(object_api_name: str, payload: Mapping[str, Any], actor: Actor, *,
                     record_id: int | None = None) -> dict[str, Any]:
    """api_name → the value each formula field the user may read would have if `payload` (the
    form's values, as the records API takes them) were saved; None where it cannot be computed yet."""
    tenant, obj = service.get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "read")
    draft = Draft(index=0)
    if record_id is not None:
        draft.current = service.load_record(tenant, obj, record_id, access=access)
        if draft.current is None:
            raise NotFound(_("No such record."), code="unknown_record")
    else:
        access.require(obj, "create")
    pipeline.read_input(obj, dict(payload), draft, access)  # a value that does not read stays as it was
    if draft.current is None:
        pipeline.apply_defaults(obj, [draft], access)
    source = VisibleValues(tenant, obj, draft.values, access)
    values: dict[str, Any] = {}
    for f in formula_fields(obj, access):
        try:
            values[f.api_name] = source.get((f.api_name,))
        except EVALUATION_ERRORS:
            values[f.api_name] = None
    return values


def next_numbers(object_api_name: str, actor: Actor) -> dict[str, Any]:
    """api_name → the value the next record would get in each auto-number field the user may read
    (a preview: the number is taken only when a record is saved, so another may take it first)."""
    _tenant, obj = service.get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "create")
    fields = [f for f in obj.fields if f.type.numbered and access.readable(obj, f)]
    if not fields:
        return {}
    peeked = autonumbers.peek_numbers(fields)
    today = timezone.localdate()
    return {f.api_name: f.type.format_number(f, peeked[f.id], today) for f in fields if f.id in peeked}
