"""The browser path a new user takes: open the workspace, get the login page, log in, switch language."""

import pytest

from tests.helpers.tenants import ADMIN_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_login_home_and_language_switch(page, live_server_url):
    base = live_server_url.format(slug="alpha")
    page.goto(base + "/")
    assert page.url.startswith(base + "/login/")
    page.fill("input[name=username]", "admin@alpha.test")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/app/")
    assert "Alpha" in page.inner_text(".appbar")
    # Choosing a language submits a form: wait for the page it leads to, not the one still shown.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert "Home" in page.inner_text("nav.sidebar") and "Recent items" in page.inner_text("main")
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert "首页" in page.inner_text("nav.sidebar") and "最近访问" in page.inner_text("main")


def test_wrong_password_stays_on_login_with_a_message(page, live_server_url):
    base = live_server_url.format(slug="alpha")
    page.goto(base + "/login/")
    page.fill("input[name=username]", "admin@alpha.test")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" in page.url
    assert page.locator(".error").count() == 1


def test_a_tenant_login_does_not_open_another_tenant(page, live_server_url):
    alpha, beta = live_server_url.format(slug="alpha"), live_server_url.format(slug="beta")
    page.goto(alpha + "/login/")
    page.fill("input[name=username]", "admin@alpha.test")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(alpha + "/app/")
    page.goto(beta + "/")
    assert page.url.startswith(beta + "/login/")
