"""The permission service: the one place every path asks "may this actor do this?".

Services call it; views never do. Its answers are designed for every feature (records API, UI,
reports, reminders, imports, exports): object rights, field access, and the records an actor may
see as a SQL predicate, so lists are filtered inside the query, never after fetching.

An actor is a tenant user, or SYSTEM for installs and migrations: an explicit bypass that shows up
in the audit trail (changed_by empty, actor "system"), never a silent flag.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from tessera.errors import PermissionDenied


class SystemActor:
    """Installs, migrations and background maintenance: every right, no user."""

    pk = None
    id = None
    is_admin = True
    is_active = True
    is_authenticated = True

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return actor is SYSTEM


def require_customise(actor) -> None:
    """Changing metadata needs the 'customise' right (tenant administrators)."""
    if is_system(actor):
        return
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Log in first."), code="not_authenticated")
    if not getattr(actor, "is_admin", False):
        raise PermissionDenied(_("Changing the configuration needs the customise right."), code="no_customise_right")


def user_id(actor) -> int | None:
    """The user id to stamp on writes (None for SYSTEM)."""
    return None if is_system(actor) or actor is None else actor.pk


class RecordAccess:
    """What one actor may do with records. Every records path asks this object, and only it.

    - `require(obj, action)`: object rights (create, read, edit, delete);
    - `field_access(obj, field)`: "hidden", "read" or "edit";
    - `row_predicate(obj, action, alias)`: the rows the actor may read/edit/delete, as SQL over the
      record alias (None: all rows), so lists are filtered inside the query.

    This default grants every active user of the tenant everything on records; profiles, roles,
    departments and sharing narrow it (see the security model).
    """

    ACTIONS = ("create", "read", "edit", "delete")

    def __init__(self, actor):
        self.actor = actor

    @property
    def user_id(self) -> int | None:
        return user_id(self.actor)

    def can(self, obj, action: str) -> bool:
        if is_system(self.actor):
            return True
        return bool(self.actor is not None and getattr(self.actor, "is_authenticated", False)
                    and getattr(self.actor, "is_active", False))

    def require(self, obj, action: str) -> None:
        if not self.can(obj, action):
            raise PermissionDenied(_("You may not %(action)s %(object)s records.")
                                   % {"action": action, "object": obj.label(None, plural=True)},
                                   code=f"no_{action}_right")

    def field_access(self, obj, field) -> str:
        return "edit"

    def readable(self, obj, field) -> bool:
        return self.field_access(obj, field) != "hidden"

    def editable(self, obj, field) -> bool:
        return self.field_access(obj, field) == "edit"

    def row_predicate(self, obj, action: str, alias: str = "r"):
        return None


def access_for(actor) -> RecordAccess:
    return RecordAccess(actor)
