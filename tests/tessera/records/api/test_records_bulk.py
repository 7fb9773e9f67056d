"""Bulk create and update (up to 1,000 records a call): all or nothing, or per row."""

from __future__ import annotations

import datetime as dt

import pytest

from tessera.records import search, service
from tests.helpers.records_api import codes, count_records, send

pytestmark = pytest.mark.django_db

URL = "/api/v1/records/gadget/bulk/"


def test_all_or_nothing_create_writes_every_row(api, gadget, admin_a):
    response = send(api, "post", URL, [{"name": f"G{i}", "price": str(i)} for i in range(3)])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["created"] * 3
    assert [r["index"] for r in body["results"]] == [0, 1, 2]
    assert [r["record"]["price"] for r in body["results"]] == ["0.00", "1.00", "2.00"]
    assert all(r["id"] == r["record"]["id"] for r in body["results"]) and body["counts"] == {"created": 3}
    assert count_records("gadget", admin_a) == 3


def test_all_or_nothing_one_bad_row_writes_nothing_and_reports_each_bad_row(api, gadget, admin_a):
    rows = [{"name": "ok"}, {"name": "bad", "price": "x", "color": "purple"}, {"name": "ok too"}, {"price": "1"}]
    response = send(api, "post", URL, rows)
    assert response.status_code == 400
    body = response.json()
    assert codes(response) == ["rows_invalid"]
    assert [row["index"] for row in body["rows"]] == [1, 3]
    assert {k: [d["code"] for d in v] for k, v in body["rows"][0]["errors"].items()} == {
        "price": ["invalid_number"], "color": ["invalid_choice"]}
    assert body["rows"][1]["errors"]["name"][0]["code"] == "required"
    assert count_records("gadget", admin_a) == 0


def test_rows_of_one_batch_cannot_share_a_unique_value(api, gadget, admin_a):
    response = send(api, "post", URL, [{"name": "a", "code": "X"}, {"name": "b", "code": "X"}])
    assert response.status_code == 400
    assert [(r["index"], r["errors"]["code"][0]["code"]) for r in response.json()["rows"]] == [(0, "unique"), (1, "unique")]
    assert count_records("gadget", admin_a) == 0


def test_per_row_writes_the_good_rows_and_answers_207(api, gadget, admin_a):
    rows = [{"name": "ok"}, {"name": "bad", "quantity": -5}, "not an object", {"name": "fine", "color": "blue"}]
    response = send(api, "post", f"{URL}?mode=per_row", rows)
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "error", "created"]
    assert results[1]["errors"] == {"quantity": [{"code": "too_small", "message": results[1]["errors"]["quantity"][0]["message"]}]}
    assert results[1]["id"] is None and results[2]["non_field_errors"][0]["code"] == "invalid"
    assert response.json()["counts"] == {"created": 2, "error": 2}
    assert count_records("gadget", admin_a) == 2
    all_good = send(api, "post", f"{URL}?mode=per_row", [{"name": "x"}, {"name": "y"}])
    assert all_good.status_code == 200 and [r["status"] for r in all_good.json()["results"]] == ["created"] * 2


def test_duplicates_in_bulk(api, admin_a):
    url = "/api/v1/records/account/bulk/"
    existing = service.create_record("account", {"name": "Acme"}, admin_a)
    warned = send(api, "post", url, [{"name": "New Co"}, {"name": "ACME"}])
    assert warned.status_code == 409 and codes(warned) == ["possible_duplicates"]
    assert warned.json()["duplicates"] == [{"index": 1, "matches": [
        {"id": existing.id, "name": "Acme", "rules": ["same_name"], "action": "warn"}]}]
    assert count_records("account", admin_a) == 1
    per_row = send(api, "post", f"{url}?mode=per_row", [{"name": "New Co"}, {"name": "ACME"}])
    assert per_row.status_code == 207
    assert [r["status"] for r in per_row.json()["results"]] == ["created", "duplicate"]
    assert per_row.json()["results"][1]["duplicates"][0]["id"] == existing.id
    one = send(api, "post", url, [{"name": "acme"}])  # a one-row call answers in the bulk shape too
    assert one.status_code == 409 and one.json()["duplicates"][0]["index"] == 0
    one_per_row = send(api, "post", f"{url}?mode=per_row", [{"name": "acme"}])
    assert one_per_row.status_code == 207 and one_per_row.json()["results"][0]["status"] == "duplicate"
    assert one_per_row.json()["results"][0]["duplicates"][0]["id"] == existing.id
    confirmed = send(api, "post", f"{url}?confirm_duplicates=true", [{"name": "ACME"}])
    assert confirmed.status_code == 201
    assert count_records("account", admin_a) == 3


