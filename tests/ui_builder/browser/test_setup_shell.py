"""The setup shell in the browser: an administrator reaches /setup/ from the user menu, changes the
organisation's settings in either language; a salesperson has no way in."""

from __future__ import annotations

import os

import pytest

from tests.ui_builder.browser.setup_world import axe_blocking, build_setup_world, drop_setup_world

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = build_setup_world()
        yield built
        drop_setup_world()


@pytest.fixture
def base(world, live_server_url):
    return live_server_url.format(slug=world.tenant.slug)


def screenshot(page, name: str) -> None:
    """Screenshots for a person to look at (TESSERA_SCREENSHOTS=<folder>), never compared."""
    folder = os.environ.get("TESSERA_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name + ".png"), full_page=True)


def test_administrator_changes_the_organisation_from_the_user_menu(world, base, page):
    world.login(page, base)
    page.click(".user-button")
    page.click("a:has-text('设置')")
    page.wait_for_url(base + "/setup/")
    page.click(".setup-nav a:has-text('组织')")
    page.select_option("select[name=currency]", "USD")
    page.select_option("select[name=fiscal_year_start_month]", "4")
    screenshot(page, "organization-zh-desktop")
    assert axe_blocking(page, base) == []
    page.click("button:has-text('保存')")
    page.wait_for_selector("[role=status]:has-text('已保存')")
    assert page.input_value("select[name=currency]") == "USD"
    assert page.input_value("select[name=fiscal_year_start_month]") == "4"


@pytest.mark.parametrize("width", [1280, 390])
def test_organisation_page_in_english_at_any_width(world, base, browser, django_db_blocker, width):
    context = browser.new_context(locale="en-US", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        with django_db_blocker.unblock():
            world.login(page, base)
            page.goto(base + "/setup/organization/")
            page.fill("input[name=name]", "")
            page.click("button:has-text('Save')")
            assert "Enter the organisation's name." in page.inner_text(".field.has-error")
            screenshot(page, f"organization-en-{width}")
            assert axe_blocking(page, base) == []
    finally:
        context.close()


def test_salesperson_has_no_way_into_setup(world, base, page):
    world.login(page, base, who="rep")
    page.click(".user-button")
    assert page.locator(".menu-items a:has-text('设置')").count() == 0
    response = page.goto(base + "/setup/organization/")
    assert response.status == 403
