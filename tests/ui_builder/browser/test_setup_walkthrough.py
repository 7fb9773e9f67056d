"""The setup walk-through: from a fresh tenant and using only the browser, an administrator builds an
object 项目 / Project with twelve fields — text, long text, currency, date, checkbox, a picklist, a
three-level cascade (province → city → district, pasted from a spreadsheet), a lookup to a
customer, a formula over that lookup, a roll-up from a child object — and an auto-number name
PRJ-{YYYY}-{0000}; then a salesperson creates a project in the CRM and meets those rules: the
required field, the cascade narrowing, the number given, the formula's value.

One fresh tenant for the module (setup_world), real Chromium against a live server; every page is
checked for Content-Security-Policy violations (the `page` fixture) and the designers with axe-core (in contexts of their own: axe injects a style element).
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.setup_world import axe_blocking, build_setup_world, drop_setup_world

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = build_setup_world()
        from tessera.records import service
        from tessera.security.access import SYSTEM

        with tenant_context(built.tenant):
            built.customer = service.create_record(
                "account", {"name": "华信科技有限公司", "industry": "it", "owner": built.rep.pk}, SYSTEM).id
        yield built
        drop_setup_world()


@pytest.fixture
def base(world, live_server_url):
    return live_server_url.format(slug=world.tenant.slug)


def screenshot(page, name: str) -> None:
    folder = os.environ.get("TESSERA_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name + ".png"), full_page=True)


def new_object(page, base, zh: str, en: str, *, number_format: str = "", name_zh: str = "", name_en: str = "") -> None:
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


def new_field(page, base, obj: str, type_key: str, zh: str, en: str, fill=None) -> None:
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


def test_administrator_builds_a_project_and_a_salesperson_uses_it(world, base, page):
    world.login(page, base)
    new_object(page, base, "项目", "Project", number_format="PRJ-{YYYY}-{0000}", name_zh="项目编号",
               name_en="Project number")
    new_object(page, base, "任务", "Task")
    new_field(page, base, "task", "lookup", "所属项目", "Project",
              lambda p: choose_and_wait(p, "#opt-target", "project", "#opt-target option[value=project][selected]"))
    new_field(page, base, "task", "number", "工时", "Hours")

    # 1–5: plain fields; the first is required
    new_field(page, base, "project", "text", "项目名称", "Title", lambda p: p.check("input[name=required]"))
    new_field(page, base, "project", "long_text", "描述", "Description")
    new_field(page, base, "project", "currency", "预算", "Budget")
    new_field(page, base, "project", "date", "开始日期", "Start date")
    new_field(page, base, "project", "boolean", "已签约", "Signed")

    # 6: a picklist whose values are typed, reordered with the keyboard's buttons, previewed
    def status_values(p):
        p.click("button:has-text('添加值')")
        p.locator("[data-value-row]").nth(0).locator("input[name='values.label.zh-hans']").fill("已完成")
        p.locator("[data-value-row]").nth(0).locator("input[name='values.label.en']").fill("Done")
        p.click("button:has-text('添加值')")
        p.locator("[data-value-row]").nth(1).locator("input[name='values.label.zh-hans']").fill("进行中")
        p.locator("[data-value-row]").nth(1).locator("input[name='values.label.en']").fill("In progress")
        p.locator("[data-value-row]").nth(1).locator("button[data-value-up]").click()
        # the preview follows: 进行中 comes first now
        p.locator("#field-preview select option").nth(1).filter(has_text="进行中").wait_for(state="attached")
        screenshot(p, "designer-picklist-zh")
    new_field(page, base, "project", "picklist", "状态", "Status", status_values)

    # 7–9: province → city → district, each pasted from a spreadsheet
    new_field(page, base, "project", "picklist", "省份", "Province",
              lambda p: (p.click("summary:has-text('从电子表格粘贴值')"),
                         p.fill("#values-paste", "广东省\tGuangdong\n江苏省\tJiangsu")))

    def cascade(controller: str, pairs: str):
        def fill(p):
            choose_and_wait(p, "#opt-controlling_field", controller, "#dependency-paste")
            p.click("summary:has-text('从电子表格粘贴对应关系')")
            p.fill("#dependency-paste", pairs)
        return fill
    new_field(page, base, "project", "picklist", "城市", "City",
              cascade("province", "广东省\t深圳市\n广东省\t广州市\n江苏省\t苏州市"))
    new_field(page, base, "project", "picklist", "区县", "District",
              cascade("city", "深圳市\t南山区\n深圳市\t福田区\n广州市\t天河区\n苏州市\t姑苏区"))
    # the matrix shows what was pasted; a column's heading clears it all
    page.goto(f"{base}/setup/objects/project/fields/district/")
    assert page.locator("input[name^='dependency.'][value=nan_shan_qu]:checked").count() == 1
    screenshot(page, "designer-cascade-zh")

    # 10–11: a lookup to the customer, and a formula over it written with the editor's help
    new_field(page, base, "project", "lookup", "客户", "Customer",
              lambda p: choose_and_wait(p, "#opt-target", "account", "#opt-target option[value=account][selected]"))

    def formula(p):
        p.select_option("#opt-result_type", "text")
        box = p.locator("#opt-formula")
        box.click()
        box.press_sequentially("customer.nope")
        p.locator(".formula-editor.has-error").wait_for()
        assert p.locator("[data-formula-mirror] mark").inner_text() == "customer.nope"
        box.fill("")
        box.press_sequentially("custo")
        p.locator("[data-formula-suggestions] li:has-text('customer')").wait_for()
        box.press("Tab")
        assert box.input_value() == "customer."
        box.press_sequentially("na")
        p.locator("[data-formula-suggestions] li:has-text('name')").first.wait_for()
        box.press("Enter")
        box.press_sequentially(' & "·" & TEXT(customer.industry)')
        p.locator(".formula-editor:not(.has-error) [data-formula-status]:has-text('公式正确')").wait_for()
        screenshot(p, "designer-formula-zh")
    new_field(page, base, "project", "formula", "客户名称与行业", "Customer and industry", formula)

    # 12: a roll-up of the hours of the project's tasks
    def rollup(p):
        choose_and_wait(p, "#opt-child_object", "task", "#opt-child_field option[value=project]")
        p.select_option("#opt-child_field", "project")
        p.select_option("#opt-function", "sum")
        p.select_option("#opt-value_field", "hours")
    new_field(page, base, "project", "rollup", "任务工时合计", "Total hours", rollup)

    page.goto(base + "/setup/objects/project/fields/")
    assert page.locator("#fields-table tbody tr").count() >= 12 + 5  # twelve fields, the name, owner and audit fields
    page.goto(base + "/setup/")
    page.fill("#setup-q", "quxian")  # the pinyin of 区县: the search finds the field
    page.locator("#setup-hits a:has-text('区县')").wait_for()

    # the salesperson creates a project
    page.click(".user-button")
    page.click("form[action='/logout/'] button")
    world.login(page, base, who="rep")
    page.goto(f"{base}/app/project/new/?customer={world.customer}")
    page.wait_for_load_state()
    page.click("button:has-text('保存')")
    page.locator(".field.has-error#field-title").wait_for()  # the required field
    page.fill("#id_title", "华信机房改造")
    page.select_option("#id_province", "guangdong")
    page.locator("#id_city option[value=shen_zhen_shi]").wait_for(state="attached")
    assert "苏州市" not in page.locator("#id_city").inner_text()
    page.select_option("#id_city", "shen_zhen_shi")
    page.locator("#id_district option[value=nan_shan_qu]").wait_for(state="attached")
    assert "天河区" not in page.locator("#id_district").inner_text()
    page.select_option("#id_district", "nan_shan_qu")
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(r".*/app/project/\d+/$"))
    main = page.inner_text("main")
    assert f"PRJ-{dt.date.today():%Y}-0001" in main
    assert "华信科技有限公司·" in main  # the formula over the lookup
    screenshot(page, "project-record-zh")


@pytest.mark.parametrize("path", ["/setup/", "/setup/objects/", "/setup/objects/new/", "/setup/objects/account/",
                                  "/setup/objects/account/fields/", "/setup/objects/account/fields/new/",
                                  "/setup/objects/account/fields/new/?type=picklist",
                                  "/setup/objects/account/fields/new/?type=formula", "/setup/organization/",
                                  "/setup/objects/account/fields/industry/"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_designers_are_accessible_in_both_languages(world, base, browser, django_db_blocker, path, locale):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    try:
        with django_db_blocker.unblock():
            world.login(page, base)
            page.goto(base + path)
            screenshot(page, f"a11y-{locale}-{path.strip('/').replace('/', '-').replace('?', '-')}")
            assert axe_blocking(page, base) == []
            if locale == "en-US":
                assert "Setup" in page.inner_text(".setup-nav")
            else:
                assert "设置" in page.inner_text(".setup-nav")
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_field_designer_works_at_phone_width(world, base, browser, django_db_blocker, locale):
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        with django_db_blocker.unblock():
            world.login(page, base)
            page.goto(base + "/setup/objects/account/fields/new/?type=picklist")
            page.fill("#label-zh-hans", "客户等级")
            page.fill("#label-en", "Customer grade")
            page.click("[data-value-add]")
            page.locator("[data-value-row] input[name='values.label.zh-hans']").first.fill("甲")
            page.locator("[data-value-row] input[name='values.label.en']").first.fill("A")
            page.locator("#field-preview select option").nth(1).wait_for(state="attached")  # 甲 / A
            screenshot(page, f"designer-phone-{locale}")
            assert axe_blocking(page, base) == []
    finally:
        context.close()
