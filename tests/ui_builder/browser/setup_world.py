"""A fresh tenant for the setup walk-throughs: its administrator and one salesperson, nothing else
(the administrator builds the rest in the browser). Committed (the live server reads it) and dropped
afterwards. With it, the steps the walk-throughs share: signing in, browser contexts in a language
and at a width, screenshots, creating an object and a field in the designers, dragging."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.conftest import watch_activity, watch_csp_violations

SETUP_SLUG = "setupwalk"
PASSWORD = "setup-walk-pass-9"
AXE_BLOCKING = ("serious", "critical")


def login(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/app/")


@dataclass
class SetupWorld:
    tenant: object
    admin: object
    rep: object

    def login(self, page, base: str, who: str = "admin") -> None:
        login(page, base, (self.rep if who == "rep" else self.admin).email)


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


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Screenshots for a person to look at (TESSERA_SCREENSHOTS=<folder>), never compared."""
    folder = os.environ.get("TESSERA_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name + ".png"), full_page=full_page)


@contextmanager
def browser_page(browser, locale: str = "zh-CN", width: int = 1280) -> Iterator:
    """A page in a context of its own (a language, a width), failing on any Content-Security-Policy
    violation like the `page` fixture; for a second person, or a check at another width. The style
    element axe-core adds (`axe_blocking` injects it: the test's tool, not the page) is let be."""
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    violations = watch_csp_violations(context)
    watch_activity(context)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert not [v for v in violations if "/static/vendor/axe/" not in v], violations


# --- the designers' steps -------------------------------------------------------------------------


def new_object(page, base, zh: str, en: str, *, number_format: str = "", name_zh: str = "", name_en: str = "") -> None:
    """Create an object from its labels in the object designer (in Chinese)."""
    page.goto(base + "/setup/objects/")
    page.click("a:has-text('新建对象')")
    page.fill("#label-zh-hans-s", zh)
    page.fill("#label-zh-hans-p", zh)
    page.fill("#label-en-s", en)
    page.fill("#label-en-p", en + "s")
    if number_format:
        page.check("input[name=name_type][value=auto_number]")
        page.fill("#name-format", number_format)
    if name_zh:
        page.fill("#name-label-zh-hans", name_zh)
        page.fill("#name-label-en", name_en)
    page.click("button:has-text('创建对象')")
    page.wait_for_url(re.compile(r".*/setup/objects/[a-z_0-9]+/fields/$"))


def new_field(page, base, obj: str, type_key: str, zh: str, en: str, fill: Callable | None = None) -> None:
    """Add a field of a type from its labels in the field designer (in Chinese); `fill` sets its options."""
    page.goto(f"{base}/setup/objects/{obj}/fields/new/")
    page.click(f"a[href$='?type={type_key}']")
    page.wait_for_selector("#label-zh-hans")
    page.fill("#label-zh-hans", zh)
    page.fill("#label-en", en)
    if fill is not None:
        fill(page)
    page.click("button:has-text('添加字段')")
    page.wait_for_url(re.compile(rf".*/setup/objects/{obj}/fields/\?saved=.*"))


def choose_and_wait(page, select: str, value: str, appears: str) -> None:
    """Choose in a select that redraws the options part (htmx), then wait for what it brings."""
    page.select_option(select, value)
    page.locator(appears).first.wait_for(state="attached")


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


def new_layout(page, base, obj: str, zh: str, en: str) -> str:
    """Create an edit layout (a copy of the default one) and open its designer; returns its api_name."""
    page.goto(f"{base}/setup/objects/{obj}/layouts/")
    page.fill("#new-label-en", en)
    page.fill("#new-label-zh-hans", zh)
    page.click("button:has-text('创建并设计')")
    page.wait_for_url(re.compile(r".*/layouts/[a-z_0-9]+/$"))
    return page.url.rstrip("/").rsplit("/", 1)[1]


def move_by_keyboard(page, field: str, label: str, to: str) -> None:
    """The designer's keyboard alternative to a drag: choose where a field goes, press its Move."""
    page.select_option(f"#dest-{field}", to)
    page.click(f"button:has-text('移动'):has(span:text-is(' {label}'))")


def save_layout(page) -> None:
    page.click("button:has-text('保存布局')")
    page.locator(".setup-messages:has-text('布局已保存。')").wait_for()


def new_category(page, base, obj: str, zh: str, en: str, edit_layout: str) -> str:
    """Create a record category whose edit form is `edit_layout` (by its label); returns its api_name."""
    page.goto(f"{base}/setup/objects/{obj}/categories/")
    page.fill("#category-label-zh-hans", zh)
    page.fill("#category-label-en", en)
    page.click("button:has-text('创建分类')")
    page.wait_for_url(re.compile(r".*/categories/[a-z_0-9]+/$"))
    name = page.url.rstrip("/").rsplit("/", 1)[1]
    page.select_option("#edit-layout", label=edit_layout)
    page.click("button:has-text('保存')")
    page.wait_for_url(f"{base}/setup/objects/{obj}/categories/")
    return name
