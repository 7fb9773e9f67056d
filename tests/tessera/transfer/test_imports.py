"""Importing real-world shaped files: Chinese headers and labels in GBK, names instead of ids,
duplicate keys inside a file, ambiguous parents, upsert twice, dry run, cancel, resume, undo."""

from __future__ import annotations

import datetime as dt
import gc
from decimal import Decimal

import openpyxl
import pytest

from tessera.records import service
from tessera.security.access import SYSTEM
from tessera.security.models import AuditEntry
from tessera.transfer.models import ImportRowError, ImportRun


def _accounts(actor=SYSTEM):
    page = service.list_records("account", actor, limit=200, sort=["id"])
    return {r.name: r for r in page.records}


GBK_ROWS = [["客户名称", "信用等级", "年营业额", "员工人数", "电话"],
            ["华为技术", "A", "￥1,054.50", "1,200", "0755-1234"],
            ["小米科技", "b", "300元", "300", ""],
            ["坏数据", "Z 级", "很多", "x", ""]]


def test_a_gbk_csv_with_chinese_headers_and_labels(in_tenant_a, write_csv, run_import):
    path = write_csv(GBK_ROWS, "客户.csv", encoding="gbk")
    run = run_import(path, settings={"mode": "insert"})
    assert run.source["encoding"] == "gb18030"
    assert [m["field"] for m in run.mapping] == ["name", "rating", "annual_revenue", "employees", "phone"]
    assert (run.status, run.inserted, run.errors) == ("done", 2, 1)
    accounts = _accounts()
    assert accounts["华为技术"].get("annual_revenue") == Decimal("1054.50")
    assert accounts["华为技术"].get("employees") == Decimal("1200")
    assert (accounts["华为技术"].get("rating"), accounts["小米科技"].get("rating")) == ("a", "b")
    error = ImportRowError.objects.get(run=run)
    assert error.row == 4 and error.cells[0] == "坏数据"
    assert "很多" in error.message


def test_a_row_says_what_is_wrong_with_each_of_its_cells_in_the_order_of_the_columns(in_tenant_a, write_csv,
                                                                                      run_import):
    rows = [GBK_ROWS[0], ["好数据", "A", "(¥1,054.50)", "1,200", ""], ["坏数据", "A", "很多", "3.5万", ""],
            ["也坏", "A", "1,000", "x", ""], ["全好", "b", "300元", "12", ""]]
    run = run_import(write_csv(rows), settings={"mode": "insert"})
    assert (run.inserted, run.errors) == (2, 2)
    bad = ImportRowError.objects.get(run=run, row=3).message
    assert bad.startswith("Annual revenue: “很多” is not a number.; Employees: “3.5万” is written in 万"), bad
    assert ImportRowError.objects.get(run=run, row=4).message == "Employees: “x” is not a number."
    assert _accounts()["好数据"].get("annual_revenue") == Decimal("-1054.50")


def test_the_mapping_is_remembered_for_the_next_file(in_tenant_a, write_csv, run_import):
    path = write_csv([["Company", "Ignored"], ["ACME", "x"]])
    run_import(path, settings={"mode": "insert"}, mapping=[{"column": 0, "field": "name"}, {"column": 1}])
    from tessera.transfer import imports
    from tessera.transfer.models import ImportRun as Run

    with open(path, "rb") as handle:
        again = imports.start_import("account", "again.csv", handle, Run.objects.first().created_by)
    prepared = imports.prepare_import(again.pk, again.created_by)
    assert [(c.header, c.field) for c in prepared.columns] == [("Company", "name"), ("Ignored", None)]


def test_upsert_twice_gives_the_same_result(in_tenant_a, write_csv, run_import):
    rows = [["Name", "Phone", "Employees"], ["Alpha Ltd", "13800000111", "10"], ["Beta Ltd", "13800000222", "20"]]
    first = run_import(write_csv(rows), settings={"mode": "upsert", "key": ["name"]})
    assert (first.inserted, first.updated, first.skipped) == (2, 0, 0)
    second = run_import(write_csv(rows, "again.csv"), settings={"mode": "upsert", "key": ["name"]})
    assert (second.inserted, second.updated, second.skipped, second.errors) == (0, 0, 2, 0)
    changed = run_import(write_csv([rows[0], ["Alpha Ltd", "13800000999", "10"]], "changed.csv"),
                         settings={"mode": "upsert", "key": ["name"]})
    assert (changed.inserted, changed.updated) == (0, 1)
    assert len([n for n in _accounts() if n.endswith("Ltd")]) == 2
    assert _accounts()["Alpha Ltd"].get("phone") == "13800000999"


