"""Dashboards and desktops as use cases: create, change, delete, read what a user may see, and run
a dashboard as another user.

A shared dashboard is tenant metadata: changing it needs the build-dashboards right (or
customise), takes the metadata lock and is recorded in the metadata history. A personal dashboard
and a user's desktop are that user's preferences (as personal list views are): no lock, no new
metadata version, no one else reads them. Panels only name what they show (a report, a list view); what a viewer sees in them is
decided when they are drawn, by the services that read the data, as that viewer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from metadata import schemas
from metadata.labels import with_language_properties
from metadata.meta import pick_label
from metadata.versioning import lock_metadata, record_change
from tessera.errors import ErrorCollector, NotFound, PermissionDenied
from tessera.security import audit
from tessera.security.access import access_for, authenticated, is_system, user_id
from tessera.security.actor import Actor

from .models import Dashboard

SCHEMA = Path(__file__).parent / "schemas" / "dashboard.json"
GRID_COLUMNS = 12
#: Properties fixed at creation: the name, and whether it is shared (which decides its owner).
IMMUTABLE = ("api_name", "shared")
DESKTOP_NAME = "desktop"


@dataclass(frozen=True)
class PanelSpec:
    """One panel of a dashboard or desktop: a registered panel kind and its parameters."""

    id: str
    panel: str
    params: Mapping[str, Any]
    labels: Mapping[str, str]
    x: int = 0
    y: int = 0
    w: int = 4
    h: int = 4

    def label(self, language: str | None) -> str:
        return pick_label(self.labels, language)


@dataclass(frozen=True)
class DashboardFilter:
    field: str
    default: str = ""


@dataclass(frozen=True)
class DashboardMeta:
    id: int
    api_name: str
    labels: Mapping[str, str]
    owner_id: int | None
    items: tuple[PanelSpec, ...]
    filters: tuple[DashboardFilter, ...] = ()

    @property
    def shared(self) -> bool:
        return self.owner_id is None

    def label(self, language: str | None) -> str:
        return pick_label(self.labels, language) or self.api_name

    def spec(self) -> dict:
        return _spec_of(self)


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(with_language_properties(json.loads(SCHEMA.read_text())), registry=schemas.registry())


def compile_dashboard(row: Dashboard) -> DashboardMeta:
    spec = row.spec
    items = tuple(PanelSpec(id=i["id"], panel=i["panel"], params=dict(i.get("params", {})),
                            labels=dict(i.get("labels", {})), x=i.get("x", 0), y=i.get("y", 0),
                            w=i.get("w", 4), h=i.get("h", 4)) for i in spec.get("items", ()))
    filters = tuple(DashboardFilter(f["field"], f.get("default", "")) for f in spec.get("filters", ()))
    return DashboardMeta(id=row.pk, api_name=row.api_name, labels=dict(spec.get("labels", {})),
                         owner_id=row.owner_id, items=items, filters=filters)


def _spec_of(dashboard: DashboardMeta) -> dict:
    items = []
    for item in dashboard.items:
        entry: dict[str, Any] = {"id": item.id, "panel": item.panel, "x": item.x, "y": item.y, "w": item.w, "h": item.h}
        if item.params:
            entry["params"] = dict(item.params)
        if item.labels:
            entry["labels"] = dict(item.labels)
        items.append(entry)
    spec: dict[str, Any] = {"api_name": dashboard.api_name, "shared": dashboard.shared, "items": items}
    if dashboard.labels:
        spec["labels"] = dict(dashboard.labels)
    if dashboard.filters:
        spec["filters"] = [{"field": f.field, **({"default": f.default} if f.default else {})} for f in dashboard.filters]
    return spec


def _validate(spec: dict, errors: ErrorCollector) -> None:
    """The schema, then what a schema cannot say: panel ids unique, panels inside the grid."""
    schemas.collect(validator(), spec, errors)
    errors.raise_if_any()
    seen: set[str] = set()
    for i, item in enumerate(spec["items"]):
        if item["id"] in seen:
            errors.add(f"items.{i}.id", "duplicate", _("Two panels have the id “%(id)s”.") % {"id": item["id"]})
        seen.add(item["id"])
        if item.get("x", 0) + item.get("w", 4) > GRID_COLUMNS:
            errors.add(f"items.{i}.w", "outside_grid", _("The panel does not fit in the grid's 12 columns."))
    names = [f["field"] for f in spec.get("filters", ())]
    if len(set(names)) != len(names):
        errors.add("filters", "duplicate", _("A field can be a dashboard filter only once."))
    errors.raise_if_any()


#: The profile right to build shared dashboards (administrators' customise right includes it).
BUILD_DASHBOARDS = "build_dashboards"


def may_share(actor: Actor) -> bool:
    if is_system(actor):
        return True
    access = access_for(actor)
    return access.has_right(BUILD_DASHBOARDS) or access.has_right("customize")


def require_share(actor: Actor) -> None:
    if not is_system(actor) and not authenticated(actor):
        raise PermissionDenied(_("Log in first."), code="not_authenticated")
    if not may_share(actor):
        raise PermissionDenied(_("Shared dashboards need the “build dashboards” right."), code="no_build_dashboards_right")


def _owner_for(shared: bool, actor: Actor) -> int | None:
    """Shared dashboards belong to nobody and need the build-dashboards right; others to their creator."""
    if shared or is_system(actor):
        require_share(actor)
        return None
    owner = user_id(actor)
    if owner is None:
        raise PermissionDenied(_("Log in first."), code="not_authenticated")
    return owner


def create_dashboard(spec: dict, actor: Actor) -> DashboardMeta:
    errors = ErrorCollector()
    _validate(spec, errors)
    owner = _owner_for(spec.get("shared", False), actor)
    with transaction.atomic():
        if owner is None:
            lock_metadata()
        if Dashboard.objects.filter(kind=Dashboard.Kind.DASHBOARD, api_name=spec["api_name"], owner_id=owner).exists():
            errors.add("api_name", "taken", _("“%(name)s” exists already.") % {"name": spec["api_name"]})
            errors.raise_if_any()
        stored = {k: copy.deepcopy(v) for k, v in spec.items() if k not in ("api_name", "shared")}
        row = Dashboard.objects.create(api_name=spec["api_name"], owner_id=owner, spec=stored)
        if owner is None:
            record_change(entity="dashboard", action="create", entity_id=row.pk, after=spec, user=actor)
    return compile_dashboard(row)


def update_dashboard(dashboard_id: int, changes: dict, actor: Actor) -> DashboardMeta:
    """Apply `changes` (top-level properties; None removes one) to a dashboard the actor may change."""
    errors = ErrorCollector()
    for key in IMMUTABLE:
        if key in changes:
            errors.add(key, "immutable", _("This property cannot be changed."))
    errors.raise_if_any()
    with transaction.atomic():
        row = _changeable(dashboard_id, actor)
        before = compile_dashboard(row).spec()
        spec = {**before, **{k: v for k, v in changes.items() if v is not None}}
        for key in [k for k, v in changes.items() if v is None]:
            spec.pop(key, None)
        _validate(spec, errors)
        row.spec = {k: copy.deepcopy(v) for k, v in spec.items() if k not in ("api_name", "shared")}
        row.save(update_fields=["spec", "updated_at"])
        if row.owner_id is None:
            record_change(entity="dashboard", action="update", entity_id=row.pk, before=before, after=spec, user=actor)
    return compile_dashboard(row)


def delete_dashboard(dashboard_id: int, actor: Actor) -> None:
    with transaction.atomic():
        row = _changeable(dashboard_id, actor)
        before = compile_dashboard(row).spec()
        row.delete()
        if before["shared"]:
            record_change(entity="dashboard", action="delete", entity_id=dashboard_id, before=before, user=actor)


def _changeable(dashboard_id: int, actor: Actor) -> Dashboard:
    """The dashboard's row, locked, when the actor may change it (else NotFound or PermissionDenied)."""
    row = _row(dashboard_id, actor)
    if row.owner_id is None:
        require_share(actor)
        lock_metadata()
    return Dashboard.objects.select_for_update().get(pk=row.pk)


