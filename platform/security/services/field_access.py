"""Field-level security of one field across every profile at once: the field designer's grid of
profiles × (hidden / read-only / editable). Each profile changes through update_spec (its checks,
its audit entry), all in one transaction."""

from __future__ import annotations

import copy

from django.db import transaction
from django.utils.translation import gettext as _

from tessera.errors import ErrorCollector
from tessera.security.actor import Actor

from ..models import Profile
from .profiles import LOCKED, update_spec

LEVELS = ("hidden", "read_only", "editable")


def field_levels(object_api_name: str, field_api_name: str) -> list[tuple[Profile, str]]:
    """(profile, level) for every profile, the administrator's first (always editable)."""
    found = []
    for profile in Profile.objects.order_by("-is_standard", "id"):
        fields = ((profile.spec or {}).get("objects", {}).get(object_api_name) or {}).get("fields") or {}
        found.append((profile, "editable" if profile.api_name == LOCKED else fields.get(field_api_name, "editable")))
    return found


def set_field_levels(object_api_name: str, field_api_name: str, levels: dict[str, str], actor: Actor) -> None:
    """Give the field `levels[profile api_name]` in each profile named (the administrator profile
    keeps every field editable); a profile whose level does not change is not written."""
    errors = ErrorCollector()
    for name, level in levels.items():
        if level not in LEVELS:
            errors.add(f"levels.{name}", "invalid", _("Choose hidden, read-only or editable."))
    errors.raise_if_any()
    with transaction.atomic():
        for profile, current in field_levels(object_api_name, field_api_name):
            wanted = levels.get(profile.api_name, current)
            if profile.api_name == LOCKED or wanted == current:
                continue
            spec = copy.deepcopy(profile.spec or {})
            fields = spec.setdefault("objects", {}).setdefault(object_api_name, {}).setdefault("fields", {})
            if wanted == "editable":
                fields.pop(field_api_name, None)
            else:
                fields[field_api_name] = wanted
            update_spec("profile", profile.api_name, {"spec": spec}, actor)
