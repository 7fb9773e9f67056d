"""The registry of field types (filled by metadata.registrations, through register_builtin_types)."""

from __future__ import annotations

from tessera.registry import Registry

from .base import FieldType

field_types: Registry[FieldType] = Registry("field types")
