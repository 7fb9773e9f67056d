"""A fresh tenant for the CRM walk-throughs: an administrator, a salesperson and the records a
salesperson of an SMB has on day 30 (customers, contacts, deals across stages, activities), written
through the record service; committed (the live server reads them) and dropped afterwards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

WALK_SLUG = "walk"
PASSWORD = "walk-through-pass-9"
#: Strings that must never reach the salesperson (a hidden field, a record they may not read).
SENTINEL_HIDDEN_FIELD = "SENTINEL-HIDDEN-7f3a"
SENTINEL_UNREADABLE = "SENTINEL-UNREADABLE-9c2e"


@dataclass
class World:
    tenant: object
    admin: object
    rep: object
    ids: dict = field(default_factory=dict)

    def login(self, page, base: str, who: str = "rep") -> None:
        user = self.rep if who == "rep" else self.admin
        page.goto(base + "/login/")
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/app/")


def build_world() -> World:
    from tenants.provisioning import create_tenant
    from tessera.records import service
    from tessera.security.access import SYSTEM
    from tessera.security.models import Profile

    provisioned = create_tenant(WALK_SLUG, "走查公司 Walk Co.", admin_email="admin@walk.test", admin_password=PASSWORD)
    tenant = provisioned.tenant
    with tenant_context(tenant):
        users = get_user_model()
        admin = users.objects.get(email="admin@walk.test")
        rep = users.objects.create_user("rep@walk.test", PASSWORD, full_name="李娜",
                                        profile=Profile.objects.get(api_name="salesperson"))
        world = World(tenant=tenant, admin=admin, rep=rep)

        def make(obj, **values):
            values.setdefault("owner", rep.pk)
            return service.create_record(obj, values, SYSTEM, confirm_duplicates=True).id

        today = timezone.localdate()
        world.ids["huaxin"] = make("account", name="华信科技有限公司", industry="it", phone="0755-88881234",
                                   country="cn", province="guangdong", city="shenzhen")
        world.ids["dongfang"] = make("account", name="东方制造集团", industry="manufacturing", country="cn",
                                     province="jiangsu", city="suzhou")
        world.ids["zhang"] = make("contact", name="张伟", account=world.ids["huaxin"], mobile="13800138000",
                                  title="采购经理")
        for i, stage in enumerate(["prospecting", "qualification", "proposal", "negotiation"]):
            world.ids[f"deal_{stage}"] = make("opportunity", name=f"华信扩容项目 {i + 1}", account=world.ids["huaxin"],
                                              stage=stage, amount=str(100000 * (i + 1)),
                                              close_date=(today + dt.timedelta(days=10 * i)).isoformat())
        world.ids["old_deal"] = make("opportunity", name="去年的维保合同", account=world.ids["dongfang"],
                                     stage="proposal", amount="5000",
                                     close_date=(today - dt.timedelta(days=200)).isoformat())
        # A record the salesperson may not read (the administrator's, standard objects are private).
        world.ids["secret_account"] = make("account", name=SENTINEL_UNREADABLE, owner=admin.pk)
    connection.set_schema_to_public()
    return world


def drop_world() -> None:
    from tenants.provisioning import delete_tenant

    connection.set_schema_to_public()
    delete_tenant(WALK_SLUG)
