"""System checks: every registered field type fulfils its contract."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.functional import Promise
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from .base import FieldType
from .registry import field_types

SQL_TYPES = {"text", "numeric", "date", "timestamptz", "boolean", "bigint", "jsonb"}
SLOT_FAMILIES = {None, "t", "n", "d", "ts", "r", "b"}


@checks.register()
def check_field_types(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for key, field_type in field_types.items():
        where = f"field type {key!r} ({type(field_type).__name__})"
        if not isinstance(field_type, FieldType) or field_type.key != key:
            errors.append(checks.Error(f"{where}: registered under a key that is not its own", id="metadata.E001"))
        if field_type.sql_type not in SQL_TYPES:
            errors.append(checks.Error(f"{where}: unknown sql_type {field_type.sql_type!r}", id="metadata.E002"))
        if field_type.slot_family not in SLOT_FAMILIES:
            errors.append(checks.Error(f"{where}: unknown slot family", id="metadata.E003"))
        if not isinstance(getattr(field_type, "label", None), Promise):
            errors.append(checks.Error(f"{where}: needs a label marked for translation (gettext_lazy)",
                                       id="metadata.E004"))
        try:
            Draft202012Validator.check_schema(field_type.options_schema)
        except SchemaError as exc:
            errors.append(checks.Error(f"{where}: invalid options schema: {exc.message}", id="metadata.E005"))
        if type(field_type).coerce is FieldType.coerce:
            errors.append(checks.Error(f"{where}: does not implement coerce()", id="metadata.E006"))
        unknown_targets = field_type.converts_to - set(field_types.keys())
        if unknown_targets:
            errors.append(checks.Error(f"{where}: converts to unknown types {sorted(unknown_targets)}", id="metadata.E007"))
    return errors