def test_bulk_update_all_or_nothing_and_stale_versions(api, gadget, admin_a):
    records = [r.record for r in service.create_records("gadget", [{"name": f"G{i}", "price": "1"} for i in range(3)],
                                                        admin_a)]
    rows = [{"id": r.id, "version": r.version, "price": "2"} for r in records]
    ok = send(api, "patch", URL, rows)
    assert ok.status_code == 200, ok.json()
    assert [(r["status"], r["record"]["price"], r["record"]["version"]) for r in ok.json()["results"]] == [
        ("updated", "2.00", 2)] * 3
    stale = send(api, "patch", URL, [{"id": records[0].id, "version": 2, "price": "3"},
                                     {"id": records[1].id, "version": 1, "price": "3"}])  # the second is stale
    assert stale.status_code == 400
    assert [(r["index"], list(r["errors"])) for r in stale.json()["rows"]] == [(1, ["version"])]
    assert stale.json()["rows"][0]["errors"]["version"][0]["code"] == "stale_version"
    assert [service.get_record("gadget", r.id, admin_a).values["price"] for r in records] == [2, 2, 2]


def test_bulk_update_per_row(api, gadget, admin_a):
    records = [r.record for r in service.create_records("gadget", [{"name": f"G{i}"} for i in range(2)], admin_a)]
    response = send(api, "patch", f"{URL}?mode=per_row", [
        {"id": records[0].id, "color": "red"}, {"id": 999999, "color": "red"}, {"color": "red"},
        {"id": records[1].id, "version": 7, "color": "red"}, {"id": records[1].id, "serial": "nope"}])
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["updated", "error", "error", "error", "error"]
    assert results[0]["record"]["color"] == "red" and results[0]["id"] == records[0].id
    assert results[1]["id"] == 999999 and results[1]["errors"]["id"][0]["code"] == "unknown_record"
    assert results[2]["errors"]["id"][0]["code"] == "required"
    assert results[3]["errors"]["version"][0]["code"] == "stale_version"
    assert results[4]["errors"]["serial"][0]["code"] == "read_only"
    assert service.get_record("gadget", records[1].id, admin_a).values.get("color") is None


def test_one_row_bulk_answers_in_the_bulk_shape(api, gadget, admin_a):
    record = service.create_record("gadget", {"name": "G"}, admin_a)
    invalid = send(api, "post", URL, [{"price": "x"}])
    assert invalid.status_code == 400 and invalid.json()["rows"][0]["index"] == 0
    per_row = send(api, "post", f"{URL}?mode=per_row", [{"price": "x"}])
    assert per_row.status_code == 207 and per_row.json()["results"][0]["status"] == "error"
    stale = send(api, "patch", URL, [{"id": record.id, "version": 9, "price": "1"}])
    assert stale.status_code == 400 and stale.json()["rows"][0]["errors"]["version"][0]["code"] == "stale_version"
    missing = send(api, "patch", f"{URL}?mode=per_row", [{"id": 999999, "price": "1"}])
    assert missing.status_code == 207 and missing.json()["results"][0]["errors"]["id"][0]["code"] == "unknown_record"


def test_at_most_1000_rows(api, gadget, admin_a):
    too_many = send(api, "post", URL, [{"name": f"G{i}"} for i in range(1001)])
    assert too_many.status_code == 400 and codes(too_many) == ["too_many"]
    assert count_records("gadget", admin_a) == 0
    thousand = send(api, "post", URL, {"records": [{"name": f"G{i}", "quantity": i % 50} for i in range(1000)]})
    assert thousand.status_code == 201 and len(thousand.json()["results"]) == 1000
    assert count_records("gadget", admin_a) == 1000


def test_the_shape_of_a_bulk_call_is_checked(api, gadget):
    assert codes(send(api, "post", URL, {"name": "not a list"})) == ["invalid"]
    assert codes(send(api, "post", URL, [])) == ["invalid"]
    bad_mode = send(api, "post", f"{URL}?mode=some", [{"name": "G"}])
    assert bad_mode.status_code == 400 and codes(bad_mode, "mode") == ["invalid"]
    assert api.get(URL).status_code == 405


TRICKY = {"notes": 'tab\there, new\nline, back\\slash \\N, "quotes", 中文, \\.', "price": "1234.5",
          "quantity": "7", "discount": "12.5", "released": "2026-02-28", "checked_at": "2026-02-28T10:11:12+08:00",
          "active": False, "email": "A@Example.com", "phone": "+86 10 1234 5678", "website": "https://example.com/a?b=c",
          "color": "green", "tags": ["hot", "new"], "secret": "\\t not a tab"}


