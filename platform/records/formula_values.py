"""Formulas evaluated in Python on records being written (validation rules, previews): field
values come from the draft, values through lookups from the referenced records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from metadata.formula_scope import checked_formula
from metadata.formulas import evaluate
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta

from . import repository


class DraftValues:
    """A formula ValueSource over one record's values (api_name → Python value)."""

    def __init__(self, tenant: TenantMeta, obj: ObjectMeta, values: dict, *, depth: int = 0) -> None:
        self.tenant = tenant
        self.obj = obj
        self.values = values
        self.depth = depth
        self._related: dict[str, DraftValues | None] = {}

    def get(self, path: tuple[str, ...]) -> Any:
        name = path[0]
        field = self.obj.field(name)
        if field is None:
            return None
        if len(path) > 1:
            related = self._load(field)
            return None if related is None else related.get(tuple(path[1:]))
        formula = field.type.formula(field)
        if formula is not None:
            checked = checked_formula(self.tenant, self.obj, formula.source, formula.result_type, formula.blank_as)
            return field.type.finish(  # type: ignore[attr-defined]  # a formula field
                evaluate(checked, self, now=timezone.now(), tz=timezone.get_current_timezone()), field)
        return field.type.to_formula(self.values.get(name), field)

    def _load(self, lookup: FieldMeta) -> DraftValues | None:
        if lookup.api_name not in self._related:
            record_id = self.values.get(lookup.api_name)
            target = self.tenant.objects.get(lookup.type.target(lookup) or "")
            record = repository.load_record(self.tenant, target, record_id) if (record_id and target) else None
            self._related[lookup.api_name] = (
                DraftValues(self.tenant, target, record.values, depth=self.depth + 1) if record and target else None)
        return self._related[lookup.api_name]


def evaluate_rule(tenant: TenantMeta, obj: ObjectMeta, rule: Mapping[str, Any], source: DraftValues) -> bool:
    """True when the rule's formula says the record is invalid."""
    checked = checked_formula(tenant, obj, rule["formula"], "boolean")
    return bool(evaluate(checked, source, now=timezone.now(), tz=timezone.get_current_timezone()))
