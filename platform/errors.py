"""Domain errors raised by services and turned into HTTP (or a CLI message) by one handler each.

Every error has a stable `code` and a translatable message; ValidationFailed carries many field
errors at once so a form or an API client can show all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str | StrPromise

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": str(self.message)}


class TesseraError(Exception):
    """Base of all domain errors. `status` is the HTTP status the API answers with."""

    status = 400
    code = "error"
    default_message = _("The request could not be processed.")

    def __init__(self, message: str | StrPromise | None = None, *, code: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        super().__init__(str(self.message))

    def as_payload(self) -> dict:
        return {"errors": {}, "non_field_errors": [ErrorDetail(self.code, self.message).as_dict()]}


class ValidationFailed(TesseraError):
    """Bad input: per-field errors (field api_name → details) and errors about the whole input."""

    status = 400
    code = "invalid"
    default_message = _("The input is not valid.")

    def __init__(
        self,
        field_errors: Mapping[str, Iterable[ErrorDetail]] | None = None,
        non_field_errors: Iterable[ErrorDetail] = (),
    ) -> None:
        self.field_errors = {name: list(details) for name, details in (field_errors or {}).items()}
        self.non_field_errors = list(non_field_errors)
        first = next(iter(self.field_errors.values()), None) or self.non_field_errors
        super().__init__(first[0].message if first else None)

    @classmethod
    def single(cls, field: str | None, code: str, message: str | StrPromise) -> ValidationFailed:
        detail = ErrorDetail(code, message)
        if field is None:
            return cls(non_field_errors=[detail])
        return cls({field: [detail]})

    def as_payload(self) -> dict:
        return {
            "errors": {name: [d.as_dict() for d in details] for name, details in self.field_errors.items()},
            "non_field_errors": [d.as_dict() for d in self.non_field_errors],
        }


class ErrorCollector:
    """Collects field errors across the steps of a pipeline, then raises them together."""

    def __init__(self) -> None:
        self.field_errors: dict[str, list[ErrorDetail]] = {}
        self.non_field_errors: list[ErrorDetail] = []

    def add(self, field: str | None, code: str, message: str | StrPromise) -> None:
        if field is None:
            self.non_field_errors.append(ErrorDetail(code, message))
        else:
            self.field_errors.setdefault(field, []).append(ErrorDetail(code, message))

    def extend(self, error: ValidationFailed) -> None:
        for name, details in error.field_errors.items():
            self.field_errors.setdefault(name, []).extend(details)
        self.non_field_errors.extend(error.non_field_errors)

    def __bool__(self) -> bool:
        return bool(self.field_errors or self.non_field_errors)

    def has(self, field: str) -> bool:
        return field in self.field_errors

    def raise_if_any(self) -> None:
        if self:
            raise ValidationFailed(self.field_errors, self.non_field_errors)


class PermissionDenied(TesseraError):
    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class NotFound(TesseraError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Conflict(TesseraError):
    status = 409
    code = "conflict"
    default_message = _("The data was changed by someone else; reload and try again.")