def _row(dashboard_id: int, actor: Actor) -> Dashboard:
    """A dashboard the actor may see: shared, or their own (another user's is not announced)."""
    row = Dashboard.objects.filter(pk=dashboard_id, kind=Dashboard.Kind.DASHBOARD).first()
    if row is None or (row.owner_id is not None and row.owner_id != user_id(actor) and not is_system(actor)):
        raise NotFound(_("No such dashboard."), code="unknown_dashboard")
    return row


def get_dashboard(dashboard_id: int, actor: Actor) -> DashboardMeta:
    return compile_dashboard(_row(dashboard_id, actor))


def can_change(dashboard: DashboardMeta, actor: Actor) -> bool:
    if dashboard.shared:
        return may_share(actor)
    return dashboard.owner_id == user_id(actor)


def dashboards_for(actor: Actor) -> list[DashboardMeta]:
    """The shared dashboards, then the actor's own, each group in the order they were made."""
    rows = Dashboard.objects.filter(kind=Dashboard.Kind.DASHBOARD, owner__isnull=True)
    own = user_id(actor)
    found = [compile_dashboard(r) for r in rows]
    if own is not None:
        found += [compile_dashboard(r) for r in Dashboard.objects.filter(kind=Dashboard.Kind.DASHBOARD, owner_id=own)]
    return found


