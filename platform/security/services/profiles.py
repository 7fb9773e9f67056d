"""Permission profiles and permission sets (same spec shape, see schemas/profile.json)."""

from __future__ import annotations

import copy
import re

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tessera.errors import Conflict, ErrorCollector, NotFound, PermissionDenied
from tessera.security.actor import Actor

from .. import audit
from ..access import authenticated
from ..models import Invitation, PermissionSet, Profile, SupportGrant
from ..rights import ACTIONS, implied
from ..specs import validate_spec
from .common import require_manage_users

API_NAME = re.compile(r"^[a-z](?:[a-z0-9]|_(?!_)){0,61}[a-z0-9]$")
KINDS: dict[str, type[Profile] | type[PermissionSet]] = {"profile": Profile, "permission_set": PermissionSet}
#: The administrator profile keeps every right, so a tenant can never lock itself out.
LOCKED = "administrator"


def list_specs(kind: str, actor: Actor) -> QuerySet[Profile] | QuerySet[PermissionSet]:
    if not authenticated(actor):
        require_manage_users(actor)
    return KINDS[kind].objects.order_by("id")


def get_spec(kind: str, api_name: str, actor: Actor) -> Profile | PermissionSet:
    list_specs(kind, actor)
    row = KINDS[kind].objects.filter(api_name=api_name).first()
    if row is None:
        raise NotFound(_("No %(kind)s named “%(name)s”.") % {"kind": kind.replace("_", " "), "name": api_name},
                       code=f"unknown_{kind}")
    return row


def create_spec(kind: str, data: dict, actor: Actor) -> Profile | PermissionSet:
    require_manage_users(actor)
    errors = ErrorCollector()
    api_name = data.get("api_name")
    if not isinstance(api_name, str) or not API_NAME.match(api_name):
        errors.add("api_name", "invalid", _("An API name is 2 to 63 lowercase letters, digits and underscores, "
                                             "starting with a letter."))
    spec = data.get("spec", {})
    validate_spec(spec, errors)
    errors.raise_if_any()
    assert isinstance(api_name, str)  # else raise_if_any() raised
    model = KINDS[kind]
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = model.objects.create(api_name=api_name, spec=spec)
        except IntegrityError:
            errors.add("api_name", "taken", _("This API name is taken."))
            errors.raise_if_any()
        audit.log(actor, f"{kind}.create", target_type=kind, target_id=api_name, detail={"spec": spec})
    return row


def update_spec(kind: str, api_name: str, data: dict, actor: Actor) -> Profile | PermissionSet:
    require_manage_users(actor)
    if kind == "profile" and api_name == LOCKED:
        raise PermissionDenied(_("The administrator profile always has every right."), code="locked_profile")
    errors = ErrorCollector()
    spec = data.get("spec")
    validate_spec(spec, errors)
    errors.raise_if_any()
    with transaction.atomic():
        row = get_spec(kind, api_name, actor)
        row = KINDS[kind].objects.select_for_update().get(pk=row.pk)
        before = copy.deepcopy(row.spec)
        row.spec = spec
        row.save(update_fields=["spec", "updated_at"])
        audit.log(actor, f"{kind}.update", target_type=kind, target_id=api_name,
                  detail={"before": before, "after": spec})
    return row


def delete_spec(kind: str, api_name: str, actor: Actor) -> None:
    require_manage_users(actor)
    with transaction.atomic():
        row = get_spec(kind, api_name, actor)
        if getattr(row, "is_standard", False):
            raise Conflict(_("Standard profiles cannot be deleted."), code="standard_profile")
        if row.users.exists():
            raise Conflict(_("Users still have it; give them another first."), code="in_use")
        if kind == "profile":
            if SupportGrant.objects.filter(profile=row.pk).exists() or Invitation.objects.filter(profile=row.pk).exists():
                raise Conflict(_("Support grants or invitations still use it."), code="in_use")
        audit.log(actor, f"{kind}.delete", target_type=kind, target_id=api_name, detail={"spec": row.spec})
        row.delete()


def profile_view_of(api_name: str, object_api_name: str, actor: Actor) -> tuple[frozenset[str], dict[str, str]]:
    """What a profile alone grants on one object: its actions, and the level of each field it names
    (a field it does not name is editable). For "preview as profile" in the layout designer."""
    spec = get_spec("profile", api_name, actor).spec
    default = spec.get("default_object") or {}
    entry = (spec.get("objects") or {}).get(object_api_name) or {}
    actions = implied(a for a in ACTIONS if entry.get(a, default.get(a, False)))
    if (spec.get("admin") or {}).get("view_all_data"):
        actions |= {"read", "view_all"}
    return actions, dict(entry.get("fields") or {})
