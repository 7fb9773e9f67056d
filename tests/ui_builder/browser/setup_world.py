"""A fresh tenant for the setup walk-throughs: its administrator and one salesperson, nothing else
(the administrator builds the rest in the browser). Committed (the live server reads it) and dropped
afterwards."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import tenant_context

SETUP_SLUG = "setupwalk"
PASSWORD = "setup-walk-pass-9"
AXE_BLOCKING = ("serious", "critical")


@dataclass
class SetupWorld:
    tenant: object
    admin: object
    rep: object

    def login(self, page, base: str, who: str = "admin") -> None:
        user = self.rep if who == "rep" else self.admin
        page.goto(base + "/login/")
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/app/")


def build_setup_world() -> SetupWorld:
    from tenants.provisioning import create_tenant
    from tessera.security.models import Profile

    provisioned = create_tenant(SETUP_SLUG, "设置走查 Setup Co.", admin_email="admin@setup.test",
                                admin_password=PASSWORD)
    with tenant_context(provisioned.tenant):
        users = get_user_model()
        admin = users.objects.get(email="admin@setup.test")
        rep = users.objects.create_user("rep@setup.test", PASSWORD, full_name="王芳",
                                        profile=Profile.objects.get(api_name="salesperson"))
    connection.set_schema_to_public()
    return SetupWorld(tenant=provisioned.tenant, admin=admin, rep=rep)


def drop_setup_world() -> None:
    from tenants.provisioning import delete_tenant

    connection.set_schema_to_public()
    delete_tenant(SETUP_SLUG)


def axe_blocking(page, base: str) -> list:
    """The serious and critical axe-core violations of the page as it is now."""
    page.add_script_tag(url=base + "/static/vendor/axe/axe.min.js")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in AXE_BLOCKING]
