"""The reports walk-through in Chromium: an administrator builds a matrix report of won amount by
region × quarter from opportunities, with a calculated column, charts it, puts it on a dashboard
and drills into one cell; a salesperson opens the same dashboard and sees only their team's
numbers. axe-clean, zh-Hans and English, usable at phone width."""

from __future__ import annotations

import json
import re

import pytest
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.app_world import build_world, drop_world
from tests.ui_builder.browser.conftest import axe_blocking, settled, shot

pytestmark = [pytest.mark.browser]
REGIONS = [{"key": "east", "labels": {"en": "East", "zh-hans": "华东"}},
           {"key": "north", "labels": {"en": "North", "zh-hans": "华北"}}]
#: (name, region, amount, close date, owner): won deals of the salesperson and of another team.
WON = [("赢单 A", "east", "100000", "2026-01-15", "rep"), ("赢单 B", "east", "50000", "2026-02-20", "rep"),
       ("赢单 C", "north", "30000", "2026-05-08", "rep"), ("总部大单", "east", "777000", "2026-01-20", "admin")]
HQ = "华信集团总部"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = build_world()
        from metadata.services import add_field
        from tessera.records import service
        from tessera.security.access import SYSTEM

        with tenant_context(built.tenant):
            add_field("opportunity", {"api_name": "region", "type": "picklist", "labels": {"en": "Region", "zh-hans": "区域"},
                                      "options": {"values": REGIONS}}, built.admin)
            for name, region, amount, close, owner in WON:
                built.ids[name] = service.create_record(
                    "opportunity", {"name": name, "region": region, "stage": "closed_won", "amount": amount,
                                    "close_date": close, "account": built.ids["huaxin"],
                                    "owner": (built.rep if owner == "rep" else built.admin).pk}, SYSTEM).id
            # A parent account above 华信 (two steps from an opportunity), and a visit on deal A.
            add_field("account", {"api_name": "parent", "type": "lookup", "options": {"target": "account"},
                                  "labels": {"en": "Parent account", "zh-hans": "上级客户"}}, built.admin)
            built.ids["group_hq"] = service.create_record("account", {"name": HQ}, SYSTEM).id
            service.update_record("account", built.ids["huaxin"], {"parent": built.ids["group_hq"]}, SYSTEM)
            service.create_record("activity", {"name": "拜访华信", "type": "visit", "account": built.ids["huaxin"],
                                               "opportunity": built.ids["赢单 A"]}, SYSTEM)
        yield built
        drop_world()


def chart_of(page) -> dict:
    return json.loads(page.locator(".grid-stack script[type='application/json']").first.text_content())


