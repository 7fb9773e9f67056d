"""Errors of the records runtime (all map to HTTP through tessera.api.exceptions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tessera.errors import Conflict, ErrorCollector, ErrorDetail, ValidationFailed

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class StaleVersion(Conflict):
    code = "stale_version"


class DuplicatesFound(Conflict):
    """Matching records exist under a 'warn' rule: the client may confirm and save anyway."""

    code = "possible_duplicates"

    def __init__(self, matches: list[dict]) -> None:
        super().__init__(_("Records that look the same exist already; confirm to save anyway."))
        self.matches = matches

    def as_payload(self) -> dict:
        payload = super().as_payload()
        payload["duplicates"] = self.matches
        return payload


class BulkRejected(ValidationFailed):
    """Some rows of an all-or-nothing bulk write are invalid: nothing was written."""

    def __init__(self, rows: list[tuple[int, ErrorCollector]], total: int) -> None:
        self.rows = rows
        message = ngettext("%(bad)d of %(total)d record is not valid; nothing was saved.",
                           "%(bad)d of %(total)d records are not valid; nothing was saved.",
                           total) % {"bad": len(rows), "total": total}
        super().__init__(non_field_errors=[])
        self.non_field_errors = [type(self).detail("rows_invalid", message)]
        self.message = message

    @staticmethod
    def detail(code: str, message: str | StrPromise) -> ErrorDetail:
        return ErrorDetail(code, message)

    def as_payload(self) -> dict:
        payload = super().as_payload()
        payload["rows"] = [
            {"index": index,
             "errors": {k: [d.as_dict() for d in v] for k, v in errors.field_errors.items()},
             "non_field_errors": [d.as_dict() for d in errors.non_field_errors]}
            for index, errors in self.rows
        ]
        return payload
