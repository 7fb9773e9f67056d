"""The request (or task) id of the work in progress, for log lines and error reports.

A ContextVar rather than a thread-local: it follows the code through threads of a threaded server
and through asyncio, and Celery sets it per task.
"""

import contextvars
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("tessera_request_id", default="-")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(candidate: str | None = None) -> str:
    """Keep a well-formed id given by a proxy (X-Request-ID), otherwise make one."""
    if candidate and _SAFE_ID.match(candidate):
        return candidate
    return uuid.uuid4().hex
