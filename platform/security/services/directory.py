"""The people directory as pages show it: names for user ids, users to pick in a form.

Names of colleagues are readable by every signed-in user of the tenant (as in any CRM: owners are
shown on every record), never outside it (each tenant's users live in its own schema).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q

from tessera.errors import PermissionDenied
from tessera.security.access import user_id as actor_id
from tessera.security.actor import Actor
from tessera.security.models import Department, Role

MAX_CHOICES = 20


def _require_user(actor: Actor) -> None:
    if actor_id(actor) is None:
        raise PermissionDenied(code="not_authenticated")


def user_names(actor: Actor, ids: Iterable[int]) -> dict[int, str]:
    """id → the name to show (full name, else e-mail) for the given user ids."""
    _require_user(actor)
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    rows = get_user_model().objects.filter(pk__in=wanted).values_list("pk", "full_name", "email")
    return {pk: full_name or email for pk, full_name, email in rows}


def user_choices(actor: Actor, text: str) -> list[tuple[int, str]]:
    """Active users whose name or e-mail starts with `text`, for a user field's picker."""
    _require_user(actor)
    users = get_user_model().objects.filter(is_active=True, is_support=False)
    if text:
        users = users.filter(Q(full_name__istartswith=text) | Q(email__istartswith=text))
    return [(pk, full_name or email) for pk, full_name, email in
            users.order_by("full_name", "email").values_list("pk", "full_name", "email")[:MAX_CHOICES]]


def role_choices(actor: Actor) -> list[tuple[int, str]]:
    """Every role of the tenant (id, name), for a "share with" picker: names of roles are as
    public inside a tenant as names of colleagues."""
    _require_user(actor)
    return list(Role.objects.order_by("name").values_list("id", "name"))


def department_choices(actor: Actor) -> list[tuple[int, str]]:
    """Every department of the tenant (id, name), for a "share with" picker."""
    _require_user(actor)
    return list(Department.objects.order_by("name").values_list("id", "name"))
