"""How formulas see metadata: field paths (`amount`, `account.industry`) resolved against a tenant's
objects, through lookups, with the same visibility rules as the fields themselves."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from .formulas import CheckedFormula, FieldInfo, FormulaError, FormulaType, UnknownReference, compile_formula
from .meta import FieldMeta, ObjectMeta, TenantMeta

MAX_DEPTH = 5  # lookups a path may cross, as in Salesforce

_FORMULA_TYPES = {
    "TEXT": FormulaType.TEXT, "NUMBER": FormulaType.NUMBER, "CURRENCY": FormulaType.CURRENCY,
    "PERCENT": FormulaType.PERCENT, "DATE": FormulaType.DATE, "DATETIME": FormulaType.DATETIME,
    "BOOLEAN": FormulaType.BOOLEAN, "PICKLIST": FormulaType.PICKLIST, "MULTIPICKLIST": FormulaType.MULTIPICKLIST,
}


def formula_type_of(field: FieldMeta) -> FormulaType | None:
    """The formula type of a field's values (a formula's or roll-up's: that of its result)."""
    name = field.type.value_type(field).formula_type
    return _FORMULA_TYPES.get(name) if name else None


def scale_of(field: FieldMeta) -> int | None:
    scale = field.options.get("scale")
    return int(scale) if scale is not None else None


class MetaScope:
    """A formula Scope over a tenant's metadata, rooted at one object.

    `visible(field)` decides whether the reader may reference a field (field-level security);
    `extra` adds fields not yet saved (the formula field being checked, for instance).
    """

    def __init__(self, tenant: TenantMeta, root: ObjectMeta, *,
                 visible: Callable[[FieldMeta], bool] | None = None,
                 extra: dict[str, FieldMeta] | None = None) -> None:
        self.tenant = tenant
        self.root = root
        self.visible = visible or (lambda field: True)
        self.extra = extra or {}

    def walk(self, path: tuple[str, ...]) -> list[FieldMeta]:
        """The fields along `path` (lookups, then the final field), or UnknownReference."""
        names = tuple(name.lower() for name in path)
        if not names or len(names) > MAX_DEPTH + 1:
            raise UnknownReference(tuple(path))
        current = self.root
        chain: list[FieldMeta] = []
        for i, name in enumerate(names):
            field = (self.extra.get(name) if current is self.root else None) or current.field(name)
            if field is None or not self.visible(field):
                raise UnknownReference(tuple(path))
            chain.append(field)
            if i < len(names) - 1:
                target = field.type.target(field)
                if target is None:
                    raise UnknownReference(tuple(path))
                target_obj = self.tenant.objects.get(target)
                if target_obj is None:
                    raise UnknownReference(tuple(path))
                current = target_obj
        return chain

    def resolve(self, path: tuple[str, ...]) -> FieldInfo:
        chain = self.walk(path)
        field = chain[-1]
        ftype = formula_type_of(field)
        if ftype is None:
            raise UnknownReference(tuple(path))
        return FieldInfo(type=ftype, scale=scale_of(field), path=tuple(f.api_name for f in chain))


@lru_cache(maxsize=4096)
def checked_formula(tenant: TenantMeta, obj: ObjectMeta, source: str, result_type: str | None,
                    blank_as: str = "zero") -> CheckedFormula:
    """A formula parsed and type-checked against a snapshot, cached (parse + check costs about a
    millisecond; a list page may compile several formula fields). Keyed by the snapshot itself, so a
    metadata change (a new snapshot) never reuses a stale check."""
    return compile_formula(source, MetaScope(tenant, obj),
                           result_type=FormulaType(result_type) if result_type else None, blank_as=blank_as)


def fields_read(tenant: TenantMeta, obj: ObjectMeta, source: str, result_type: str | None,
                blank_as: str = "zero") -> tuple[tuple[ObjectMeta, FieldMeta], ...] | None:
    """(object, field) of every field a formula over `obj` reads, the lookups its references cross
    included (`account.industry`: `account` of obj, then `industry` of account); None when the
    formula no longer resolves. What a reader must be able to read to see its value or its text."""
    try:
        checked = checked_formula(tenant, obj, source, result_type, blank_as)
        scope = MetaScope(tenant, obj)
        found = []
        for path in sorted(checked.references):
            current = obj
            for step in scope.walk(path):
                found.append((current, step))
                current = tenant.objects.get(step.options.get("target", "")) or current
    except FormulaError:
        return None
    return tuple(found)