def test_duplicate_keys_inside_a_file_are_both_errors(in_tenant_a, write_csv, run_import):
    rows = [["Name", "Phone"], ["Same", "13800000001"], ["Other", "13800000002"], ["Same", "13800000003"]]
    run = run_import(write_csv(rows), settings={"mode": "upsert", "key": ["name"]})
    assert (run.inserted, run.errors) == (1, 2)
    assert sorted(ImportRowError.objects.filter(run=run).values_list("row", flat=True)) == [2, 4]
    assert "same" in ImportRowError.objects.filter(run=run).first().message.lower()


def test_a_parent_name_matching_two_records_is_an_error_not_a_guess(in_tenant_a, write_csv, run_import):
    service.create_records("account", [{"name": "Twin"}, {"name": "Twin"}, {"name": "Single"}], SYSTEM,
                           confirm_duplicates=True)
    rows = [["Name", "Account"], ["Ann", "Twin"], ["Bob", "Single"], ["Cid", "Nowhere"]]
    run = run_import(write_csv(rows), "contact", settings={"mode": "insert"})
    assert [m["field"] for m in run.mapping] == ["name", "account"]
    assert (run.inserted, run.errors) == (1, 2)
    messages = dict(ImportRowError.objects.filter(run=run).values_list("row", "message"))
    assert "matches 2" in messages[2]
    assert "Nowhere" in messages[4]
    bob = service.list_records("contact", SYSTEM, filters=[("name", "Bob")]).records[0]
    assert bob.get("account") == _accounts()["Single"].id


def test_missing_parents_are_created_when_asked(in_tenant_a, write_csv, run_import):
    rows = [["Name", "Account"], ["Ann", "New Co"], ["Bob", "New Co"]]
    run = run_import(write_csv(rows), "contact", settings={"mode": "insert"},
                     mapping=[{"column": 0, "field": "name"},
                              {"column": 1, "field": "account", "create_missing": True}])
    assert (run.inserted, run.errors, run.parents_created) == (2, 0, 1)
    assert len([n for n in _accounts() if n == "New Co"]) == 1


def test_owner_by_email_or_name(in_tenant_a, write_csv, run_import, admin_a):
    from django.contrib.auth import get_user_model

    rep = get_user_model().objects.create_user("rep@alpha.test", None, full_name="王小明")
    rows = [["Name", "Owner"], ["One", "rep@alpha.test"], ["Two", "王小明"], ["Three", "nobody"]]
    run = run_import(write_csv(rows), settings={"mode": "insert"})
    assert (run.inserted, run.errors) == (2, 1)
    accounts = _accounts()
    assert accounts["One"].owner_id == accounts["Two"].owner_id == rep.pk


def test_an_xlsx_with_serial_and_text_dates(in_tenant_a, tmp_path, run_import):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "生日", "邮箱"])
    sheet.append(["甲", dt.datetime(1990, 5, 1), "a@x.cn"])
    sheet.append(["乙", 32994, "b@x.cn"])  # 1990-05-01 as a serial
    sheet.append(["丙", "1990年5月1日", "c@x.cn"])
    sheet.append(["丁", "01/05/1990", "d@x.cn"])
    sheet.append(["戊", "1990-02-30", "e@x.cn"])
    path = tmp_path / "联系人.xlsx"
    workbook.save(path)
    run = run_import(path, "contact", settings={"mode": "insert", "date_order": "dmy"})
    assert (run.inserted, run.errors) == (4, 1)
    contacts = service.list_records("contact", SYSTEM, limit=50).records
    assert {c.get("birthday") for c in contacts} == {dt.date(1990, 5, 1)}
    assert "exists" in ImportRowError.objects.get(run=run).message


def test_the_dry_run_counts_and_writes_nothing(in_tenant_a, write_csv, run_import):
    service.create_record("account", {"name": "Existing", "phone": "13800000001"}, SYSTEM)
    rows = [["Name", "Phone"], ["Existing", "13800000002"], ["Fresh", "13800000003"], ["Existing", "13800000001"],
            ["", "13800000004"]]
    run = run_import(write_csv(rows), settings={"mode": "upsert", "key": ["name"]}, dry_run=True)
    assert run.status == "checked"
    counts = {k: run.dry_run[k] for k in ("inserted", "updated", "skipped", "errors")}
    assert counts == {"inserted": 1, "updated": 0, "skipped": 0, "errors": 3}  # Existing twice; a blank key
    assert len(run.dry_run["first_errors"]) == 3
    assert set(_accounts()) == {"Existing"}


