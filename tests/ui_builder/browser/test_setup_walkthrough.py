"""The setup walk-through, issue 11's whole story in one test: from a fresh tenant and using only
the browser, an administrator builds an object 项目 / Project with twelve fields — text (required),
long text, currency, date, checkbox, a picklist, a three-level cascade (province → city →
district, pasted from a spreadsheet), a lookup to a customer, a formula over that lookup, a roll-up
from a child object — and an auto-number name PRJ-{YYYY}-{0000}; two record categories with
different layouts (one built by dragging and by keyboard), a shared list view and a related list
on the account page. Then a salesperson creates a project through /app/ and meets exactly that
layout and those rules: the category's section, the required field, the cascade narrowing, the
number given, the formula's value, the project on the customer's page. Then the administrator
reverts one change in the history and the salesperson's form follows.

Beside it, in the same tenant: a deleted object restored from the history with its records, and
the designers checked with axe-core in both languages (in contexts of their own: axe injects a
style element) and at phone width. One fresh tenant for the module (setup_world), real Chromium
against a live server; every page is checked for Content-Security-Policy violations.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import ExitStack

import pytest
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.setup_world import (
    axe_blocking,
    browser_page,
    build_setup_world,
    choose_and_wait,
    drag,
    drop_setup_world,
    move_by_keyboard,
    new_category,
    new_field,
    new_layout,
    new_object,
    save_layout,
    screenshot,
)

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


def test_the_whole_story_an_administrator_builds_a_project_a_salesperson_uses_it_a_revert_follows(
        world, base, page, browser):
    world.login(page, base)
    build_the_project_object(page, base)
    construction, consulting = categories_with_their_layouts(page, base)
    list_view_and_related_list(page, base)
    with browser_page(browser) as rep:
        world.login(rep, base, who="rep")
        the_salesperson_creates_a_project(rep, base, world.customer, construction, consulting)

        # the administrator reverts the consulting form's change; the salesperson's form follows
        page.goto(base + "/setup/history/?object=project&entity=layout")
        change = page.locator("li.change", has_text="咨询项目表单").filter(has_text="已修改").first
        change.locator("button:has-text('撤销此更改')").click()
        page.locator(".setup-messages:has-text('已撤销')").wait_for()
        screenshot(page, "history-revert-zh-1280", full_page=False)
        rep.goto(f"{base}/app/project/new/?category={consulting}")
        assert rep.locator("#id_signed").count() == 1


def build_the_project_object(page, base) -> None:
    """The object, its child object (tasks, for the roll-up) and its twelve fields."""
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

    page.goto(base + "/setup/objects/project/fields/")
    assert page.locator("#fields-table tbody tr").count() >= 12 + 5  # twelve fields, the name, owner and audit fields
    page.goto(base + "/setup/")
    page.fill("#setup-q", "quxian")  # the pinyin of 区县: the search finds the field
    page.locator("#setup-hits a:has-text('区县')").wait_for()


def categories_with_their_layouts(page, base) -> tuple[str, str]:
    """Two categories with forms of their own: construction projects get a "施工信息" section with
    the start date (moved by keyboard) and the budget (dragged); consulting projects do without the
    "signed" checkbox. Returns the two categories' api_names."""
    new_layout(page, base, "project", "施工项目表单", "Construction form")
    page.click("button:has-text('添加分区')")
    page.fill("#s1-label-en", "Site works")
    page.fill("#s1-label-zh-hans", "施工信息")
    move_by_keyboard(page, "start_date", "开始日期", "1")
    page.locator("[data-section='1'] [data-field=start_date]").wait_for()
    page.set_viewport_size({"width": 1280, "height": 1600})  # the field and the new section both in sight
    drag(page, page.locator("[data-section='0'] [data-field=budget] .drag"), page.locator("ul[data-section='1']"))
    page.locator("[data-section='1'] [data-field=budget]").wait_for(timeout=5000)
    page.set_viewport_size({"width": 1280, "height": 720})
    screenshot(page, "layout-designer-zh-1280")
    assert axe_blocking(page, base) == []
    save_layout(page)
    assert page.locator("[data-section='1'] [data-field=budget]").count() == 1  # as saved
    new_layout(page, base, "project", "咨询项目表单", "Consulting form")
    move_by_keyboard(page, "signed", "已签约", "palette")
    page.locator("#palette [data-field=signed]").wait_for()
    save_layout(page)
    construction = new_category(page, base, "project", "施工类", "Construction", "施工项目表单")
    consulting = new_category(page, base, "project", "咨询类", "Consulting", "咨询项目表单")
    assert axe_blocking(page, base) == []
    return construction, consulting


