"""The field-type registry: one class per type, registered explicitly in metadata.registrations.

A new field type is one new class and one line in BUILTIN_TYPES; nothing else in the runtime changes.
"""

from __future__ import annotations

from .autonumber import AutoNumberFieldType
from .base import ContractSamples, FieldType, FieldValueError, OptionsContext
from .boolean import BooleanFieldType
from .computed import FormulaFieldType, RollupFieldType
from .dates import DateFieldType, DateTimeFieldType
from .files import FileFieldType, ImageFieldType
from .lookup import LookupFieldType, UserFieldType
from .numbers import CurrencyFieldType, NumberFieldType, PercentFieldType
from .picklists import MultiPicklistFieldType, PicklistFieldType
from .registry import field_types
from .text import EmailFieldType, LongTextFieldType, PhoneFieldType, TextFieldType, UrlFieldType


def BUILTIN_TYPES() -> list[FieldType]:
    return [
        TextFieldType(), LongTextFieldType(), EmailFieldType(), PhoneFieldType(), UrlFieldType(),
        NumberFieldType(), CurrencyFieldType(), PercentFieldType(),
        DateFieldType(), DateTimeFieldType(), BooleanFieldType(),
        PicklistFieldType(), MultiPicklistFieldType(), AutoNumberFieldType(),
        LookupFieldType(), UserFieldType(), FileFieldType(), ImageFieldType(),
        FormulaFieldType(), RollupFieldType(),
    ]


def register_builtin_types() -> None:
    for field_type in BUILTIN_TYPES():
        if field_type.key not in field_types:
            field_types.register(field_type.key, field_type)


__all__ = ["ContractSamples", "FieldType", "FieldValueError", "OptionsContext", "field_types", "register_builtin_types"]
