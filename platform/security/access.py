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