def test_update_mode_finds_by_key_and_reports_unknown_keys(in_tenant_a, write_csv, run_import):
    service.create_record("account", {"name": "Keep", "phone": "13800000001"}, SYSTEM)
    run = run_import(write_csv([["Name", "Phone"], ["Keep", "13800000002"], ["Unknown", "13800000003"]]),
                     settings={"mode": "update", "key": ["name"]})
    assert (run.updated, run.inserted, run.errors) == (1, 0, 1)
    assert _accounts()["Keep"].get("phone") == "13800000002"


def test_undo_puts_created_records_in_the_bin_and_values_back(in_tenant_a, write_csv, run_import, admin_a):
    from tessera.core import jobs
    from tessera.transfer import imports

    service.create_record("account", {"name": "Old", "phone": "13800000001"}, SYSTEM)
    run = run_import(write_csv([["Name", "Phone"], ["Old", "13800000002"], ["New", "13800000003"]]),
                     settings={"mode": "upsert", "key": ["name"]})
    assert (run.inserted, run.updated) == (1, 1)
    undo = imports.undo_import(run.pk, admin_a)
    jobs.run_job(undo.job.pk)
    undo.refresh_from_db()
    assert undo.status == "undone"
    assert set(_accounts()) == {"Old"}
    assert _accounts()["Old"].get("phone") == "13800000001"
    assert service.list_records("account", SYSTEM, deleted=True).records[0].name == "New"
    assert AuditEntry.objects.filter(action="records.import_undo").exists()


def test_cancel_keeps_finished_batches_and_a_rerun_resumes(in_tenant_a, write_csv, run_import, admin_a,
                                                            monkeypatch):
    from tessera.core import jobs
    from tessera.transfer import engine, imports

    monkeypatch.setattr(engine, "BATCH", 2)
    rows = [["Name"]] + [[f"R{i}"] for i in range(7)]
    path = write_csv(rows)
    with open(path, "rb") as handle:
        run = imports.start_import("account", path.name, handle, admin_a)
    imports.prepare_import(run.pk, admin_a)
    imports.configure_import(run.pk, admin_a, columns=[{"column": 0, "field": "name"}], settings={"mode": "insert"})
    run = imports.start_run(run.pk, admin_a)

    original = engine.process
    calls = []

    def crash_on_third(plan, batch, repeated):
        calls.append(len(batch))
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return original(plan, batch, repeated)

    monkeypatch.setattr(engine, "process", crash_on_third)
    with pytest.raises(RuntimeError):
        imports.import_job(run.job, jobs.Progress(run.job))
    run.refresh_from_db()
    assert run.rows_done == 4 and run.inserted == 4  # two batches committed, the third rolled back
    monkeypatch.setattr(engine, "process", original)
    ImportRun.objects.filter(pk=run.pk).update(status="running")
    imports.import_job(run.job, jobs.Progress(run.job))  # the rerun
    run.refresh_from_db()
    assert (run.status, run.rows_done, run.inserted) == ("done", 7, 7)
    assert sorted(n for n in _accounts() if n.startswith("R")) == [f"R{i}" for i in range(7)]

    # cancel: the run stops before its next batch and says what it kept
    path = write_csv([["Name"]] + [[f"C{i}"] for i in range(5)], "cancel.csv")
    with open(path, "rb") as handle:
        second = imports.start_import("account", path.name, handle, admin_a)
    imports.prepare_import(second.pk, admin_a)
    imports.configure_import(second.pk, admin_a, columns=[{"column": 0, "field": "name"}],
                             settings={"mode": "insert"})
    second = imports.start_run(second.pk, admin_a)

    def cancel_after_first(plan, batch, repeated):
        result = original(plan, batch, repeated)
        ImportRun.objects.filter(pk=second.pk).update(cancel_requested=True)
        return result

    monkeypatch.setattr(engine, "process", cancel_after_first)
    jobs.run_job(second.job.pk)
    second.refresh_from_db()
    assert (second.status, second.inserted) == ("cancelled", 2)
    assert "2 rows" in second.message


