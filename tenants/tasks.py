"""Platform tasks (they run in the public schema)."""

from typing import Any

from django_tenants.utils import tenant_context

from tessera.celery import app

from .models import Tenant


@app.task(name="tenants.tasks.run_for_every_tenant")
def run_for_every_tenant(task_name: str, *args: Any, **kwargs: Any) -> int:
    """Beat's way to run a job for every tenant: send `task_name` once per active tenant, in its schema."""
    task = app.tasks[task_name]
    count = 0
    for tenant in Tenant.objects.filter(is_active=True).exclude(schema_name="public").iterator():
        with tenant_context(tenant):
            task.apply_async(args=args, kwargs=kwargs)
        count += 1
    return count
