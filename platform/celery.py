"""The Celery application, tenant-aware through tenant-schemas-celery.

A task sent while a tenant's schema is active carries that schema in its headers and runs in it, also
with a countdown; a task sent from the public schema runs in public.
"""

import os
from typing import Any

from celery.signals import task_postrun, task_prerun
from django.db import connection
from tenant_schemas_celery.app import CeleryApp

from tessera.core.context import request_id_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")

app = CeleryApp("tessera")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_request_id_tokens: dict = {}


@task_prerun.connect(weak=False)
def _set_task_request_id(task_id: str | None = None, **kwargs: Any) -> None:
    """Log lines written by a task carry its id where a request would carry the request id; the
    tenant's time zone is active as it is for a request."""
    # This module is imported while the settings load (tessera/__init__.py); the middleware module
    # reads them as it is imported.
    from tessera.core.middleware import activate_tenant_time_zone  # noqa: PLC0415 - settings-time module

    _request_id_tokens[task_id] = request_id_var.set(f"task-{task_id}")
    activate_tenant_time_zone(getattr(connection, "tenant", None))


@task_postrun.connect(weak=False)
def _reset_task_request_id(task_id: str | None = None, **kwargs: Any) -> None:
    token = _request_id_tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)
