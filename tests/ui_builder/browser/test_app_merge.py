"""Walk-through: a salesperson finds that a customer was entered twice, merges the two from the
record page (finds the other one by search, keeps the better phone number of the other, confirms)
and lands on the kept customer, who now has the other one's contact and visit; the other is in the
recycle bin. Once in English, once in zh-Hans at phone width (the comparison table fits)."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.app_world import build_world, drop_world
from tests.ui_builder.browser.conftest import settled, watch_activity

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = build_world()
        yield built
        drop_world()


@pytest.fixture
def base(world, live_server_url):
    return live_server_url.format(slug=world.tenant.slug)


def _twin(world, name: str, phone: str) -> dict:
    """A second entry of the 华信 customer, with a contact and a visit of its own."""
    from tessera.records import service
    from tessera.security.access import SYSTEM

    with tenant_context(world.tenant):
        twin = service.create_record("account", {"name": name, "owner": world.rep.pk, "phone": phone,
                                                 "industry": "it"}, SYSTEM, confirm_duplicates=True)
        contact = service.create_record("contact", {"name": f"{name}的联系人", "owner": world.rep.pk,
                                                    "account": twin.id}, SYSTEM, confirm_duplicates=True)
    return {"id": twin.id, "contact": contact.id}


def _choose_other(page, text: str, name: str) -> None:
    """Search the other record in the picker (Tom Select) and pick it."""
    page.locator(".merge-pick .ts-control").click()
    page.keyboard.type(text)
    page.locator(".ts-dropdown .option", has_text=name).first.click()
    page.wait_for_function("() => document.querySelector('#merge-other').value !== ''")
    settled(page)  # a search answered late would open the dropdown again
    page.keyboard.press("Escape")
    page.click(".merge-find h2")  # leave the picker
    page.locator(".merge-pick .ts-dropdown").wait_for(state="hidden")


def test_merge_two_duplicates_from_the_record_page(world, base, browser):
    from tessera.records import service
    from tessera.security.access import SYSTEM

    twin = _twin(world, "华信科技", "0755-99990000")
    context = browser.new_context(locale="en-US")
    watch_activity(context)
    page = context.new_page()
    try:
        world.login(page, base)
        page.goto(f"{base}/app/account/{world.ids['huaxin']}/")
        page.click("summary:has-text('More')")
        page.click("a:has-text('Merge with a duplicate')")
        page.wait_for_url(re.compile(r".*/merge/$"))
        page.wait_for_load_state()
        _choose_other(page, "华信科技", "华信科技")
        page.click("button:has-text('Compare')")
        page.wait_for_url(re.compile(r".*/merge/\?other=\d+"))
        row = page.locator("tr[data-field=phone]")
        assert "0755-88881234" in row.inner_text() and "0755-99990000" in row.inner_text()
        row.locator(f"input[value='{twin['id']}']").check()
        assert page.locator("tr[data-field=account_number] input").count() == 0  # an auto-number is not chosen
        page.click("button:has-text('Merge')")
        page.wait_for_url(f"{base}/app/account/{world.ids['huaxin']}/")
        assert "0755-99990000" in page.inner_text(".record-main")
        assert "华信科技的联系人" in page.inner_text(".record-main")  # the other one's contact moved here
        assert "Merged" in page.inner_text("#timeline")
        page.goto(base + "/app/recycle-bin/")
        assert page.locator("tr", has_text="华信科技").filter(has_not_text="有限公司").count() == 1
    finally:
        context.close()
    with tenant_context(world.tenant):
        assert service.get_record("contact", twin["contact"], SYSTEM).values["account"] == world.ids["huaxin"]


def test_a_refused_merge_keeps_the_choices_and_says_why_at_phone_width(world, base, browser):
    from metadata.services import update_object
    from tessera.security.access import SYSTEM

    twin = _twin(world, "东方制造", "")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    page = context.new_page()
    with tenant_context(world.tenant):  # a customer in manufacturing needs a phone
        update_object("account", {"validation_rules": [{
            "api_name": "maker_needs_phone", "formula": 'AND(ISPICKVAL(industry, "manufacturing"), ISBLANK(phone))',
            "message": {"en": "A manufacturer needs a phone.", "zh-hans": "制造业客户需要电话"}, "field": "phone"}]},
            SYSTEM)
    try:
        world.login(page, base)
        page.goto(f"{base}/app/account/{twin['id']}/merge/?other={world.ids['dongfang']}")
        page.locator("tr[data-field=name]").locator(f"input[value='{world.ids['dongfang']}']").check()
        page.locator("tr[data-field=industry]").locator(f"input[value='{world.ids['dongfang']}']").check()
        page.click("button:has-text('合并')")
        page.locator("p.error", has_text="制造业客户需要电话").first.wait_for()
        assert page.locator("tr[data-field=name]").locator(f"input[value='{world.ids['dongfang']}']").is_checked()
        assert page.evaluate("document.documentElement.scrollWidth") <= 392
    finally:
        context.close()
        with tenant_context(world.tenant):
            update_object("account", {"validation_rules": []}, SYSTEM)


AXE_BLOCKING = ("serious", "critical")


@pytest.mark.parametrize("step", ["find", "compare"])
def test_the_merge_pages_have_no_serious_accessibility_violation(world, base, page, step):
    world.login(page, base)
    other = f"?other={world.ids['dongfang']}" if step == "compare" else ""
    page.goto(f"{base}/app/account/{world.ids['huaxin']}/merge/{other}")
    page.add_script_tag(url=base + "/static/vendor/axe/axe.min.js")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    blocking = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"] if v["impact"] in AXE_BLOCKING]
    assert blocking == []
