"""What a formula editor asks while someone types (the field designer's, a report's calculated
column): is this formula well typed (and where is it not), which fields and functions can come next,
and what does it give on a real record.

Every answer is limited to what the asking user may read (field-level security): a hidden field is
"unknown" to the checker, absent from the suggestions, and blank in a try-out — so the editor can
be offered to report authors who are not administrators.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone

from metadata.cache import get_meta
from metadata.formula_scope import MetaScope
from metadata.formulas import FUNCTIONS, FormulaError, FormulaType, compile_formula, evaluate
from metadata.meta import ObjectMeta, TenantMeta
from tessera.errors import ValidationFailed
from tessera.records import service as records
from tessera.records.formula_values import DraftValues
from tessera.security.actor import Actor

from .common import get_object

#: Function names as people write them (operators are registered under symbols).
_FUNCTION_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _scope(tenant: TenantMeta, obj: ObjectMeta, actor: Actor) -> MetaScope:
    access = records.access_for(actor)
    return MetaScope(tenant, obj, visible=lambda f: access.readable(tenant.objects_by_id[f.object_id], f))


def check_formula(object_api_name: str, source: str, actor: Actor, *, result_type: str | None = None) -> dict:
    """{"ok": True, "type": <result type>} or {"ok": False, "message", "line", "column"} (1-based)."""
    tenant = get_meta()
    obj = get_object(object_api_name, tenant)
    records.access_for(actor).require(obj, "read")
    try:
        wanted = FormulaType(result_type) if result_type else None
    except ValueError:
        wanted = None
    try:
        checked = compile_formula(source, _scope(tenant, obj, actor), result_type=wanted)
    except FormulaError as exc:
        return {"ok": False, "message": exc.message, "line": exc.line, "column": exc.column}
    return {"ok": True, "type": checked.result_type.value}


def formula_catalogue(object_api_name: str, path: str, actor: Actor, *, language: str | None = None) -> dict:
    """The fields that can follow `path` (lookups separated by dots: `account.`), the lookups among
    them marked so the editor can go through them, and every function with its forms."""
    tenant = get_meta()
    obj = get_object(object_api_name, tenant)
    access = records.access_for(actor)
    access.require(obj, "read")
    current: ObjectMeta | None = obj
    for step in [p for p in path.split(".") if p]:
        field = current.field(step) if current else None
        if field is None or not access.readable(current, field):  # type: ignore[arg-type]
            current = None
            break
        current = tenant.objects.get(field.type.target(field) or "")
    fields = []
    if current is not None:
        for f in current.fields:
            if access.readable(current, f):
                fields.append({"name": f.api_name, "label": f.label(language), "type": str(f.type.label),
                               "lookup": f.type.target(f) is not None})
    return {"fields": fields, "functions": function_forms()}


def function_forms() -> list[dict]:
    """Every formula function with the argument types of each of its forms."""
    found = []
    for function in FUNCTIONS.all().values():
        if not _FUNCTION_NAME.match(function.name):
            continue
        forms = [f"{function.name}({', '.join(t.label for t in o.params)}{', …' if o.rest else ''}) → {o.result.label}"
                 for o in function.overloads]
        found.append({"name": function.name, "forms": forms or [f"{function.name}(…)"]})
    return sorted(found, key=lambda f: f["name"])


def try_formula(object_api_name: str, source: str, record_id: int, actor: Actor, *,
                result_type: str | None = None) -> str:
    """The formula's value on one record the actor may read, as text (hidden fields read as blank)."""
    tenant = get_meta()
    obj = get_object(object_api_name, tenant)
    record = records.get_record(object_api_name, record_id, actor)
    try:
        checked = compile_formula(source, _scope(tenant, obj, actor),
                                  result_type=FormulaType(result_type) if result_type else None)
    except (FormulaError, ValueError) as exc:
        raise ValidationFailed.single("formula", "invalid_formula", str(exc)) from None
    values = DraftValues(tenant, obj, dict(record.values))
    return _as_text(evaluate(checked, values, now=timezone.now(), tz=timezone.get_current_timezone()))


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ", ".join(map(str, value))
    return str(value)
