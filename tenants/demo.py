"""The demo tenant that `tessera run` prepares on first start: an admin and some sample data."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.module_loading import import_string
from django_tenants.utils import tenant_context

from .models import Tenant
from .provisioning import create_tenant

DEMO_SLUG = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.localhost"
DEMO_ADMIN_PASSWORD = "tessera-demo-2026"

#: Functions that fill a new demo tenant with sample data, called in its schema (records, later
#: reports and dashboards register theirs here).
SAMPLE_DATA_LOADERS: list[str] = ["tessera.records.demo.load_sample_data"]


def ensure_demo_tenant(progress: Callable[[str], None] | None = None) -> tuple[Tenant, bool]:
    """Return the demo tenant, creating it (with sample data) when missing. True when created."""
    existing = Tenant.objects.filter(slug=DEMO_SLUG).first()
    if existing:
        return existing, False
    provisioned = create_tenant(
        DEMO_SLUG,
        "演示公司 Demo Co.",
        admin_email=DEMO_ADMIN_EMAIL,
        admin_password=DEMO_ADMIN_PASSWORD,
        progress=progress,
        allow_reserved_slug=True,  # "demo" is reserved so that no one else takes the name
    )

    with tenant_context(provisioned.tenant):
        for path in SAMPLE_DATA_LOADERS:
            import_string(path)(progress=progress)
    return provisioned.tenant, True
