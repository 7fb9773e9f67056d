"""The personal desktop and dashboards in a real browser: a salesperson arranges their home page
from the keyboard and by dragging, adds a saved list view; an administrator makes a shared
dashboard of list views that the salesperson then sees with only their records. axe-clean, in
English and Chinese, usable at phone width."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.app_world import SENTINEL_UNREADABLE, build_world, drop_world
from tests.ui_builder.browser.conftest import axe_blocking, shot

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = build_world()
        from metadata.services.list_views import create_list_view

        with tenant_context(built.tenant):
            create_list_view("account", {"api_name": "all_customers", "labels": {"en": "All customers", "zh-hans": "全部客户"},
                                         "columns": ["name", "industry", "city"], "shared": True}, built.admin)
        yield built
        drop_world()


def panel_titles(page):
    return [t.strip() for t in page.locator(".panels .panel h2").all_inner_texts()]


def test_a_salesperson_arranges_their_desktop(world, base, browse):
    page = browse("en-US")
    world.login(page, base)
    assert panel_titles(page) == ["Recent items", "My open opportunities", "Today's activities"]
    page.get_by_role("link", name="Arrange").click()
    page.wait_for_url(re.compile(r".*arrange=1"))
    page.select_option("#add-panel", label="All customers")
    page.get_by_role("button", name="Add", exact=True).click()
    page.locator(".panels .panel h2", has_text="Accounts · All customers").wait_for()
    customers = page.locator(".panels .panel", has_text="Accounts · All customers")
    assert "华信科技有限公司" in customers.inner_text() and SENTINEL_UNREADABLE not in customers.inner_text()
    # From the keyboard: move it down, make it narrow.
    page.get_by_role("button", name="Move “Accounts · All customers” down").focus()
    page.keyboard.press("Enter")
    page.locator(".panels .panel:nth-child(2) h2", has_text="All customers").wait_for()
    page.get_by_role("button", name="Make “Accounts · All customers” narrow").click()
    page.locator(".panel.width-1", has_text="All customers").wait_for()
    # By dragging: the recent items panel to the end.
    page.locator(".panel", has_text="Recent items").locator(".drag").drag_to(page.locator(".panel").last, target_position={"x": 200, "y": 60})
    page.locator(".panels .panel").last.filter(has_text="Recent items").wait_for()
    assert axe_blocking(page, base) == []
    shot(page, "desktop-arrange-en")
    page.get_by_role("link", name="Done").click()
    titles = panel_titles(page)
    assert titles[-1] == "Recent items" and "Accounts · All customers" in titles
    assert axe_blocking(page, base) == []

    phone = browse("zh-CN", width=390)
    world.login(phone, base)
    assert "客户 · 全部客户" in panel_titles(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "desktop-phone-zh")


def test_a_shared_dashboard_of_list_views_runs_as_each_viewer(world, base, browse):
    admin = browse("zh-CN")
    world.login(admin, base, who="admin")
    admin.goto(base + "/app/dashboards/")
    admin.fill("#dashboard-name", "客户看板")
    admin.check("input[name=shared]")
    admin.get_by_role("button", name="创建").click()
    admin.wait_for_url(re.compile(r".*/app/dashboards/\d+/\?edit=1"))
    admin.select_option("#add-panel", label="全部客户")
    admin.get_by_role("button", name="添加", exact=True).click()
    admin.locator(".grid-stack-item h2", has_text="全部客户").wait_for()
    admin.select_option("#filter-field", value="industry")
    admin.get_by_role("button", name="添加筛选").click()
    admin.locator("#filter-industry").wait_for()
    assert SENTINEL_UNREADABLE in admin.inner_text(".grid-stack")  # the administrator reads everything
    assert axe_blocking(admin, base) == []
    shot(admin, "dashboard-edit-zh")
    url = admin.url.split("?")[0]

    rep = browse("en-US")
    world.login(rep, base)
    rep.goto(url)
    grid = rep.locator(".grid-stack")
    assert "华信科技有限公司" in grid.inner_text() and SENTINEL_UNREADABLE not in grid.inner_text()
    assert rep.get_by_role("link", name="Edit").count() == 0
    rep.select_option("#filter-industry", value="manufacturing")
    rep.get_by_role("button", name="Apply").click()
    rep.wait_for_url(re.compile(r".*f\.industry__in=manufacturing"))
    assert "东方制造集团" in rep.inner_text(".grid-stack") and "华信科技有限公司" not in rep.inner_text(".grid-stack")
    assert axe_blocking(rep, base) == []
    shot(rep, "dashboard-view-en")

    phone = browse("en-US", width=390)
    world.login(phone, base)
    phone.goto(url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "dashboard-phone-en")