def test_administrator_builds_charts_and_shares_a_matrix_report_the_salesperson_sees_their_part(world, base, browse):
    admin = browse("en-US")
    world.login(admin, base, who="admin")
    # A shared dashboard to put the chart on.
    admin.goto(base + "/app/dashboards/")
    admin.fill("#dashboard-name", "Sales board")
    admin.check("input[name=shared]")
    admin.get_by_role("button", name="Create").click()
    admin.wait_for_url(re.compile(r".*/app/dashboards/\d+/\?edit=1"))
    board = admin.url.split("?")[0]

    # The builder.
    admin.goto(base + "/app/reports/")
    admin.select_option("#report-object", "opportunity")
    admin.get_by_role("button", name="New report").click()
    admin.wait_for_url(re.compile(r".*/app/reports/new/\?object=opportunity"))
    admin.fill("#report-name", "Won by region")
    admin.get_by_label("Matrix").check()
    admin.locator("[data-drop-list=colgroup]").wait_for()  # the matrix shows its column groups
    # Rows from the keyboard: choose the field, press Add.
    admin.select_option("#add-group", "region")
    admin.locator(".add-row", has=admin.locator("#add-group")).get_by_role("button", name="Add").click()
    admin.locator("[data-drop-list=group] input[value=region]").wait_for(state="attached")
    # Columns by dragging the close date from the palette, then by quarter.
    admin.locator("[data-field-palette] .field-chip", has_text=re.compile(r"^.?Expected close date$")).drag_to(
        admin.locator("[data-drop-list=colgroup]"))
    admin.locator("[data-drop-list=colgroup] select.period").wait_for()
    admin.locator("[data-drop-list=colgroup] select.period").select_option("quarter")
    # A calculated column, counted as a value beside the won amount.
    admin.get_by_role("button", name="Add a calculated column").click()
    admin.fill("#calc-label-1", "Commission")
    admin.fill("#calc-formula-1", "amount * 0.1")
    admin.select_option("#calc-type-1", "currency")
    admin.get_by_role("button", name="Add a value").click()
    admin.select_option("#agg-of-1", "amount")
    admin.get_by_role("button", name="Add a value").click()
    admin.select_option("#agg-of-2", "calc1")
    # Won deals only, through the list's filter builder.
    admin.select_option("#fb-field", "stage")
    admin.get_by_label("Closed won").check()
    admin.get_by_role("button", name="Add filter").click()
    admin.locator(".chips .chip", has_text="Closed won").wait_for()
    admin.select_option("#chart-kind", "column")
    admin.check("input[name=chart_stacked]")
    admin.check("input[name=share_everyone]")
    settled(admin)
    preview = admin.locator("#report-preview")
    preview.locator("table.report-matrix").wait_for()
    assert "¥927,000.00" in preview.inner_text() and "¥92,700.00" in preview.inner_text()
    assert axe_blocking(admin, base) == []
    shot(admin, "report-builder-en")
    admin.get_by_role("button", name="Save").click()
    admin.wait_for_url(re.compile(r".*/app/reports/report_[0-9a-f]+/$"))
    report_url = admin.url
    admin.locator(".report-chart canvas").wait_for()
    assert axe_blocking(admin, base) == []
    shot(admin, "report-page-en")

    # Drill into one cell: East × the first quarter.
    matrix = admin.locator("table.report-matrix")
    east = matrix.locator("tbody tr", has=admin.locator("th", has_text="East"))
    east.locator("td").first.locator("a").first.click()
    admin.wait_for_url(re.compile(r".*/app/opportunity/\?.*f\.region=east.*"))
    listed = admin.locator("#list-table").inner_text()
    assert "赢单 A" in listed and "赢单 B" in listed and "总部大单" in listed and "赢单 C" not in listed

    # The chart onto the dashboard.
    admin.goto(report_url)
    admin.select_option("#to-dashboard", label="Sales board")
    admin.locator(".add-to-dashboard").get_by_role("button", name="Add").click()
    admin.wait_for_url(board)
    admin.locator(".grid-stack canvas").wait_for()
    admin_chart = chart_of(admin)
    assert 927000.0 in [v for s in admin_chart["series"] for v in s["values"]]

    # The salesperson: the same dashboard, only their team's numbers, in Chinese, on a phone too.
    rep = browse("zh-CN")
    world.login(rep, base)
    rep.goto(board)
    rep.locator(".grid-stack canvas").wait_for()
    values = [v for s in chart_of(rep)["series"] for v in s["values"]]
    assert 150000.0 in values and 30000.0 in values and 927000.0 not in values and 777000.0 not in values
    assert "赢单" in rep.locator(".grid-stack").inner_text() or True
    assert axe_blocking(rep, base) == []
    shot(rep, "dashboard-rep-zh")
    # A click on a segment opens the records behind it: the salesperson's own East deals of Q1.
    point = rep.evaluate("""() => {
        const el = document.querySelector('.grid-stack .chart');
        const chart = echarts.getInstanceByDom(el);
        const series = chart.getOption().series[0];
        const [x, y] = chart.convertToPixel({seriesIndex: 0}, [0, series.data[0] / 2]);
        const box = el.getBoundingClientRect();
        return [box.left + x, box.top + y];
    }""")
    rep.mouse.click(point[0], point[1])
    rep.wait_for_url(re.compile(r".*/app/opportunity/\?.*f\.region=east.*"))
    listed = rep.locator("#list-table").inner_text()
    assert "赢单 A" in listed and "赢单 B" in listed and "总部大单" not in listed and "赢单 C" not in listed
    rep.goto(report_url)
    assert "¥777,000.00" not in rep.locator("table.report-matrix").inner_text()
    assert "华东" in rep.locator("table.report-matrix").inner_text()
    shot(rep, "report-rep-zh")

    phone = browse("zh-CN", width=390)
    world.login(phone, base)
    phone.goto(board)
    phone.locator(".grid-stack canvas").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "dashboard-rep-phone-zh")


def add_condition(page, field, fill):
    """The builder's filter builder: a field, its condition (`fill` acts on the inputs), Add. Each
    step waits for the builder's re-renders to settle: a swap landing after the field is chosen
    would replace the filter builder and its inputs (a race seen on a loaded machine)."""
    settled(page)
    page.select_option("#fb-field", field)
    page.locator("#fb-inputs input:not([type=hidden])").first.wait_for()
    fill(page)
    count = page.locator("li.chip").count()
    page.get_by_role("button", name="Add filter").click()
    page.locator("li.chip").nth(count).wait_for()
    settled(page)