def test_a_big_batch_is_stored_exactly_like_single_records(api, gadget, admin_a):
    """From repository.COPY_FROM rows on, records are written with COPY: the same values must read
    back the same as when written one at a time (INSERT), tabs, backslashes and all."""
    from tessera.records import repository

    single = service.create_record("gadget", {"name": "one", **TRICKY}, admin_a)
    rows = [{"name": f"many {i}", **TRICKY} for i in range(repository.COPY_FROM)]
    results = service.create_records("gadget", rows, admin_a)

    ignored = {"name", "serial", "created_at", "updated_at"}
    expected = {k: v for k, v in single.values.items() if k not in ignored}
    for result in results:
        record = result.record
        assert {k: v for k, v in record.values.items() if k not in ignored} == expected
        reread = service.get_record("gadget", record.id, admin_a)
        assert reread.values == record.values and reread.version == record.version == 1
    ids = [r.record.id for r in results]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert len({r.record.values["serial"] for r in results}) == len(results)
    history = api.get(f"/api/v1/records/gadget/{ids[-1]}/history/").json()
    assert [entry["action"] for entry in history["results"]] == ["create"]


def test_a_unique_value_taken_while_a_big_batch_is_written_refuses_the_batch(api, gadget, admin_a, monkeypatch):
    """The unique index decides races: a value another writer took after the checks makes the
    COPY fail, and the batch answers with the field's error, writing nothing."""
    from tessera.records import pipeline, repository

    service.create_record("gadget", {"name": "first", "code": "TAKEN"}, admin_a)
    monkeypatch.setattr(pipeline, "check_unique", lambda *args, **kwargs: None)  # as if checked before it was taken
    rows = [{"name": f"G{i}", "code": f"C{i}"} for i in range(repository.COPY_FROM)] + [{"name": "late", "code": "TAKEN"}]

    response = send(api, "post", URL, rows)

    assert response.status_code == 400, response.json()
    assert response.json()["errors"]["code"][0]["code"] == "unique"
    assert count_records("gadget", admin_a) == 1


def test_bulk_update_of_rows_changing_different_fields_writes_each_row_as_sent(api, gadget, admin_a):
    """A batch of updates is written in one statement per set of columns changed: each record
    gets its own values (slots for filters, the name's search keys, blanks removed), its version
    and its history entry, and filters see the new values."""
    records = [r.record for r in service.create_records("gadget", [
        {"name": f"G{i}", "price": "1", "released": "2024-01-01", "color": "red", "code": f"C{i}"} for i in range(4)],
        admin_a)]
    response = send(api, "patch", URL, [
        {"id": records[0].id, "price": "5", "released": "2025-02-03"},
        {"id": records[1].id, "name": "王建国", "price": None},
        {"id": records[2].id, "price": "7", "released": None, "color": "blue"},
        {"id": records[3].id, "code": None, "quantity": 3},
    ])
    assert response.status_code == 200, response.json()
    after = [service.get_record("gadget", r.id, admin_a) for r in records]
    assert [(a.values.get("name"), a.values.get("price"), a.values.get("released"), a.values.get("color"),
             a.values.get("code"), a.version) for a in after] == [
        ("G0", 5, dt.date(2025, 2, 3), "red", "C0", 2),
        ("王建国", None, dt.date(2024, 1, 1), "red", "C1", 2),
        ("G2", 7, None, "blue", "C2", 2),
        ("G3", 1, dt.date(2024, 1, 1), "red", None, 2),
    ]
    assert after[3].values["quantity"] == 3
    priced = service.list_records("gadget", admin_a, filters=[("price__gte", "5")], sort=["id"]).records
    assert [r.id for r in priced] == [records[0].id, records[2].id]
    assert [r.id for r in service.list_records("gadget", admin_a, filters=[("released", "2025-02-03")]).records] == [
        records[0].id]
    assert [r.id for r in search.search_names("gadget", admin_a, "wjg", limit=5)] == [records[1].id]
    history = service.record_history("gadget", records[2].id, admin_a)
    assert {(c["field"], c["old"], c["new"]) for c in history[0]["changes"]} == {
        ("price", "1.00", "7.00"), ("color", "red", "blue")}


def test_bulk_update_of_an_id_beyond_bigint_is_an_unknown_record(api, gadget, admin_a):
    record = service.create_record("gadget", {"name": "G"}, admin_a)
    response = send(api, "patch", f"{URL}?mode=per_row", [{"id": 2**70, "price": "1"}, {"id": record.id, "price": "2"}])
    assert response.status_code == 207, response.json()
    results = response.json()["results"]
    assert results[0]["errors"]["id"][0]["code"] == "unknown_record" and results[1]["status"] == "updated"
