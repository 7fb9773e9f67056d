"""Helpers shared by the security services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils.translation import gettext as _

from tessera.errors import ErrorCollector, NotFound
from tessera.security.actor import Actor

from ..access import access_for

if TYPE_CHECKING:
    from ..models import User

M = TypeVar("M", bound=Model)


def require_manage_users(actor: Actor) -> None:
    access_for(actor).require_right("manage_users")


@overload
def get_user(user_id: Any, *, field: str | None = None, errors: None = None, active: bool = False) -> User: ...
@overload
def get_user(user_id: Any, *, field: str | None = None, errors: ErrorCollector, active: bool = False) -> User | None: ...
def get_user(user_id: Any, *, field: str | None = None, errors: ErrorCollector | None = None,
             active: bool = False) -> User | None:
    """A user of this schema by id. With `errors`, a bad id is a field error (None returned);
    without, NotFound. `active`: an inactive (or support) user is a field error too."""
    User = get_user_model()
    user = None
    try:
        user = User.objects.filter(pk=int(user_id)).first()
    except (TypeError, ValueError):
        user = None
    if user is None:
        if errors is None:
            raise NotFound(_("No such user."), code="unknown_user")
        errors.add(field, "unknown_user", _("No such user."))
        return None
    if active and (not user.is_active or user.is_support):
        if errors is None:
            raise NotFound(_("No such active user."), code="inactive_user")
        errors.add(field, "inactive_user", _("This user is not active."))
        return None
    return user


def pick(model: type[M], value: Any, *, field: str, errors: ErrorCollector, code: str,
         lookup: str = "pk") -> M | None:
    """A row of `model` by `lookup` for an input value (None stays None), or a field error."""
    if value is None:
        return None
    try:
        row = model._default_manager.filter(**{lookup: value}).first()
    except (TypeError, ValueError):
        row = None
    if row is None:
        errors.add(field, code, _("“%(value)s” does not exist.") % {"value": value})
    return row