def test_importing_needs_the_import_right_and_is_audited(org, write_csv, run_import):
    from tessera.errors import PermissionDenied

    path = write_csv([["Name"], ["Mine"]])
    with pytest.raises(PermissionDenied):
        run_import(path, actor=org.rep)  # a salesperson has no import right
    run = run_import(path, actor=org.mgr, settings={"mode": "insert"})  # a sales manager has
    assert run.inserted == 1
    entry = AuditEntry.objects.get(action="records.import")
    assert (entry.actor_id, entry.target_id, entry.detail["inserted"]) == (org.mgr.pk, "account", 1)


def test_the_error_file_holds_the_rows_and_why(in_tenant_a, write_csv, run_import, admin_a, tmp_path):
    from tessera.transfer import imports
    from tessera.transfer.readers import SourceOptions, open_table

    run = run_import(write_csv([["Name", "Employees"], ["Fine", "1"], ["Bad", "lots"]]), settings={"mode": "insert"})
    path, name = imports.error_file(run.pk, admin_a, str(tmp_path))
    assert name.endswith(".csv")
    with open_table(path, SourceOptions()) as table:
        assert table.headers == ["Name", "Employees", "Error"]
        rows = list(table.rows())
    assert rows[0][:2] == ["Bad", "lots"] and "lots" in rows[0][2]


def test_upsert_on_a_unique_key_updates_in_one_batched_call(in_tenant_a, make_object, write_csv, run_import):
    make_object("gadget", fields=[{"api_name": "code", "type": "text", "unique": True},
                                  {"api_name": "qty", "type": "number"}])
    settings = {"mode": "upsert", "key": ["code"]}
    first = run_import(write_csv([["Name", "Code", "Qty"], ["A", "G-1", "1"], ["B", "G-2", "2"]]), "gadget",
                       settings=settings)
    assert (first.inserted, first.updated, first.errors) == (2, 0, 0)
    second = run_import(write_csv([["Name", "Code", "Qty"], ["A", "G-1", "10"], ["B", "G-2", "2"], ["C", "G-3", "3"]],
                                  "second.csv"), "gadget", settings=settings)
    assert (second.inserted, second.updated, second.skipped, second.errors) == (1, 1, 1, 0)
    gadgets = {r.get("code"): r for r in service.list_records("gadget", SYSTEM, limit=10).records}
    assert gadgets["G-1"].get("qty") == Decimal("10") and len(gadgets) == 3
    batch = second.batches.get()
    assert list(batch.updated_before.values()) == [{"qty": "1"}]


def test_a_reimport_skips_what_it_would_not_change_even_beside_a_value_the_field_refuses(
        in_tenant_a, make_object, write_csv, run_import):
    """Rows are compared with their records a column at a time; a column holding a value the field
    refuses (above its maximum) is compared value by value, and its other rows still count right:
    1.0 is the stored 1 (skipped), a blank clears (updated), 500 is refused (an error)."""
    make_object("gadget", fields=[{"api_name": "code", "type": "text", "unique": True},
                                  {"api_name": "qty", "type": "number", "options": {"max": 100}}])
    settings = {"mode": "upsert", "key": ["code"]}
    header = ["Name", "Code", "Qty"]
    first = run_import(write_csv([header, ["A", "G-1", "1"], ["B", "G-2", "2"], ["C", "G-3", "3"]]), "gadget",
                       settings=settings)
    assert (first.inserted, first.errors) == (3, 0)
    second = run_import(write_csv([header, ["A", "G-1", "1.0"], ["B", "G-2", ""], ["C", "G-3", "500"]], "again.csv"),
                        "gadget", settings=settings)
    assert (second.inserted, second.updated, second.skipped, second.errors) == (0, 1, 1, 1)
    gadgets = {r.get("code"): r.get("qty") for r in service.list_records("gadget", SYSTEM, limit=10).records}
    assert gadgets == {"G-1": Decimal("1"), "G-2": None, "G-3": Decimal("3")}
    assert list(second.batches.get().updated_before.values()) == [{"qty": "2"}]
    assert "100" in ImportRowError.objects.get(run=second).message


