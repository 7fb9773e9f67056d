"""Exports: what the user may read, in their language, typed cells, the audit log, the job beyond
the inline limit; and the table writer reports share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from tessera.records import service
from tessera.security.access import SYSTEM
from tessera.security.models import AuditEntry
from tessera.transfer.export import ExportRequest, export_records, start_export
from tessera.transfer.readers import SourceOptions, open_table
from tessera.transfer.tables import write_table


def test_write_table_csv_and_xlsx(tmp_path):
    rows = [["华为", Decimal("1054.50"), dt.date(2024, 3, 5), True, None, "=cmd|' /C calc'!A0"]]
    columns = ["名称", "金额", "日期", "是否", "空", "公式"]
    assert write_table(columns, iter(rows), "csv", tmp_path / "t.csv") == 1
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with open_table(tmp_path / "t.csv", SourceOptions()) as table:
        assert table.headers == columns
        assert list(table.rows()) == [["华为", "1054.50", "2024-03-05", "True", None, "'=cmd|' /C calc'!A0"]]
    assert write_table(columns, iter(rows), "xlsx", tmp_path / "t.xlsx") == 1
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    values = [c.value for c in sheet[2]]
    assert values[:4] == ["华为", 1054.5, dt.datetime(2024, 3, 5), True]
    assert values[5] == "=cmd|' /C calc'!A0" and sheet.cell(2, 6).data_type == "s"  # text, never a formula
    with pytest.raises(ValueError):
        write_table(columns, rows, "pdf", tmp_path / "t.pdf")


def test_a_list_exports_with_labels_in_the_users_language(in_tenant_a, admin_a, tmp_path):
    service.create_record("account", {"name": "华为", "rating": "a", "annual_revenue": "1054.5"}, SYSTEM)
    service.create_record("account", {"name": "小米", "rating": "b"}, SYSTEM)
    path = tmp_path / "accounts.xlsx"
    request = ExportRequest("account", filters=(("rating", "a"),), fields=("name", "rating", "annual_revenue", "owner"),
                            format="xlsx", language="zh-hans")
    assert export_records(request, admin_a, str(path)) == 1
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[1]] == ["客户名称", "信用等级", "年营业额", "所有者"]
    assert [c.value for c in sheet[2]] == ["华为", "A", 1054.5, None]
    entry = AuditEntry.objects.get(action="records.export")
    assert entry.detail["count"] == 1 and entry.detail["format"] == "xlsx"


def test_keys_export_reads_back_through_the_importer(in_tenant_a, admin_a, tmp_path):
    service.create_record("account", {"name": "Acme", "rating": "c"}, SYSTEM)
    path = tmp_path / "keys.csv"
    export_records(ExportRequest("account", fields=("name", "rating"), format="csv", header="keys"), admin_a, str(path))
    with open_table(path, SourceOptions()) as table:
        assert table.headers == ["name", "rating"]
        assert list(table.rows()) == [["Acme", "c"]]


def test_exports_show_only_readable_records_and_fields_and_need_the_right(org, make_record, tmp_path):
    from tessera.errors import PermissionDenied, ValidationFailed

    make_record("account", org.rep, name="Rep's")
    make_record("account", org.boss, name="Boss's")
    with pytest.raises(PermissionDenied):
        export_records(ExportRequest("account", format="csv"), org.rep, str(tmp_path / "x.csv"))
    path = tmp_path / "mgr.csv"
    export_records(ExportRequest("account", format="csv", fields=("name",)), org.mgr, str(path))
    with open_table(path, SourceOptions()) as table:
        assert [r[0] for r in table.rows()] == ["Rep's"]  # the manager sees the team's records only
    with pytest.raises(ValidationFailed):
        export_records(ExportRequest("account", format="csv", fields=("nope",)), org.mgr, str(tmp_path / "y.csv"))


def test_large_exports_run_as_a_job(in_tenant_a, admin_a, monkeypatch):
    from django.core.files.storage import default_storage

    from tessera.core import jobs
    from tessera.core.models import Job
    from tessera.transfer import export

    service.create_records("account", [{"name": f"A{i}"} for i in range(5)], SYSTEM)
    monkeypatch.setattr(export, "INLINE_LIMIT", 3)
    job = start_export(ExportRequest("account", format="csv", fields=("name",)), admin_a)
    assert isinstance(job, Job)
    done = jobs.run_job(job.pk)
    assert done.status == "done" and done.total == 5 and done.done == 5
    exported = export.finished_export(job.pk, admin_a)
    assert exported.rows == 5 and default_storage.exists(exported.stored)
    monkeypatch.setattr(export, "INLINE_LIMIT", 10)
    inline = start_export(ExportRequest("account", format="xlsx", fields=("name",)), admin_a)
    assert inline.rows == 5 and inline.name.endswith(".xlsx")


def test_the_import_template_lists_fields_an_example_and_choice_values(in_tenant_a, admin_a, tmp_path):
    from django.utils import translation

    from tessera.transfer.template import write_template

    with translation.override("zh-hans"):
        name = write_template("account", admin_a, tmp_path / "t.xlsx")
    assert name.endswith(".xlsx")
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    data, values = book.worksheets
    header = [c.value for c in data[1]]
    assert "客户名称 *" in header and "信用等级" in header
    example = dict(zip(header, [c.value for c in data[2]], strict=False))
    assert example["信用等级"] == "A"
    assert ("信用等级", "B") in [(r[0].value, r[1].value) for r in values.iter_rows(min_row=2)]
