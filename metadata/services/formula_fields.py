"""Formulas in metadata: formula fields and validation rules are parsed and type-checked when they
are saved (never when a record is read), and formula fields may not refer to each other in a cycle."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from metadata.cache import get_meta
from metadata.formula_scope import MetaScope
from metadata.formulas import FormulaError, FormulaType, compile_formula, find_cycle
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import ErrorCollector

if TYPE_CHECKING:
    from metadata.formulas import CheckedFormula


def formula_message(exc: FormulaError) -> str:
    return str(exc)


def check_formula_field(obj: ObjectMeta, field: FieldMeta, siblings: dict[str, FieldMeta],
                        errors: ErrorCollector, tenant: TenantMeta | None = None) -> None:
    formula = field.type.formula(field)
    if formula is None:
        return
    tenant = tenant or get_meta()
    scope = MetaScope(tenant, obj, extra={name: f for name, f in siblings.items() if name != field.api_name})
    try:
        checked = compile_formula(formula.source, scope, result_type=FormulaType(formula.result_type),
                                  blank_as=formula.blank_as)
    except FormulaError as exc:
        errors.add("options.formula", getattr(exc, "code", "invalid_formula"), formula_message(exc))
        return
    if (field.api_name,) in {tuple(p) for p in checked.references}:
        errors.add("options.formula", "cycle", _("A formula cannot refer to itself."))
        return
    if field.type.materialized(field):
        problem = _not_materializable(tenant, obj, checked, siblings, seen={field.api_name})
        if problem:
            errors.add("options.materialized", "not_materializable", problem)
            return
    graph = formula_graph(tenant, override=(obj.api_name, field.api_name, checked.references))
    cycle = find_cycle(graph)
    if cycle:
        errors.add("options.formula", "cycle", _("Formula fields would refer to each other in a cycle: %(cycle)s.")
                   % {"cycle": " → ".join(cycle)})


def _not_materializable(tenant: TenantMeta, obj: ObjectMeta, checked: CheckedFormula, siblings: dict[str, FieldMeta],
                        seen: set) -> str | None:
    """Why a formula's value could go stale if stored (None: it can be stored). A stored value is
    recomputed on every write of its record, so it may only depend on that record's own fields
    changed through the write path, never on time, related records or children."""
    if checked.uses_now:
        return _("A stored formula cannot use NOW() or TODAY(): its value changes with time.")
    for path in checked.references:
        if len(path) > 1:
            return _("A stored formula can only use the record's own fields, not “%(path)s”.") % {"path": ".".join(path)}
        ref = siblings.get(path[0]) or obj.field(path[0])
        if ref is None:
            continue
        if ref.column not in (None, "name") or ref.type.changes_without_edits:
            return _("A stored formula cannot use “%(name)s”, which changes outside the record's own edits.") % {
                "name": ref.api_name}
        ref_formula = ref.type.formula(ref)
        if ref_formula is not None and ref.api_name not in seen:
            try:
                inner = compile_formula(ref_formula.source, MetaScope(tenant, obj, extra=siblings),
                                        result_type=FormulaType(ref_formula.result_type))
            except FormulaError:
                continue
            problem = _not_materializable(tenant, obj, inner, siblings, seen | {ref.api_name})
            if problem:
                return problem
    return None


def formula_graph(tenant: TenantMeta, *,
                  override: tuple[str, str, Iterable[Sequence[str]]] | None = None) -> dict[str, set[str]]:
    """formula field ("object.field") → formula fields it refers to, across lookups."""
    graph: dict[str, set[str]] = {}

    def add(obj: ObjectMeta, field_name: str, references: Iterable[Sequence[str]]) -> None:
        node = f"{obj.api_name}.{field_name}"
        targets = graph.setdefault(node, set())
        for path in references:
            try:
                chain = MetaScope(tenant, obj).walk(tuple(path))
            except FormulaError:
                continue
            last = chain[-1]
            if last.type.formula(last) is not None:
                targets.add(f"{last.object_api_name}.{last.api_name}")

    for obj in tenant.objects.values():
        for field in obj.fields:
            formula = field.type.formula(field)
            if formula is None:
                continue
            if override and (obj.api_name, field.api_name) == override[:2]:
                continue
            try:
                checked = compile_formula(formula.source, MetaScope(tenant, obj),
                                          result_type=FormulaType(formula.result_type))
            except FormulaError:
                continue
            add(obj, field.api_name, checked.references)
    if override:
        add(tenant.objects[override[0]], override[1], override[2])
    return graph


def check_validation_rules(obj: ObjectMeta, rules: Iterable[dict], errors: ErrorCollector) -> None:
    tenant = get_meta()
    names = set()
    for i, rule in enumerate(rules):
        if rule["api_name"] in names:
            errors.add(f"validation_rules.{i}.api_name", "duplicate", _("Two rules have this name."))
        names.add(rule["api_name"])
        if rule.get("field") and obj.field(rule["field"]) is None:
            errors.add(f"validation_rules.{i}.field", "unknown_field", _("No field named “%(name)s”.")
                       % {"name": rule["field"]})
        try:
            compile_formula(rule["formula"], MetaScope(tenant, obj), result_type=FormulaType.BOOLEAN)
        except FormulaError as exc:
            errors.add(f"validation_rules.{i}.formula", getattr(exc, "code", "invalid_formula"), formula_message(exc))
