"""The people designers in the browser, as an administrator uses them: a departing salesperson is
deactivated and their customers, contacts and deals move to a colleague (the counts shown are what
moved). Every people designer is axe-clean, in Chinese and English, at desk and phone width.
(Categories, layouts, list views, related lists and a revert are in the setup walk-through's story,
test_setup_walkthrough.py.)"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.setup_world import axe_blocking, browser_page, login, screenshot

pytestmark = [pytest.mark.browser]

SLUG = "peoplewalk"
PASSWORD = "people-walk-pass-9"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A tenant with an administrator, a departing salesperson who owns two customers (each with a
    contact and a deal) and a colleague to receive them."""
    from tenants.provisioning import create_tenant, delete_tenant
    from tessera.records import service
    from tessera.security.access import SYSTEM
    from tessera.security.models import Profile

    with django_db_blocker.unblock():
        provisioned = create_tenant(SLUG, "人员走查 People Co.", admin_email="admin@people.test",
                                    admin_password=PASSWORD)
        with tenant_context(provisioned.tenant):
            users = get_user_model()
            sales = Profile.objects.get(api_name="salesperson")
            people = {
                "admin": users.objects.get(email="admin@people.test"),
                "leaver": users.objects.create_user("leaver@people.test", PASSWORD, full_name="张伟", profile=sales),
                "heir": users.objects.create_user("heir@people.test", PASSWORD, full_name="李娜", profile=sales),
            }
            for n, name in enumerate(("华东贸易有限公司", "北方机械集团")):
                account = service.create_record("account", {"name": name, "owner": people["leaver"].pk}, SYSTEM,
                                                confirm_duplicates=True)
                service.create_record("contact", {"name": f"联系人{n}", "account": account.id,
                                                  "owner": people["leaver"].pk}, SYSTEM)
                service.create_record("opportunity", {"name": f"项目{n}", "account": account.id, "stage": "prospecting",
                                                      "close_date": "2027-06-30", "owner": people["leaver"].pk}, SYSTEM)
            service.create_record("account", {"name": "南方建设有限公司", "owner": people["heir"].pk}, SYSTEM,
                                  confirm_duplicates=True)
        connection.set_schema_to_public()
        yield {"tenant": provisioned.tenant, **people}
        connection.set_schema_to_public()
        delete_tenant(SLUG)


@pytest.fixture
def base(world, live_server_url):
    return live_server_url.format(slug=SLUG)


def test_the_deactivation_wizard_moves_customers_with_contacts_and_deals(world, base, page):
    """(人走资料留) In Chinese: the wizard shows per object what will move; after confirming, exactly
    that moved to the receiver, and nothing was deleted."""
    from tessera.records import service
    from tessera.security.access import SYSTEM

    login(page, base, world["admin"].email, PASSWORD)
    page.goto(base + "/setup/users/")
    page.click(f"a:has-text('停用'):has(span:text-is(' {world['leaver'].email}'))")
    page.wait_for_url(re.compile(r".*/deactivate/$"))
    shown = {row.locator("td").nth(0).inner_text(): int(row.locator("td").nth(1).inner_text())
             for row in page.locator("#transfer-counts tbody tr").all()}
    assert shown == {"客户": 2, "联系人": 2, "销售机会": 2}
    screenshot(page, "deactivate-zh-desktop")
    assert axe_blocking(page, base) == []
    page.select_option("select[name=transfer_to]", str(world["heir"].pk))
    page.click("button:has-text('停用并转移记录')")
    page.wait_for_url(base + "/setup/users/")
    assert "已转移 6 条记录" in page.inner_text(".setup-messages")
    with tenant_context(world["tenant"]):
        moved = {obj: len(service.list_records(obj, SYSTEM, filters=[("owner", world["heir"].pk)]).records)
                 for obj in ("account", "contact", "opportunity")}
        left = sum(len(service.list_records(obj, SYSTEM, filters=[("owner", world["leaver"].pk)]).records)
                   for obj in ("account", "contact", "opportunity"))
    assert moved == {"account": 3, "contact": 2, "opportunity": 2} and left == 0  # + the heir's own account
    assert sum(shown.values()) == sum(moved.values()) - 1


@pytest.mark.parametrize(("locale", "width"), [("zh-CN", 390), ("en-US", 390), ("zh-CN", 1280)])
def test_designers_in_both_languages_at_any_width(world, base, browser, locale, width):
    with browser_page(browser, locale, width) as page:
        login(page, base, world["admin"].email, PASSWORD)
        for name, path in (("users", "/setup/users/"), ("departments", "/setup/departments/"),
                           ("roles", "/setup/roles/"), ("profile", "/setup/profiles/profile/salesperson/"),
                           ("sharing", "/setup/sharing/"), ("audit", "/setup/audit-log/"),
                           ("history", "/setup/history/"), ("categories", "/setup/objects/account/categories/"),
                           ("view-layout", "/setup/objects/account/layouts/default_view/"),
                           ("list-views", "/setup/objects/account/list-views/new/"),
                           ("links", "/setup/objects/account/links/")):
            page.goto(base + path)
            screenshot(page, f"{name}-{locale}-{width}", full_page=name != "history")
            assert axe_blocking(page, base) == [], (path, locale, width)