def desktop_for(actor: Actor) -> DashboardMeta | None:
    """The actor's arrangement of their home page, or None while they keep the default one."""
    own = user_id(actor)
    row = Dashboard.objects.filter(kind=Dashboard.Kind.DESKTOP, owner_id=own).first() if own else None
    return compile_dashboard(row) if row is not None else None


def save_desktop(items: list[dict], actor: Actor) -> DashboardMeta:
    """Keep the actor's home page as `items` (panels in reading order, `w` 1 or 2 columns)."""
    own = user_id(actor)
    if own is None:
        raise PermissionDenied(_("Log in first."), code="not_authenticated")
    errors = ErrorCollector()
    spec = {"api_name": DESKTOP_NAME, "items": items}
    _validate(spec, errors)
    with transaction.atomic():
        row, _created = Dashboard.objects.select_for_update().get_or_create(
            kind=Dashboard.Kind.DESKTOP, api_name=DESKTOP_NAME, owner_id=own, defaults={"spec": {}})
        row.spec = {"items": copy.deepcopy(items)}
        row.save(update_fields=["spec", "updated_at"])
    return compile_dashboard(row)


def reset_desktop(actor: Actor) -> None:
    own = user_id(actor)
    if own is not None:
        Dashboard.objects.filter(kind=Dashboard.Kind.DESKTOP, owner_id=own).delete()


def viewer_for(dashboard: DashboardMeta, actor: Actor, as_user: int | None) -> Actor:
    """Who a dashboard runs as: its viewer; another user only for holders of the view-all right,
    and then the audit log says who looked through whose eyes."""
    if as_user is None or as_user == user_id(actor):
        return actor
    if not access_for(actor).has_right("view_all_data"):
        raise PermissionDenied(_("Only users who may view all data can view a dashboard as another user."),
                               code="view_as_denied")
    other = get_user_model().objects.filter(pk=as_user, is_active=True).first()
    if other is None:
        raise NotFound(_("No such user."), code="unknown_user")
    audit.log(actor, "dashboards.view_as", target_type="dashboard", target_id=dashboard.id,
              detail={"as_user": other.pk, "as_email": other.email})
    return other
