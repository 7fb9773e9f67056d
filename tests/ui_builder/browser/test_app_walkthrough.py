"""Walk-throughs of the CRM pages as a salesperson acts: find, filter, save a view, edit in place,
drag on the board, open a record, log a visit, create from a related list, fix a form's errors,
follow a cascade, save past a duplicate warning, resolve a conflict, delete and restore.

One fresh tenant for the module (app_world), real Chromium against a live server. No test
transaction: what a test writes itself (someone else's edit, a validation rule) must be committed
for the server's threads to see it, and must not hold row locks the server waits on."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.app_world import build_world, drop_world
from tests.ui_builder.browser.conftest import settled

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = build_world()
        yield built
        drop_world()


def test_search_finds_a_customer_and_opens_it(world, base, page):
    world.login(page, base)
    page.fill("[data-search-box]", "华信")
    page.wait_for_selector("#search-popup a:has-text('华信科技有限公司')")
    page.click("#search-popup a:has-text('华信科技有限公司')")
    page.wait_for_url(re.compile(r".*/app/account/\d+/$"))
    assert page.inner_text("h1") == "华信科技有限公司"
    assert "张伟" in page.inner_text(".record-main")  # the contacts related list


def test_search_finds_a_chinese_name_by_its_pinyin_initials(world, base, page):
    world.login(page, base)
    page.fill("[data-search-box]", "zw")  # 张伟, typed without an input method
    page.wait_for_selector("#search-popup a:has-text('张伟')")
    page.fill("[data-search-box]", "huaxin")  # 华信科技有限公司, by its full pinyin
    page.wait_for_selector("#search-popup a:has-text('华信科技有限公司')")
    page.click("#search-popup a:has-text('华信科技有限公司')")
    page.wait_for_url(re.compile(r".*/app/account/\d+/$"))


def test_filter_by_a_relative_period_and_save_the_view(world, base, english):
    page = english
    world.login(page, base)
    page.goto(base + "/app/opportunity/")
    assert "去年的维保合同" in page.inner_text("#list-table")
    page.click("summary:has-text('Filter')")
    page.select_option("#fb-field", "close_date")
    page.wait_for_selector("#fb-period")
    page.select_option("#fb-period", "next_n_days:30")
    page.click("button:has-text('Apply')")
    page.wait_for_url(re.compile(r".*f\.close_date__range=next_n_days.*"))
    table = page.inner_text("#list-table")
    assert "去年的维保合同" not in table and "华信扩容项目 1" in table
    assert "Next 30 days" in page.inner_text(".chips")
    page.click("summary:has-text('Save view')")
    page.fill("#view-name", "Closing soon")
    page.click(".save-view button:has-text('Save')")
    page.wait_for_url(re.compile(r".*view=view_.*"))
    assert "Closing soon" in page.inner_text("#view-select")
    page.goto(base + "/app/opportunity/?view=" + page.url.split("view=")[1])
    assert "去年的维保合同" not in page.inner_text("#list-table")  # the saved view keeps its filter


def test_resize_a_column_and_keep_its_width(world, base, english):
    page = english
    world.login(page, base)
    page.goto(base + "/app/opportunity/?sort=name")
    header = page.locator("#list-table th[data-column=name]")
    before = header.bounding_box()["width"]
    edge = header.locator("[data-col-resize]").bounding_box()
    page.mouse.move(edge["x"] + edge["width"] / 2, edge["y"] + edge["height"] / 2)
    page.mouse.down()
    page.mouse.move(edge["x"] + 120, edge["y"] + edge["height"] / 2, steps=8)
    page.mouse.up()
    page.wait_for_url(re.compile(r".*widths=name%3A\d+.*"))
    widened = header.bounding_box()["width"]
    assert widened > before + 80
    page.reload()  # the width lives in the URL
    assert abs(page.locator("#list-table th[data-column=name]").bounding_box()["width"] - widened) < 3
    assert "widths=name" in page.get_attribute("#list-table th[data-column=amount] a", "href")
    # without a mouse: the edge is a focusable separator; ← narrows by 16 px, Shift+← by 64
    edge = page.locator("#list-table th[data-column=name] [data-col-resize]")
    kept = int(page.get_attribute("#list-table th[data-column=name]", "data-width"))
    edge.focus()
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(rf".*widths=name%3A{kept - 80}\b.*"))
    assert edge.get_attribute("aria-valuenow") == str(kept - 80)


def test_inline_edit_refuses_a_bad_value_then_saves(world, base, english):
    page = english
    world.login(page, base)
    page.goto(base + "/app/opportunity/?sort=name")
    row = page.locator("#list-table tbody tr", has_text="华信扩容项目 1")
    cell = row.locator("td[data-label='Amount']")
    cell.hover()
    cell.locator(".cell-edit").click()
    editor = row.locator("td.editing")
    editor.locator("input[name=amount]").fill("lots")
    editor.locator("button:has-text('Save')").click()
    expect_text(editor.locator(".error"), "number")
    assert editor.locator("input[name=amount]").input_value() == "lots"  # nothing typed is lost
    editor.locator("input[name=amount]").fill("123456")
    editor.locator("button:has-text('Save')").click()
    page.wait_for_selector("td.editing", state="detached")
    assert "123,456.00" in row.locator("td[data-label='Amount']").inner_text()


def test_kanban_moves_a_card_and_explains_a_refused_move(world, base, english):
    from metadata.services import update_object
    from tessera.records import service
    from tessera.security.access import SYSTEM

    page = english
    world.login(page, base)
    page.goto(base + "/app/opportunity/kanban/?by=stage")
    card = page.locator(".card-item", has_text="华信扩容项目 2")
    drag(page, card, page.locator("ol.cards[data-value=proposal]"))
    settled(page)  # the move is saved
    page.reload()
    assert page.locator("ol.cards[data-value=proposal] .card-item", has_text="华信扩容项目 2").count() == 1
    with tenant_context(world.tenant):  # deals cannot be won without an amount
        update_object("opportunity", {"validation_rules": [{
            "api_name": "won_needs_amount", "formula": 'AND(ISPICKVAL(stage, "closed_won"), OR(ISBLANK(amount), amount <= 0))',
            "message": {"en": "A won deal needs an amount.", "zh-hans": "赢单需要金额"}, "field": "amount"}]}, SYSTEM)
        service.update_record("opportunity", world.ids["deal_proposal"], {"amount": None}, SYSTEM)
    try:
        page.reload()
        blank = page.locator(".card-item", has_text="华信扩容项目 3")
        drag(page, blank, page.locator("ol.cards[data-value=closed_won]"))
        expect_text(page.locator("[data-board-message]"), "A won deal needs an amount.")
        assert page.locator("ol.cards[data-value=closed_won] .card-item", has_text="华信扩容项目 3").count() == 0
        page.reload()
        assert page.locator("ol.cards[data-value=proposal] .card-item", has_text="华信扩容项目 3").count() == 1
    finally:
        with tenant_context(world.tenant):
            update_object("opportunity", {"validation_rules": []}, SYSTEM)


def test_kanban_sums_amounts_and_weighs_them_by_stage_probability(world, base, browser):
    from tessera.records import service
    from tessera.security.access import SYSTEM

    context = browser.new_context(locale="en-US", viewport={"width": 2200, "height": 900})  # every column shown
    page = context.new_page()
    world.login(page, base)
    page.goto(base + "/app/opportunity/kanban/?by=stage")  # a pipeline sums its amounts by default
    negotiation = page.locator(".board-column", has=page.locator("ol.cards[data-value=negotiation]"))
    assert "80%" in negotiation.locator("header").inner_text()
    assert negotiation.locator("[data-sum]").inner_text() == "¥400,000.00"
    assert "¥320,000.00" in negotiation.locator("[data-weighted]").inner_text()
    assert "Weighted forecast" in page.inner_text("[data-totals=board]")
    won = page.locator(".board-column", has=page.locator("ol.cards[data-value=closed_won]"))
    try:
        drag(page, page.locator(".card-item", has_text="华信扩容项目 4"), page.locator("ol.cards[data-value=closed_won]"))
        expect_text(won.locator("[data-sum]"), "¥400,000.00")  # the totals follow the move
        expect_text(negotiation.locator("[data-sum]"), "¥0.00")
    finally:
        with tenant_context(world.tenant):
            service.update_record("opportunity", world.ids["deal_negotiation"], {"stage": "negotiation"}, SYSTEM)
    page.select_option("#sum-select", "")
    page.wait_for_url(re.compile(r".*sum=(&|$).*"))
    assert page.locator("[data-sum]").count() == 0
    context.close()


def test_log_a_visit_from_the_timeline_at_phone_width(world, base, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        world.login(page, base)
        page.goto(f"{base}/app/account/{world.ids['huaxin']}/")
        page.check("input[name=kind][value=visit]")
        page.fill("#log-subject", "拜访采购经理张伟")
        page.fill("#log-notes", "下月招标")
        page.click(".log-form button[type=submit]")
        page.wait_for_selector(".timeline a:has-text('拜访采购经理张伟')")
        assert page.evaluate("document.documentElement.scrollWidth") <= 362  # nothing wider than the phone
    finally:
        context.close()


def test_new_contact_from_the_related_list_has_the_account_filled(world, base, english):
    page = english
    world.login(page, base)
    page.goto(f"{base}/app/account/{world.ids['huaxin']}/")
    page.locator(".related", has_text="Contacts").locator("a:has-text('New')").click()
    page.wait_for_url(re.compile(r".*/app/contact/new/.*account=.*"))
    assert "华信科技有限公司" in page.inner_text("#field-account")
    page.fill("#id_name", "王芳")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(r".*/app/contact/\d+/$"))
    assert "华信科技有限公司" in page.inner_text(".record-main")


def test_a_form_with_three_errors_shows_them_all_and_keeps_what_was_typed(world, base, english):
    page = english
    world.login(page, base)
    page.goto(base + "/app/opportunity/new/")
    page.fill("#id_amount", "not a number")
    page.fill("#id_next_step", "Call back on Monday")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#form-errors")
    errors = page.locator(".field.has-error")
    assert errors.count() >= 3  # name, close date (required) and amount
    assert page.input_value("#id_amount") == "not a number"
    assert page.input_value("#id_next_step") == "Call back on Monday"


def test_a_cascade_narrows_the_dependent_picklist(world, base, english):
    page = english
    world.login(page, base)
    page.goto(base + "/app/account/new/")
    if page.locator("input[name=category]").count():
        page.click("button:has-text('Next')")
        page.wait_for_url(re.compile(r".*category=.*"))
    page.wait_for_load_state()  # htmx is ready when the page has loaded
    page.select_option("#id_country", "cn")
    page.locator("#id_province option[value=guangdong]").wait_for(state="attached")
    provinces = page.locator("#id_province option").all_inner_texts()
    assert any("Guangdong" in p for p in provinces) and not any("California" in p for p in provinces)
    page.select_option("#id_province", "guangdong")
    page.locator("#id_city option[value=shenzhen]").wait_for(state="attached")
    cities = page.locator("#id_city option").all_inner_texts()
    assert any("Shenzhen" in c for c in cities) and not any("Suzhou" in c for c in cities)


def test_a_duplicate_warning_lets_the_user_save_anyway(world, base, english):
    page = english
    world.login(page, base)
    page.goto(base + "/app/contact/new/")
    page.fill("#id_name", "张伟")
    page.fill("#id_mobile", "13800138000")
    page.click("button:has-text('Save')")
    warning = page.locator(".warning")
    expect_text(warning, "look the same")
    assert page.input_value("#id_mobile") == "13800138000"
    page.check("input[name=confirm_duplicates]")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(r".*/app/contact/\d+/$"))


def test_a_conflict_shows_the_other_change_and_keeps_mine(world, base, english):
    from tessera.records import service
    from tessera.security.access import SYSTEM

    page = english
    world.login(page, base)
    deal = world.ids["deal_negotiation"]
    page.goto(f"{base}/app/opportunity/{deal}/edit/")
    with tenant_context(world.tenant):  # someone else saves first
        service.update_record("opportunity", deal, {"next_step": "Their plan"}, SYSTEM)
    page.fill("#id_next_step", "My plan")
    page.click("button:has-text('Save')")
    conflict = page.locator(".warning", has_text="Someone else saved")
    expect_text(conflict, "Their plan")
    assert page.input_value("#id_next_step") == "My plan"
    page.click("button:has-text('Save')")  # keep mine
    page.wait_for_url(f"{base}/app/opportunity/{deal}/")
    assert "My plan" in page.inner_text(".record-main")


def test_delete_to_the_recycle_bin_and_restore(world, base, english):
    page = english
    world.login(page, base)
    page.goto(f"{base}/app/opportunity/{world.ids['old_deal']}/")
    page.click(".record-head button:has-text('Delete')")
    page.click(".confirm button:has-text('Delete')")
    page.wait_for_url(re.compile(r".*/app/opportunity/\?deleted=.*"))
    assert "去年的维保合同" not in page.inner_text("#list-table")
    page.goto(base + "/app/recycle-bin/")
    row = page.locator("tr", has_text="去年的维保合同")
    row.locator("button:has-text('Restore')").click()
    page.wait_for_url(f"{base}/app/opportunity/{world.ids['old_deal']}/")
    assert page.inner_text("h1") == "去年的维保合同"


def drag(page, source, target) -> None:
    """Drag as a hand does: press, move in steps, release (the board's drag follows the pointer)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 40, steps=15)
    page.mouse.up()


def expect_text(locator, text: str, timeout: float = 5000) -> None:
    locator.filter(has_text=text).first.wait_for(timeout=timeout)


AXE_BLOCKING = ("serious", "critical")


@pytest.mark.parametrize("path", ["/app/", "/app/opportunity/", "/app/opportunity/kanban/?by=stage",
                                  "/app/opportunity/{deal}/", "/app/opportunity/new/", "/app/account/{account}/edit/"])
def test_main_pages_have_no_serious_accessibility_violation(world, base, page, path):
    """axe-core (vendored, served like any static file) on the pages people use most."""
    world.login(page, base)
    page.goto(base + path.format(deal=world.ids["deal_negotiation"], account=world.ids["huaxin"]))
    page.add_script_tag(url=base + "/static/vendor/axe/axe.min.js")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    blocking = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"] if v["impact"] in AXE_BLOCKING]
    assert blocking == []
