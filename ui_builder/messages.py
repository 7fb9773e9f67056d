"""A domain error as the sentences a page shows: every field's and the whole input's messages."""

from __future__ import annotations

from tessera.errors import TesseraError, ValidationFailed


def error_messages(exc: TesseraError) -> list[str]:
    if isinstance(exc, ValidationFailed):
        details = [d for found in exc.field_errors.values() for d in found] + exc.non_field_errors
        return [str(d.message) for d in details]
    return [str(exc.message)]
