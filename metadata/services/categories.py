"""Record categories (客户主分类): each with its own required fields, allowed picklist values, layouts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from metadata.cache import get_meta
from metadata.meta import CategoryMeta, ObjectMeta, TenantMeta
from metadata.models import RecordCategory
from tessera.errors import ErrorCollector
from tessera.security.access import require_customise
from tessera.security.actor import Actor

from . import specs


def _check(obj: ObjectMeta, spec: dict, errors: ErrorCollector, tenant: TenantMeta) -> None:
    specs.check_field_names(obj, spec.get("required_fields", ()), errors, "required_fields")
    specs.check_field_names(obj, spec.get("fields", ()), errors, "fields")
    for name, chosen in spec.get("picklist_values", {}).items():
        field = obj.field(name)
        keys = field.type.choice_keys(field) if field is not None else None
        if keys is None:
            errors.add(f"picklist_values.{name}", "invalid_field", _("“%(name)s” is not a picklist of this object.")
                       % {"name": name})
            continue
        unknown = sorted(set(chosen) - set(keys))
        if unknown:
            errors.add(f"picklist_values.{name}", "unknown_value", _("Unknown values: %(keys)s.")
                       % {"keys": ", ".join(unknown)})
    for kind in ("edit", "view"):
        layout = spec.get(f"{kind}_layout")
        if layout and (layout not in obj.layouts or obj.layouts[layout].kind != kind):
            errors.add(f"{kind}_layout", "unknown_layout", _("No %(kind)s layout named “%(name)s”.")
                       % {"kind": kind, "name": layout})


CATEGORY = specs.SpecKind(model=RecordCategory, schema="category", entity="category", check=_check,
                          columns=("position",))


def create_category(object_api_name: str, spec: dict, actor: Actor) -> CategoryMeta:
    require_customise(actor)
    specs.create(CATEGORY, object_api_name, spec, actor)
    return get_meta().objects[object_api_name].categories[spec["api_name"]]


def update_category(object_api_name: str, api_name: str, changes: dict, actor: Actor) -> CategoryMeta:
    require_customise(actor)
    specs.update(CATEGORY, object_api_name, api_name, changes, actor)
    return get_meta().objects[object_api_name].categories[api_name]


def delete_category(object_api_name: str, api_name: str, actor: Actor) -> None:
    """Records keep their category key; a deleted category simply no longer applies rules."""
    require_customise(actor)
    specs.delete(CATEGORY, object_api_name, api_name, actor)