def list_view_and_related_list(page, base) -> None:
    """A shared list view with a condition from the filter builder; projects on the account page."""
    page.goto(base + "/setup/objects/project/list-views/new/")
    page.fill("#view-label-zh-hans", "我团队的项目")
    page.fill("#view-label-en", "Projects of my team")
    page.check("input[name=columns][value=budget]")
    page.select_option("#fb-field", "owner")
    page.check("#fb-inputs input[value=my_team]")
    page.click("button:has-text('添加此条件')")
    page.locator("ul.conditions li").wait_for()
    assert axe_blocking(page, base) == []
    page.click("button:has-text('保存列表视图')")
    page.wait_for_url(base + "/setup/objects/project/list-views/")
    assert page.locator("#list-views", has_text="我团队的项目").count() == 1
    page.goto(base + "/setup/objects/account/layouts/default_view/")
    page.select_option("#new-relation", "project.customer")
    page.click("button:has-text('添加'):right-of(#new-relation)")
    related = page.locator("fieldset.related-list").last
    related.locator("input[value=budget]").wait_for()
    related.locator("input[value=budget]").check()
    save_layout(page)


def the_salesperson_creates_a_project(rep, base, customer: int, construction: str, consulting: str) -> None:
    """In /app/, a construction project: its category's section, the required field, the cascade
    narrowing, the number given, the formula over the lookup; then the customer's page lists it."""
    rep.goto(f"{base}/app/project/new/?category={consulting}")
    assert rep.locator("#id_signed").count() == 0 and rep.locator("#id_budget").count() == 1
    rep.goto(f"{base}/app/project/new/?category={construction}&customer={customer}")
    works = rep.locator("fieldset.section", has=rep.locator("legend", has_text="施工信息"))
    assert works.locator("#id_budget").count() == 1 and works.locator("#id_start_date").count() == 1
    rep.click("button:has-text('保存')")
    rep.locator(".field.has-error#field-title").wait_for()  # the required field
    rep.fill("#id_title", "华信机房改造")
    rep.select_option("#id_province", "guangdong")
    rep.locator("#id_city option[value=shen_zhen_shi]").wait_for(state="attached")
    assert "苏州市" not in rep.locator("#id_city").inner_text()
    rep.select_option("#id_city", "shen_zhen_shi")
    rep.locator("#id_district option[value=nan_shan_qu]").wait_for(state="attached")
    assert "天河区" not in rep.locator("#id_district").inner_text()
    rep.select_option("#id_district", "nan_shan_qu")
    rep.click("button:has-text('保存')")
    rep.wait_for_url(re.compile(r".*/app/project/\d+/$"))
    number = f"PRJ-{dt.date.today():%Y}-0001"
    main = rep.inner_text("main")
    assert number in main
    assert "华信科技有限公司·" in main  # the formula over the lookup
    screenshot(rep, "project-record-zh")
    rep.goto(f"{base}/app/account/{customer}/")
    rep.locator("section.related", has_text=number).wait_for()


