"""Edit and view layouts: sections of one to three columns, field order, overrides, related lists.

An edit layout keeps every field a user must fill in (required, writable, with no default; for a
category's layout, the category's required fields too): a form without one could never be saved."""

from __future__ import annotations

from django.utils.translation import gettext as _

from metadata.cache import get_meta
from metadata.meta import LayoutMeta, ObjectMeta, TenantMeta
from metadata.models import Layout
from tessera.errors import ErrorCollector
from tessera.security.access import require_customise
from tessera.security.actor import Actor

from . import specs


def _check(obj: ObjectMeta, spec: dict, errors: ErrorCollector, tenant: TenantMeta) -> None:
    seen = set()
    for s, section in enumerate(spec.get("sections", ())):
        for i, item in enumerate(section.get("items", ())):
            name = item["field"]
            where = f"sections.{s}.items.{i}.field"
            if obj.field(name) is None:
                errors.add(where, "unknown_field", _("No field named “%(name)s”.") % {"name": name})
            elif name in seen:
                errors.add(where, "duplicate_field", _("“%(name)s” is on the layout twice.") % {"name": name})
            seen.add(name)
    if spec.get("kind") == "edit":
        _check_required_present(obj, spec, seen, errors)
    specs.check_field_names(obj, spec.get("compact_fields", ()), errors, "compact_fields")
    path_field = obj.field(spec["path_field"]) if spec.get("path_field") else None
    if spec.get("path_field") and (path_field is None or path_field.type.choice_keys(path_field) is None):
        errors.add("path_field", "invalid_path_field", _("“%(name)s” is not a picklist of this object.")
                   % {"name": spec["path_field"]})
    if spec.get("category") and spec["category"] not in obj.categories:
        errors.add("category", "unknown_category", _("No category named “%(name)s”.") % {"name": spec["category"]})
    for r, related in enumerate(spec.get("related_lists", ())):
        child = tenant.objects.get(related["object"])
        link = child.field(related["field"]) if child else None
        if link is None or link.type.target(link) != obj.api_name:
            errors.add(f"related_lists.{r}.field", "invalid_relation",
                       _("“%(object)s.%(field)s” is not a lookup to this object.")
                       % {"object": related["object"], "field": related["field"]})
            continue
        assert child is not None  # else link is None
        specs.check_field_names(child, related.get("columns", ()), errors, f"related_lists.{r}.columns")
        specs.check_field_names(child, [s.lstrip("-") for s in related.get("sort", ())], errors,
                                f"related_lists.{r}.sort")


def must_stay(obj: ObjectMeta, category: str | None = None) -> list[str]:
    """The fields an edit layout (of `category`) may not leave out."""
    extra = obj.categories[category].required_fields if category and category in obj.categories else frozenset()
    return [f.api_name for f in obj.fields
            if (f.required or f.api_name in extra) and f.writable and f.default is None and not f.hidden]


def _check_required_present(obj: ObjectMeta, spec: dict, present: set[str], errors: ErrorCollector) -> None:
    for name in must_stay(obj, spec.get("category")):
        if name not in present:
            field = obj.fields_by_name[name]
            errors.add("sections", "required_field_missing",
                       _("“%(name)s” is required: it must stay on the edit layout.") % {"name": field.label()})


LAYOUT = specs.SpecKind(model=Layout, schema="layout", entity="layout", check=_check, columns=("kind",),
                        immutable=("api_name", "kind"))


def create_layout(object_api_name: str, spec: dict, actor: Actor) -> LayoutMeta:
    require_customise(actor)
    specs.create(LAYOUT, object_api_name, spec, actor)
    return get_meta().objects[object_api_name].layouts[spec["api_name"]]


def update_layout(object_api_name: str, api_name: str, changes: dict, actor: Actor) -> LayoutMeta:
    require_customise(actor)
    specs.update(LAYOUT, object_api_name, api_name, changes, actor)
    return get_meta().objects[object_api_name].layouts[api_name]


def delete_layout(object_api_name: str, api_name: str, actor: Actor) -> None:
    require_customise(actor)
    specs.delete(LAYOUT, object_api_name, api_name, actor)
