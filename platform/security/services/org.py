"""Departments (a tree) and roles (a hierarchy). Cycles are refused; a node still used (by users,
children, sharing rules) cannot be deleted."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tessera.errors import Conflict, ErrorCollector, NotFound
from tessera.security.actor import Actor

from .. import audit
from ..access import authenticated
from ..models import Department, Role
from ..rights import descendants
from .common import pick, require_manage_users

KINDS: dict[str, type[Role] | type[Department]] = {"role": Role, "department": Department}


def list_nodes(kind: str, actor: Actor) -> QuerySet[Role] | QuerySet[Department]:
    if not authenticated(actor):
        require_manage_users(actor)
    return KINDS[kind].objects.order_by("id")


def get_node(kind: str, node_id: Any, actor: Actor) -> Role | Department:
    list_nodes(kind, actor)
    model = KINDS[kind]
    try:
        return model.objects.get(pk=int(node_id))
    except (model.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No such %(kind)s.") % {"kind": kind}, code=f"unknown_{kind}") from None


def create_node(kind: str, data: dict, actor: Actor) -> Role | Department:
    require_manage_users(actor)
    model = KINDS[kind]
    errors = ErrorCollector()
    name = _name(data.get("name"), errors)
    parent = pick(model, data.get("parent"), field="parent", errors=errors, code=f"unknown_{kind}")
    errors.raise_if_any()
    with transaction.atomic():
        try:
            with transaction.atomic():
                node = model.objects.create(name=name, parent=parent)  # type: ignore[misc]  # parent: same kind
        except IntegrityError:
            errors.add("name", "taken", _("This name is taken."))
            errors.raise_if_any()
        audit.log(actor, f"{kind}.create", target_type=kind, target_id=node.pk,
                  detail={"name": name, "parent": parent.pk if parent else None})
    return node


def update_node(kind: str, node_id: Any, data: dict, actor: Actor) -> Role | Department:
    require_manage_users(actor)
    model = KINDS[kind]
    errors = ErrorCollector()
    with transaction.atomic():
        node = get_node(kind, node_id, actor)
        node = model.objects.select_for_update().get(pk=node.pk)
        before = {"name": node.name, "parent": node.parent_id}
        if "name" in data:
            node.name = _name(data.get("name"), errors)
        if "parent" in data:
            parent = pick(model, data.get("parent"), field="parent", errors=errors, code=f"unknown_{kind}")
            if parent is not None:
                parents: dict[int, int | None] = dict(model.objects.values_list("id", "parent_id"))
                if parent.pk == node.pk or parent.pk in descendants(parents, node.pk):
                    errors.add("parent", "cycle", _("A %(kind)s cannot be placed under itself or one below it.")
                               % {"kind": kind})
            node.parent = parent
        errors.raise_if_any()
        try:
            with transaction.atomic():
                node.save()
        except IntegrityError:
            errors.add("name", "taken", _("This name is taken."))
            errors.raise_if_any()
        audit.log(actor, f"{kind}.update", target_type=kind, target_id=node.pk,
                  detail={"before": before, "after": {"name": node.name, "parent": node.parent_id}})
    return node


def delete_node(kind: str, node_id: Any, actor: Actor) -> None:
    require_manage_users(actor)
    with transaction.atomic():
        node = get_node(kind, node_id, actor)
        if node.children.exists() or node.users.exists():
            raise Conflict(_("Move its users and the %(kind)ss below it first.") % {"kind": kind}, code="in_use")
        audit.log(actor, f"{kind}.delete", target_type=kind, target_id=node.pk, detail={"name": node.name})
        node.delete()


def _name(value: Any, errors: ErrorCollector) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        errors.add("name", "required", _("Give a name."))
    elif len(name) > 100:
        errors.add("name", "too_long", _("At most 100 characters."))
    return name
