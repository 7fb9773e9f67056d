"""Validation of permission specs (profiles and permission sets) against schemas/profile.json and
against the tenant's metadata (objects and fields named must exist)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from metadata.cache import get_meta
from metadata.labels import with_language_properties
from tessera.errors import ErrorCollector

SCHEMA_DIR = Path(__file__).parent / "schemas"


@cache
def profile_schema() -> dict:
    return with_language_properties(json.loads((SCHEMA_DIR / "profile.json").read_text()))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(profile_schema())


@receiver(setting_changed)
def _languages_changed(*, setting: str, **kwargs: Any) -> None:
    """Tests that change LANGUAGES see the schema built from the new list."""
    if setting == "LANGUAGES":
        profile_schema.cache_clear()
        _validator.cache_clear()


def validate_spec(spec: object, errors: ErrorCollector, *, prefix: str = "spec") -> None:
    for error in sorted(_validator().iter_errors(spec), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in error.absolute_path)
        errors.add(".".join(p for p in (prefix, path) if p), f"schema_{error.validator}", error.message)
    if errors or not isinstance(spec, dict):
        return

    tenant = get_meta()
    for name, entry in (spec.get("objects") or {}).items():
        obj = tenant.object(name)
        if obj is None:
            errors.add(f"{prefix}.objects.{name}", "unknown_object", _("No object named “%(name)s”.") % {"name": name})
            continue
        for field_name in (entry.get("fields") or {}):
            if obj.field(field_name) is None:
                errors.add(f"{prefix}.objects.{name}.fields.{field_name}", "unknown_field",
                           _("No field “%(name)s”.") % {"name": field_name})
