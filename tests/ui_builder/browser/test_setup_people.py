"""The setup designers in the browser, as an administrator uses them: a departing salesperson is
deactivated and their customers, contacts and deals move to a colleague (the counts shown are what
moved); two record categories get their own layouts, built by dragging and by keyboard; a shared
list view and a related list on the account page; then one change is reverted from the history and
the salesperson's form follows. Every designer is axe-clean, in Chinese and English, at desk and
phone width."""

from __future__ import annotations

import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.setup_world import axe_blocking

pytestmark = [pytest.mark.browser]

SLUG = "peoplewalk"
PASSWORD = "people-walk-pass-9"


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Screenshots for a person to look at (TESSERA_SCREENSHOTS=<folder>), never compared."""
    folder = os.environ.get("TESSERA_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name + ".png"), full_page=full_page)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A tenant with an administrator, a departing salesperson who owns two customers (each with a
    contact and a deal), a colleague to receive them, and a custom object "project" (with a
    lookup to accounts) for the categories and layouts."""
    from metadata.services import add_field, create_object
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
            create_object({"api_name": "project", "labels": {"en": {"singular": "Project", "plural": "Projects"},
                                                             "zh-hans": {"singular": "项目", "plural": "项目"}}}, SYSTEM)
            for spec in ({"api_name": "site", "type": "text", "labels": {"en": "Site", "zh-hans": "工地"}},
                         {"api_name": "budget", "type": "currency", "labels": {"en": "Budget", "zh-hans": "预算"}},
                         {"api_name": "account", "type": "lookup", "options": {"target": "account"},
                          "labels": {"en": "Customer", "zh-hans": "客户"}}):
                add_field("project", spec, SYSTEM)
        connection.set_schema_to_public()
        yield {"tenant": provisioned.tenant, **people}
        connection.set_schema_to_public()
        delete_tenant(SLUG)


@pytest.fixture
def base(world, live_server_url):
    return live_server_url.format(slug=SLUG)


def login(page, base: str, user) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/app/")


@pytest.fixture
def english(browser, django_db_blocker):
    from tests.ui_builder.browser.conftest import watch_csp_violations

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    violations = watch_csp_violations(context)
    with django_db_blocker.unblock():
        yield context.new_page()
    context.close()
    assert not violations, violations


def drag(page, source, target) -> None:
    """Drag as a hand does: press on the handle, move in steps, linger over the target, release."""
    source.scroll_into_view_if_needed()
    start = source.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + 20, steps=5)
    end = target.bounding_box()
    for dy in (12, 8, 4):
        page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - dy, steps=10)
        page.wait_for_timeout(60)
    page.mouse.up()


def test_the_deactivation_wizard_moves_customers_with_contacts_and_deals(world, base, page):
    """(人走资料留) In Chinese: the wizard shows per object what will move; after confirming, exactly
    that moved to the receiver, and nothing was deleted."""
    from tessera.records import service
    from tessera.security.access import SYSTEM

    login(page, base, world["admin"])
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


