"""`Actor`: the type of the `actor` argument that every service takes.

An actor is whoever a service acts for: a user of the current schema (`security.User`, usually
`request.user`), `access.SYSTEM` for installs, migrations and maintenance, or Django's AnonymousUser when
nobody is logged in (the service then refuses). Services never read the actor's rights themselves: they
ask the permission service (`access_for(actor)`) and stamp `access.user_id(actor)` on what they write.
So the protocol holds only what every kind of actor has; what only users have (`is_admin`,
`is_support`, `email`) is read by the permission and audit code alone, with a default for the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from .models import User


class Actor(Protocol):
    """A user, SYSTEM or an anonymous user (see the module docstring)."""

    @property
    def pk(self) -> Any:
        """The user's id in the current schema; None for SYSTEM and anonymous users."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...


def acting_user(actor: Actor | None) -> User | None:
    """The actor as the user row a foreign key stores (created_by, granted_by…): None for SYSTEM and
    anonymous users, the only actors without an id."""
    return cast("User", actor) if getattr(actor, "pk", None) else None
