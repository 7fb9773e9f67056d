"""A logging filter that stamps every record with the tenant schema and the request id."""

import logging

from django.db import connection

from .context import request_id_var


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.tenant = _current_schema()
        return True


def _current_schema() -> str:
    # Imported lazily: logging is configured before the apps are ready.
    try:
        return getattr(connection, "schema_name", "-") or "-"
    except Exception:  # noqa: BLE001 - a log line must never fail because of its context
        return "-"