def test_two_categories_with_their_own_layouts_a_list_view_a_related_list_and_a_revert(world, base, english, browser,
                                                                                     django_db_blocker):
    page = english
    login(page, base, world["admin"])
    # a layout for construction projects: a "Site works" section with the site (keyboard) and the
    # budget (dragged) in it
    page.goto(base + "/setup/objects/project/layouts/")
    page.fill("#new-label-en", "Construction form")
    page.fill("#new-label-zh-hans", "施工项目表单")
    page.click("button:has-text('Create and design')")
    page.wait_for_url(re.compile(r".*/layouts/edit_layout_1/$"))
    page.click("button:has-text('Add a section')")
    page.fill("#s1-label-en", "Site works")
    page.fill("#s1-label-zh-hans", "施工信息")
    page.select_option("#dest-site", "1")
    page.click("button:has-text('Move'):has(span:text-is(' Site'))")
    page.locator("[data-section='1'] [data-field=site]").wait_for()
    drag(page, page.locator("[data-section='0'] [data-field=budget] .drag"), page.locator("ul[data-section='1']"))
    page.locator("[data-section='1'] [data-field=budget]").wait_for(timeout=5000)
    screenshot(page, "layout-designer-en-desktop")
    assert axe_blocking(page, base) == []
    page.click("button:has-text('Save layout')")
    page.locator(".setup-messages:has-text('Layout saved.')").wait_for()
    assert page.locator("[data-section='1'] [data-field=budget]").count() == 1  # as saved
    # a layout for consulting projects, without the site
    page.goto(base + "/setup/objects/project/layouts/")
    page.fill("#new-label-en", "Consulting form")
    page.click("button:has-text('Create and design')")
    page.wait_for_url(re.compile(r".*/layouts/edit_layout_2/$"))
    page.select_option("#dest-site", "palette")
    page.click("button:has-text('Move'):has(span:text-is(' Site'))")
    page.locator("#palette [data-field=site]").wait_for()
    page.click("button:has-text('Save layout')")
    page.locator(".setup-messages:has-text('Layout saved.')").wait_for()
    # two categories, each with its form
    for name, layout in (("Construction", "Construction form"), ("Consulting", "Consulting form")):
        page.goto(base + "/setup/objects/project/categories/")
        page.fill("#category-label-en", name)
        page.click("button:has-text('Create category')")
        page.wait_for_url(re.compile(r".*/categories/category_\d/$"))
        page.select_option("#edit-layout", label=layout)
        page.click("button:has-text('Save')")
        page.wait_for_url(base + "/setup/objects/project/categories/")
    assert axe_blocking(page, base) == []
    # a shared list view with a condition from the filter builder
    page.goto(base + "/setup/objects/project/list-views/new/")
    page.fill("#view-label-en", "Projects of my team")
    page.check("input[name=columns][value=budget]")
    page.select_option("#fb-field", "owner")
    page.check("#fb-inputs input[value=my_team]")
    page.click("button:has-text('Add the condition')")
    page.locator("ul.conditions li").wait_for()
    assert axe_blocking(page, base) == []
    page.click("button:has-text('Save list view')")
    page.wait_for_url(base + "/setup/objects/project/list-views/")
    assert page.locator("#list-views", has_text="Projects of my team").count() == 1
    # projects as a related list on the account page
    page.goto(base + "/setup/objects/account/layouts/default_view/")
    page.select_option("#new-relation", "project.account")
    page.click("button:has-text('Add'):right-of(#new-relation)")
    page.locator("fieldset.related-list", has_text="Projects").wait_for()
    related = page.locator("fieldset.related-list", has_text="Projects")
    related.locator("input[value=budget]").check()
    page.click("button:has-text('Save layout')")
    page.locator(".setup-messages:has-text('Layout saved.')").wait_for()

    # the salesperson sees exactly that
    rep_context = browser.new_context(locale="en-US")
    rep = rep_context.new_page()
    try:
        login(rep, base, world["heir"])
        rep.goto(base + "/app/project/new/?category=category_1")
        assert rep.locator("form h2, form legend, form h3", has_text="Site works").count() == 1
        assert rep.locator("#id_site").count() == 1
        rep.goto(base + "/app/project/new/?category=category_2")
        assert rep.locator("#id_site").count() == 0
        rep.goto(base + "/app/account/")
        rep.click("table#list-table a:has-text('南方建设有限公司')")
        rep.wait_for_url(re.compile(r".*/app/account/\d+/$"))
        rep.locator("section.related h2", has_text="Projects").wait_for()

        # the administrator reverts the consulting form's change; the salesperson's form follows
        page.goto(base + "/setup/history/?object=project&entity=layout")
        change = page.locator("li.change", has_text="Consulting form").filter(has_text="changed").first
        change.locator("button:has-text('Revert this change')").click()
        page.locator(".setup-messages:has-text('reverted')").wait_for()
        screenshot(page, "history-en-desktop", full_page=False)
        assert axe_blocking(page, base) == []
        rep.goto(base + "/app/project/new/?category=category_2")
        assert rep.locator("#id_site").count() == 1
    finally:
        rep_context.close()


@pytest.mark.parametrize(("locale", "width"), [("zh-CN", 390), ("en-US", 390), ("zh-CN", 1280)])
def test_designers_in_both_languages_at_any_width(world, base, browser, django_db_blocker, locale, width):
    from tests.ui_builder.browser.conftest import watch_csp_violations

    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    violations = watch_csp_violations(context)
    page = context.new_page()
    try:
        with django_db_blocker.unblock():
            login(page, base, world["admin"])
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
    finally:
        context.close()
    assert not violations, violations
