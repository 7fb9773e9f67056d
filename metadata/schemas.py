"""The JSON Schemas of metadata, from `metadata/schemas/*.json` — the same files the API serves,
so UIs and template authors validate against exactly what the server enforces.

`validate(kind, document)` raises ValidationFailed with one error per offending property path
(`labels.en`, `sections.0.items.2.field`), every error at once.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tessera.errors import ErrorCollector

from .fieldtypes import field_types
from .labels import with_language_properties

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

    from .fieldtypes import FieldType

SCHEMA_DIR = Path(__file__).parent / "schemas"
KINDS = ("common", "object", "field", "category", "layout", "list_view")


@cache
def load(kind: str) -> dict:
    return with_language_properties(json.loads((SCHEMA_DIR / f"{kind}.json").read_text()))


@receiver(setting_changed)
def _languages_changed(*, setting: str, **kwargs: Any) -> None:
    """Tests that change LANGUAGES see schemas built from the new list."""
    if setting == "LANGUAGES":
        for cached in (load, registry, validator, _options_validator):
            cached.cache_clear()


@cache
def registry() -> Registry:
    return Registry().with_resources((f"{kind}.json", Resource.from_contents(load(kind))) for kind in KINDS)


@cache
def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load(kind), registry=registry())


def options_validator(field_type: FieldType) -> Draft202012Validator:
    return _options_validator(type(field_type))  # type: ignore[arg-type]  # a class is hashable


@cache
def _options_validator(field_type_class: type[FieldType]) -> Draft202012Validator:
    return Draft202012Validator(field_type_class.options_schema, registry=registry())


def collect(kind_or_validator: str | Draft202012Validator, document: Any, errors: ErrorCollector, *, prefix: str = "") -> None:
    """Add every schema error of `document` to `errors`, keyed by its property path."""
    check = validator(kind_or_validator) if isinstance(kind_or_validator, str) else kind_or_validator
    for error in sorted(check.iter_errors(document), key=lambda e: list(e.absolute_path)):
        parts = [str(p) for p in error.absolute_path]
        if error.validator == "required":  # the error belongs to the missing property, not its parent
            parts.append(error.message.split("'")[1])
        path = ".".join(parts)
        where = ".".join(p for p in (prefix, path) if p) or None
        errors.add(where, f"schema_{error.validator}", _schema_message(error))


def _schema_message(error: ValidationError) -> str:
    if error.validator == "required":
        return _("This property is required: %(name)s.") % {"name": error.message.split("'")[1]}
    if error.validator == "additionalProperties":
        return _("Unknown property: %(detail)s") % {"detail": error.message.split("(")[-1].rstrip(")")}
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[-1] == "api_name":
        return _("An API name is 2 to 63 lowercase letters, digits and underscores, starting with a letter.")
    return error.message


def field_schema_document() -> dict:
    """field.json with each registered type's options schema attached (what the API serves)."""
    document = json.loads(json.dumps(load("field")))
    document["properties"]["type"] = {"enum": sorted(field_types.keys())}
    document["allOf"] = [
        {
            "if": {"properties": {"type": {"const": key}}, "required": ["type"]},
            "then": {"properties": {"options": field_type.options_schema}},
        }
        for key, field_type in field_types.items()
    ]
    return document
