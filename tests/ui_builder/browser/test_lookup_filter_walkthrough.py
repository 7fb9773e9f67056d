"""An administrator gives the contact's account lookup a filter in the field designer (only A-grade
customers), with the CRM's filter builder; a salesperson's account picker on a new contact then
offers only A-grade customers, and a lookup's "New…" dialog still opens."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.setup_world import build_setup_world, drop_setup_world

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from tessera.records import service
    from tessera.security.access import SYSTEM

    with django_db_blocker.unblock():
        built = build_setup_world()
        with tenant_context(built.tenant):
            for name, rating in (("金牌客户有限公司", "a"), ("金色普通贸易", "c"), ("甲级伙伴", "a")):
                service.create_record("account", {"name": name, "rating": rating, "owner": built.rep.pk}, SYSTEM)
        yield built
        drop_setup_world()


def picker_offers(page, text: str = "") -> list[str]:
    """What the account picker lists once the server answered (on focus, then for `text` typed)."""
    with page.expect_response(lambda r: "/app/search/lookup/" in r.url and f"q={quote(text)}" in r.url):
        page.locator("#field-account .ts-control").click()
        if text:
            page.keyboard.type(text)
    page.locator(".ts-dropdown .option").first.wait_for()
    return sorted(page.locator(".ts-dropdown .option").all_inner_texts())


def test_an_administrator_filters_a_lookup_and_the_picker_follows(world, base, english, page):
    admin = english
    world.login(admin, base)
    admin.goto(f"{base}/setup/objects/contact/fields/account/")
    admin.select_option("#fb-field", "rating")
    admin.locator("#fb-inputs input[name=fb_value][value=a]").check()
    admin.click("button:has-text('Add the condition')")
    admin.locator("#filter-conditions", has_text="Credit grade is one of “A”").wait_for()
    admin.click(".designer-actions button:has-text('Save')")
    admin.wait_for_url(re.compile(r".*/setup/objects/contact/fields/\?saved=account$"))

    world.login(page, base, "rep")  # the salesperson, in Chinese
    page.goto(f"{base}/app/contact/new/")
    page.fill("#id_name", "李娜")
    assert picker_offers(page) == ["甲级伙伴", "金牌客户有限公司"]
    page.keyboard.press("Escape")
    assert picker_offers(page, "金") == ["金牌客户有限公司"]  # typing searches within the allowed ones
    page.locator(".ts-dropdown .option", has_text="金牌客户有限公司").click()
    page.click("form.record-form > .form-actions button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/contact/\d+/$"))
    assert "金牌客户有限公司" in page.inner_text(".record-main")
    page.goto(f"{base}/app/contact/new/")
    page.click("#field-account .lookup-new")  # the lookup's "New…" dialog still opens
    page.locator("dialog#lookup-dialog").wait_for()