def test_a_deleted_object_is_restored_from_the_history_with_its_records(world, base, page, browser):
    """The delete confirmation says the object can come back; the history says what comes back and
    until when, at desk and phone width in both languages; reverting the deletion brings the object
    and its records back."""
    from metadata.services import add_field, create_object
    from tessera.records import service
    from tessera.security.access import SYSTEM

    with tenant_context(world.tenant):
        create_object({"api_name": "visit", "labels": {"zh-hans": {"singular": "拜访", "plural": "拜访"},
                                                       "en": {"singular": "Visit", "plural": "Visits"}}}, SYSTEM)
        add_field("visit", {"api_name": "place", "type": "text", "labels": {"zh-hans": "地点", "en": "Place"}}, SYSTEM)
        for name in ("拜访华信", "回访华信"):
            service.create_record("visit", {"name": name, "place": "深圳"}, SYSTEM)
    world.login(page, base)
    page.goto(base + "/setup/objects/visit/delete/")
    assert "撤销此更改" in page.inner_text(".warning")  # it says how to restore it
    screenshot(page, "object-delete-zh-CN-1280", full_page=False)
    assert axe_blocking(page, base) == []
    page.fill("#confirm-name", "拜访")
    page.click("button:has-text('删除对象及其记录')")
    page.wait_for_url(base + "/setup/objects/?deleted=1")
    screenshot(page, "objects-after-delete-zh-CN-1280", full_page=False)
    page.click(".notice a")  # "it can be restored from the history"
    deletion = page.locator("li.change", has=page.locator(".kept-object")).first
    assert "拜访" in deletion.inner_text() and "记录（2）" in deletion.inner_text()
    screenshot(page, "history-deleted-object-zh-CN-1280", full_page=False)
    assert axe_blocking(page, base) == []
    with ExitStack() as stack:
        others = {}
        for locale, width in (("zh-CN", 390), ("en-US", 1280), ("en-US", 390)):
            other = others[f"{locale}-{width}"] = stack.enter_context(browser_page(browser, locale, width))
            world.login(other, base)
            other.goto(base + "/setup/history/?entity=object")
            kept = other.locator("li.change .kept-object").first
            assert ("records (2)" if locale == "en-US" else "记录（2）") in kept.inner_text()
            screenshot(other, f"history-deleted-object-{locale}-{width}", full_page=False)
            assert axe_blocking(other, base) == []

        deletion.locator("button:has-text('撤销此更改')").click()
        page.locator(".setup-messages:has-text('已撤销')").wait_for()
        assert page.locator("li.change .kept-object").count() == 0
        screenshot(page, "history-restored-object-zh-CN-1280", full_page=False)
        for name, other in others.items():
            other.reload()
            assert other.locator("li.change .kept-object").count() == 0
            screenshot(other, f"history-restored-object-{name}", full_page=False)
    page.goto(base + "/app/visit/")
    assert page.locator("table#list-table a:has-text('拜访华信')").count() == 1
    assert page.locator("table#list-table a:has-text('回访华信')").count() == 1


@pytest.mark.parametrize("path", ["/setup/", "/setup/objects/", "/setup/objects/new/", "/setup/objects/account/",
                                  "/setup/objects/account/fields/", "/setup/objects/account/fields/new/",
                                  "/setup/objects/account/fields/new/?type=picklist",
                                  "/setup/objects/account/fields/new/?type=formula", "/setup/organization/",
                                  "/setup/objects/account/fields/industry/"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_designers_are_accessible_in_both_languages(world, base, browser, path, locale):
    with browser_page(browser, locale) as page:
        world.login(page, base)
        page.goto(base + path)
        screenshot(page, f"a11y-{locale}-{path.strip('/').replace('/', '-').replace('?', '-')}")
        assert axe_blocking(page, base) == []
        assert ("Setup" if locale == "en-US" else "设置") in page.inner_text(".setup-nav")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_field_designer_works_at_phone_width(world, base, browser, locale):
    with browser_page(browser, locale, 390) as page:
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