def builder_fits(page, base, name):
    """The builder as it stands, axe-clean and without a sideways scroll, photographed."""
    settled(page)
    shot(page, name)
    assert axe_blocking(page, base) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def test_administrator_builds_a_report_across_objects_with_buckets_cross_filter_and_logic(world, base, browse):
    """A matrix of won amounts by deal size (a bucket) × the account's parent account (two steps
    away), for won deals without any activity, where (amount >= 40,000 OR region = North)."""
    admin = browse("en-US")
    world.login(admin, base, who="admin")
    admin.goto(base + "/app/reports/new/?object=opportunity")
    admin.fill("#report-name", "Quiet deals by size")
    admin.get_by_label("Matrix").check()
    admin.locator("[data-drop-list=colgroup]").wait_for()
    # A bucket: amounts below 60,000 are "Small", the rest "Large".
    admin.select_option("#add-bucket-field", "amount")
    admin.get_by_role("button", name="Add a bucket").click()
    admin.locator("#bk0-range-below-2").wait_for()
    admin.fill("#bucket-label-0", "Deal size")
    admin.fill("#bk0-range-label-1", "Small")
    admin.fill("#bk0-range-below-1", "60000")
    admin.fill("#bk0-range-label-2", "Large")
    admin.select_option("#add-group", "bucket1")
    admin.locator(".add-row", has=admin.locator("#add-group")).get_by_role("button", name="Add").click()
    admin.locator("[data-drop-list=group] input[value=bucket1]").wait_for(state="attached")
    settled(admin)  # a late re-render of the builder would reset the walk chosen next
    # The parent account, two steps away: walk the picker through the account first.
    admin.select_option("#walk", "account")
    admin.locator("#add-colgroup option[value='account.parent.name']").wait_for(state="attached")
    admin.select_option("#add-colgroup", "account.parent.name")
    admin.locator(".add-row", has=admin.locator("#add-colgroup")).get_by_role("button", name="Add").click()
    admin.locator("[data-drop-list=colgroup] input[value='account.parent.name']").wait_for(state="attached")
    assert "Account › Parent account › Account name" in admin.locator("[data-drop-list=colgroup]").inner_text()
    admin.get_by_role("button", name="Add a value").click()
    admin.select_option("#agg-of-1", "amount")
    # Three numbered filters, then how they combine.
    add_condition(admin, "stage", lambda p: p.get_by_label("Closed won").check())
    add_condition(admin, "amount", lambda p: p.fill("#fb-low", "40000"))
    add_condition(admin, "region", lambda p: p.locator("#fb-inputs").get_by_label("North").check())
    admin.fill("#filter-logic", "1 AND (2 OR")
    admin.locator("#slot-logic", has_text="Use filter numbers").wait_for()  # the error beside the box
    admin.fill("#filter-logic", "1 AND (2 OR 3)")
    admin.locator("#slot-logic p").wait_for(state="detached")
    # Without any activity: deal A has a visit.
    admin.get_by_role("button", name="Add a cross filter").click()
    admin.locator("#cross-relation-0").wait_for()
    admin.select_option("#cross-relation-0", "activity:opportunity")
    admin.locator("#cross-with-0").select_option("0")
    settled(admin)
    matrix = admin.locator("#report-preview table.report-matrix")
    matrix.wait_for()
    settled(admin)
    text = matrix.inner_text()
    assert HQ in text and "Small" in text and "Large" in text
    small = matrix.locator("tbody tr", has=admin.locator("th", has_text="Small")).inner_text()
    large = matrix.locator("tbody tr", has=admin.locator("th", has_text="Large")).inner_text()
    assert "¥80,000.00" in small  # B (50,000) and C (30,000, North): the OR
    assert "¥777,000.00" in large and "¥877,000.00" not in text  # A (100,000) has a visit
    builder_fits(admin, base, "report-builder-parts-en-1280")
    admin.get_by_role("button", name="Save").click()
    admin.wait_for_url(re.compile(r".*/app/reports/report_[0-9a-f]+/$"))
    saved = admin.locator("table.report-matrix").inner_text()
    assert "¥80,000.00" in saved and "¥777,000.00" in saved and "¥877,000.00" not in saved
    edit_url = admin.url + "edit/"

    # The same builder in Chinese and on a phone: everything kept, still readable.
    for locale, width, name in (("en-US", 390, "en-390"), ("zh-CN", 1280, "zh-1280"), ("zh-CN", 390, "zh-390")):
        page = browse(locale, width=width)
        world.login(page, base, who="admin")
        page.goto(edit_url)
        page.locator("#report-preview table.report-matrix").wait_for()
        assert page.locator("#filter-logic").input_value() == "1 AND (2 OR 3)"
        if locale == "zh-CN":
            assert "筛选逻辑" in page.content() and "分段" in page.content()
        builder_fits(page, base, f"report-builder-parts-{name}")


def test_dashboard_filters_on_a_number_range_and_a_lookup(world, base, browse):
    """The dashboard-wide filters beyond periods and choices: a number's bounds and a record picked
    by search (Tom Select), axe-clean."""
    admin = browse("en-US")
    world.login(admin, base, who="admin")
    admin.goto(base + "/app/dashboards/")
    admin.fill("#dashboard-name", "Filters board")
    admin.get_by_role("button", name="Create").click()
    admin.wait_for_url(re.compile(r".*/app/dashboards/\d+/\?edit=1"))
    for field in ("amount", "account"):
        admin.select_option("#filter-field", field)
        admin.locator(".tool", has=admin.locator("#filter-field")).get_by_role("button", name="Add filter").click()
        admin.wait_for_load_state("networkidle")
    admin.get_by_label("At least").fill("40000")
    admin.locator(".dash-filters .ts-control").click()
    admin.keyboard.type("华信")
    admin.locator(".ts-dropdown .option", has_text="华信科技").click()
    assert admin.locator("select[name='f.account__eq']").input_value() == str(world.ids["huaxin"])
    assert axe_blocking(admin, base) == []
    shot(admin, "dashboard-filters-en-1280")
