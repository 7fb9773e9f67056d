"""Walk-through: an administrator loads the spreadsheets the company already has — an XLSX of
customers, then a CSV of contacts (GBK, from Excel on Chinese Windows) naming their customers —
checks the contacts first, imports them, downloads the rows that failed, fixes them in the file,
imports it again, and exports the contact list.

Each check and import runs as a background job in a real Celery worker (threads, in this process,
through the broker), while the page polls its progress bar and reloads itself when the job is done."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django_tenants.utils import tenant_context

from tessera.celery import app
from tests.ui_builder.browser.app_world import build_world, drop_world

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = build_world()
        yield built
        drop_world()


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), start_worker(app, pool="threads", concurrency=2, perform_ping_check=False):
        yield
    connection.set_schema_to_public()


@pytest.fixture
def base(world, live_server_url):
    return live_server_url.format(slug=world.tenant.slug)


def _latest_run(world):
    from tessera.transfer.models import ImportRun

    with tenant_context(world.tenant):
        return ImportRun.objects.latest("id")


def _upload(page, base, object_name, path):
    page.goto(f"{base}/app/{object_name}/")
    page.get_by_role("link", name="导入", exact=True).click()
    page.wait_for_url(re.compile(rf".*/app/{object_name}/import/$"))
    page.set_input_files("#import-file", str(path))
    page.get_by_role("button", name="上传").click()
    page.wait_for_url(re.compile(rf".*/app/{object_name}/import/\d+/$"))


def _import_and_wait(page, world):
    page.get_by_role("button", name="导入", exact=True).click()
    page.wait_for_selector(".import-result", timeout=90_000)  # progress polled, the page reloads when done
    return _latest_run(world)


def test_customers_then_contacts_fix_the_errors_and_export(world, worker, base, page, tmp_path):
    world.login(page, base, who="admin")

    # 1. Customers from an XLSX: a title row above the header, amounts with ¥, a label for the grade.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["客户清单（2024 年导出）"])
    sheet.append(["客户名称", "信用等级", "电话", "年营业额"])
    sheet.append(["星辰贸易有限公司", "A", "021-66668888", "¥1,054.50"])
    sheet.append(["远航物流", "b", "020-12345678", 2500000])
    customers = tmp_path / "客户.xlsx"
    workbook.save(customers)
    _upload(page, base, "account", customers)
    page.get_by_label("标题行").fill("2")
    page.get_by_role("button", name="重新读取").click()
    assert page.locator("#field-0").input_value() == "name"  # mapped by its Chinese label
    assert page.locator("#field-1").input_value() == "rating"
    run = _import_and_wait(page, world)
    assert (run.inserted, run.errors) == (2, 0)
    assert "2" in page.inner_text(".import-result")

    # 2. Contacts from a GBK CSV naming their customers; two rows are wrong.
    rows = [["姓名", "所属客户", "手机", "生日"],
            ["王芳", "星辰贸易有限公司", "13900001111", "1990年5月1日"],
            ["赵磊", "远航物流", "13900002222", "1988/12/3"],
            ["孙丽", "星晨贸易", "13900003333", ""],  # a misspelt customer
            ["周强", "远航物流", "13900004444", "1985-02-30"]]  # a date that does not exist
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    contacts = tmp_path / "联系人.csv"
    contacts.write_bytes(text.getvalue().encode("gbk"))
    _upload(page, base, "contact", contacts)
    assert "王芳" in page.inner_text("table.preview")  # read as GB18030, not garbled
    assert page.locator("#field-1").input_value() == "account|name"
    page.get_by_role("button", name="检查（试运行）").click()
    page.wait_for_selector(".dry-run", timeout=90_000)
    dry_run = page.inner_text(".dry-run")
    assert "星晨贸易" in dry_run and "1985-02-30" in dry_run
    run = _import_and_wait(page, world)
    assert (run.inserted, run.errors) == (2, 2)

    # 3. Download the refused rows, fix them, import the file again.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载出错的行").click()
    error_file = tmp_path / "errors.csv"
    download.value.save_as(error_file)
    refused = list(csv.reader(io.StringIO(error_file.read_bytes().decode("utf-8-sig"))))
    assert refused[0] == ["姓名", "所属客户", "手机", "生日", "错误"]
    assert [r[0] for r in refused[1:]] == ["孙丽", "周强"]
    refused[1][1] = "星辰贸易有限公司"
    refused[2][3] = "1985-02-28"
    fixed = tmp_path / "联系人-修正.csv"
    with fixed.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(refused)
    _upload(page, base, "contact", fixed)
    assert page.locator("#field-4").input_value() == ""  # the error column is skipped
    run = _import_and_wait(page, world)
    assert (run.inserted, run.errors) == (2, 0)

    # 4. Export the contact list.
    page.goto(base + "/app/contact/")
    assert "孙丽" in page.inner_text("#list-table")
    page.get_by_role("link", name="导出", exact=True).click()
    page.get_by_label("CSV (UTF-8)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="导出", exact=True).click()
    exported = tmp_path / "contacts.csv"
    download.value.save_as(exported)
    lines = exported.read_bytes().decode("utf-8-sig")
    for name in ("王芳", "赵磊", "孙丽", "周强", "张伟"):
        assert name in lines
    assert "星辰贸易有限公司" in lines  # the customer by its name, not its id
    with tenant_context(world.tenant):
        from tessera.records import service
        from tessera.security.access import SYSTEM

        zhou = service.list_records("contact", SYSTEM, filters=[("name", "周强")]).records[0]
        assert zhou.get("birthday") == dt.date(1985, 2, 28)