def test_keys_no_record_holds_are_looked_for_in_the_index_not_the_list(in_tenant_a, make_object, write_csv,
                                                                       run_import, monkeypatch):
    """A first import by a unique key: no batch's keys are held, found in the key's index, so the
    records list (the costlier look-up, which also reads what a found record holds) is never asked."""
    from tessera.transfer import existing

    make_object("gadget", fields=[{"api_name": "code", "type": "text", "unique": True}])
    settings = {"mode": "upsert", "key": ["code"]}
    listed = []
    original = existing.records.list_records
    monkeypatch.setattr(existing.records, "list_records", lambda *a, **k: listed.append(1) or original(*a, **k))
    first = run_import(write_csv([["Name", "Code"], ["A", "G-1"], ["B", "G-2"]]), "gadget", settings=settings)
    assert (first.inserted, first.errors, listed) == (2, 0, [])
    second = run_import(write_csv([["Name", "Code"], ["A2", "G-1"], ["C", "G-3"]], "again.csv"), "gadget",
                        settings=settings)
    assert (second.inserted, second.updated, second.errors) == (1, 1, 0) and listed  # G-1 is held


def test_a_dry_run_can_be_cancelled(in_tenant_a, write_csv, admin_a, monkeypatch):
    from tessera.core import jobs
    from tessera.transfer import engine, imports

    monkeypatch.setattr(engine, "BATCH", 1)
    path = write_csv([["Name"], ["A"], ["B"], ["C"]])
    with open(path, "rb") as handle:
        run = imports.start_import("account", path.name, handle, admin_a)
    imports.prepare_import(run.pk, admin_a)
    imports.configure_import(run.pk, admin_a, columns=[{"column": 0, "field": "name"}], settings={"mode": "insert"})
    run = imports.start_dry_run(run.pk, admin_a)
    original = imports._cancel_requested
    asked: list[int] = []

    def cancelled_while_the_first_batch_was_checked(checked_run):
        asked.append(checked_run.pk)
        if len(asked) == 2:  # the user cancels while the first batch is checked
            ImportRun.objects.filter(pk=run.pk).update(cancel_requested=True)
        return original(checked_run)

    monkeypatch.setattr(imports, "_cancel_requested", cancelled_while_the_first_batch_was_checked)
    jobs.run_job(run.job.pk)
    run.refresh_from_db()
    assert run.status == "checked" and run.dry_run["cancelled"] and run.dry_run["rows"] == 1
    assert not run.cancel_requested


def test_a_long_import_keeps_the_planner_statistics_of_its_records(in_tenant_a, write_csv, run_import, monkeypatch):
    """The records' partition is analysed as an import fills it (autovacuum may lag or be off):
    once the first `FIRST` records are written, then each time a fifth more are."""
    from django.db import connection

    from metadata.cache import get_meta
    from tessera.transfer import engine

    monkeypatch.setattr(engine, "BATCH", 2)
    monkeypatch.setattr(service.StatisticsKeeper, "FIRST", 4)
    table = get_meta().objects["account"].table

    def rows() -> tuple[int, int]:
        """(records in the partition, records its statistics count)."""
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT (SELECT count(*) FROM "{table}"), (SELECT reltuples FROM pg_class '
                           f"WHERE oid = '\"{table}\"'::regclass)")
            return cursor.fetchone()

    stored, _counted = rows()
    run = run_import(write_csv([["Name"]] + [[f"S{i}"] for i in range(9)]), settings={"mode": "insert"})
    assert run.inserted == 9
    stored_after, counted_after = rows()
    assert stored_after == stored + 9
    assert stored + 4 <= counted_after < stored_after  # analysed along the way, not after the last row


def test_a_run_changes_the_garbage_collector_only_while_it_runs():
    from tessera.transfer import imports

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), imports._collecting_seldom():
        assert gc.get_threshold() == (imports.GC_YOUNG, *before[1:])
        raise RuntimeError
    assert gc.get_threshold() == before


def test_a_batch_with_no_column_left_to_read_gives_empty_rows():
    from types import SimpleNamespace

    from tessera.transfer import engine

    rows = [engine.Row(2, ["a"]), engine.Row(3, ["b"])]
    engine._parse(SimpleNamespace(columns=[]), rows)
    assert [(r.payload, r.errors) for r in rows] == [({}, []), ({}, [])]


def test_a_key_hashes_as_its_trimmed_text_and_a_blank_part_has_none():
    from tessera.transfer.engine import key_hash

    assert key_hash([" EXT-1 ", "x"], [0]) == key_hash(["EXT-1"], [0]) != key_hash(["EXT-2"], [0])
    assert key_hash(["A", 1], [0, 1]) == key_hash(["A ", "1"], [0, 1])
    assert key_hash(["A", None], [0, 1]) is None and key_hash(["A", "  "], [0, 1]) is None
