"""List views and saved queries. Shared views need the customise right; anyone may keep their own."""

from __future__ import annotations

from django.utils.translation import gettext as _

from metadata.compile import compile_list_view
from metadata.fieldtypes import FieldValueError
from metadata.meta import ListViewMeta, ObjectMeta, TenantMeta
from metadata.models import ListView
from tessera.errors import ErrorCollector, PermissionDenied
from tessera.security.access import is_system, require_customise, user_id
from tessera.security.actor import Actor

from . import specs


def _check(obj: ObjectMeta, spec: dict, errors: ErrorCollector, tenant: TenantMeta) -> None:
    specs.check_field_names(obj, spec.get("columns", ()), errors, "columns")
    stray = [name for name in spec.get("widths", {}) if name not in spec.get("columns", ())]
    if stray:
        errors.add("widths", "unknown_column", _("Widths of columns the view does not show: %(names)s.")
                   % {"names": ", ".join(stray)})
    for i, term in enumerate(spec.get("sort", ())):
        field = obj.field(term.lstrip("-"))
        if field is None or not field.type.sortable:
            errors.add(f"sort.{i}", "invalid_sort", _("Cannot sort by “%(name)s”.") % {"name": term})
    for key, value in spec.get("filters", {}).items():
        name, _sep, op = key.partition("__")
        field = obj.field(name.split(".")[0])
        op = op or "eq"
        if field is None:
            errors.add(f"filters.{key}", "unknown_field", _("No field named “%(name)s”.") % {"name": name})
        elif "." not in name and op not in field.type.filter_ops:
            errors.add(f"filters.{key}", "invalid_operator", _("“%(op)s” cannot filter this field.") % {"op": op})
        elif "." not in name and op not in ("in", "isnull", "range") and value is not None:
            try:
                field.type.coerce(value, field)
            except FieldValueError as exc:
                errors.add(f"filters.{key}", exc.code, exc.message)


#: "shared" is fixed at creation: it decides the owner, which an update never changes.
LIST_VIEW = specs.SpecKind(model=ListView, schema="list_view", entity="list_view", check=_check,
                           immutable=("api_name", "shared"))


def _owner(spec: dict, actor: Actor) -> dict:
    """Shared views belong to nobody (and need the customise right); others to their creator."""
    if spec.get("shared", False) or is_system(actor):
        require_customise(actor)
        return {"owner_id": None}
    if user_id(actor) is None:
        raise PermissionDenied(_("Log in first."), code="not_authenticated")
    return {"owner_id": user_id(actor)}


def create_list_view(object_api_name: str, spec: dict, actor: Actor) -> ListViewMeta:
    extra = _owner(spec, actor)
    return compile_list_view(specs.create(LIST_VIEW, object_api_name, spec, actor, extra=extra))


def update_list_view(object_api_name: str, api_name: str, changes: dict, actor: Actor, *,
                     shared: bool = True) -> ListViewMeta:
    extra = _owner({"shared": shared}, actor)
    return compile_list_view(specs.update(LIST_VIEW, object_api_name, api_name, changes, actor, extra=extra))


def delete_list_view(object_api_name: str, api_name: str, actor: Actor, *, shared: bool = True) -> None:
    specs.delete(LIST_VIEW, object_api_name, api_name, actor, extra=_owner({"shared": shared}, actor))


def visible_list_views(obj: ObjectMeta, viewer_id: int | None) -> list[ListViewMeta]:
    """Shared views (from the metadata snapshot), then the viewer's own personal ones (read here:
    they are not in the snapshot); never other users' personal views."""
    views = list(obj.list_views)
    if viewer_id is not None:
        views += [compile_list_view(row) for row in ListView.objects.filter(object_id=obj.id, owner_id=viewer_id)
                  .order_by("id").only("id", "api_name", "owner_id", "spec")]
    return views
