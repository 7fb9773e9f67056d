"""The write path takes real data (issue 13 §1): picklist labels, lookups by a field of their target,
upsert by a key, precise messages, minimal bulk answers, all in the one error shape with field paths."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from metadata.cache import get_meta
from metadata.services import create_object, update_field
from tessera.errors import ValidationFailed
from tessera.records import service
from tests.helpers.records_api import count_records, send

pytestmark = pytest.mark.django_db

URL = "/api/v1/records/gadget/"
BULK = "/api/v1/records/gadget/bulk/"


def _row_errors(response, index=0):
    rows = {row["index"]: row for row in response.json()["rows"]}
    return {name: [d["code"] for d in details] for name, details in rows[index]["errors"].items()}


# --- picklists ---------------------------------------------------------------------------------


def test_a_picklist_takes_a_label_in_any_language_or_the_key(api, gadget, admin_a):
    rows = [{"name": "a", "color": "red"}, {"name": "b", "color": "  GREEN "}, {"name": "c", "color": "蓝色"},
            {"name": "d", "tags": ["Hot", "sale"]}, {"name": "e", "tags": "new; HOT"}]
    response = send(api, "post", BULK, rows)
    assert response.status_code == 201, response.json()
    records = [r["record"] for r in response.json()["results"]]
    assert [r["color"] for r in records[:3]] == ["red", "green", "blue"]
    assert records[3]["tags"] == ["hot", "sale"] and records[4]["tags"] == ["new", "hot"]


def test_an_unknown_picklist_value_is_refused_on_its_field(api, gadget):
    response = send(api, "post", URL, {"name": "a", "color": "purple", "tags": ["hot", "nope"]})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["color"][0]["code"] == "invalid_choice" and "purple" in errors["color"][0]["message"]
    assert errors["tags"][0]["code"] == "invalid_choice" and "nope" in errors["tags"][0]["message"]


def test_the_writers_language_comes_first_and_a_shared_label_names_both_values(api, gadget, admin_a):
    values = [{"key": "a", "labels": {"en": "Open", "zh-hans": "关闭"}},
              {"key": "b", "labels": {"en": "Closed", "zh-hans": "打开"}},
              {"key": "c", "labels": {"en": "Same"}}, {"key": "d", "labels": {"en": "same"}}]
    update_field("gadget", "color", {}, admin_a, options_patch={"values": values})
    with translation.override("zh-hans"):
        assert service.create_record("gadget", {"name": "x", "color": "打开"}, admin_a).values["color"] == "b"
    with translation.override("en"):
        assert service.create_record("gadget", {"name": "y", "color": "open"}, admin_a).values["color"] == "a"
        assert service.create_record("gadget", {"name": "z", "color": "关闭"}, admin_a).values["color"] == "a"
        with pytest.raises(ValidationFailed) as refused:
            service.create_record("gadget", {"name": "w", "color": "SAME"}, admin_a)
    detail = refused.value.field_errors["color"][0]
    assert detail.code == "ambiguous_choice" and "(c)" in str(detail.message) and "(d)" in str(detail.message)


def test_a_filter_by_a_label_says_to_use_the_key(api, gadget, admin_a):
    service.create_record("gadget", {"name": "a", "color": "red", "tags": ["hot"]}, admin_a)
    assert len(api.get(f"{URL}?color=red").json()["results"]) == 1
    for query in ("color=Red", "color__in=blue,Red", "tags__contains=Hot"):
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 400, query
        (name, details), = response.json()["errors"].items()
        assert name == query.split("=")[0] and details[0]["code"] == "label_not_key"
        assert "red" in details[0]["message"] or "hot" in details[0]["message"]


# --- lookups by a field of their target -----------------------------------------------------------


def test_a_lookup_takes_an_id_or_a_unique_field_or_the_name(api, gadget, admin_a):
    update_field("account", "name", {"unique": True}, admin_a)
    acme = service.create_record("account", {"name": "Acme"}, admin_a)
    rows = [{"name": "a", "account": acme.id}, {"name": "b", "account": {"id": acme.id}},
            {"name": "c", "account": {"name": "Acme"}}]
    response = send(api, "post", BULK, rows)
    assert response.status_code == 201, response.json()
    assert [r["record"]["account"] for r in response.json()["results"]] == [acme.id] * 3
    single = send(api, "post", URL, {"name": "d", "account": {"name": "Acme"}})
    assert single.status_code == 201 and single.json()["account"] == acme.id
    changed = send(api, "patch", f"{URL}{single.json()['id']}/", {"account": None})
    assert changed.status_code == 200 and changed.json()["account"] is None


def test_unresolved_and_ambiguous_references_are_errors_per_row(api, gadget, admin_a):
    first = service.create_record("account", {"name": "Twin"}, admin_a)
    second = service.create_record("account", {"name": "Twin"}, admin_a, confirm_duplicates=True)
    rows = [{"name": "a", "account": {"name": "Nobody"}}, {"name": "b", "account": {"name": "Twin"}},
            {"name": "c", "account": {"industry": "x"}}, {"name": "d", "account": {"name": "Twin", "x": 1}}]
    response = send(api, "post", f"{BULK}?mode=per_row", rows)
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["errors"]["account"][0]["code"] for r in results] == [
        "invalid_reference", "ambiguous_reference", "invalid_reference", "invalid_reference"]
    assert f"#{first.id}" in results[1]["errors"]["account"][0]["message"]
    assert f"#{second.id}" in results[1]["errors"]["account"][0]["message"]
    assert count_records("gadget", admin_a) == 0


def test_references_of_a_batch_are_resolved_in_one_query_per_target(api, gadget, admin_a,
                                                                      django_assert_max_num_queries):
    for i in range(20):
        service.create_record("account", {"name": f"Acc {i}"}, admin_a)
    rows = [{"name": f"g{i}", "account": {"name": f"Acc {i}"}} for i in range(20)]
    with django_assert_max_num_queries(60) as captured:
        written = service.create_records("gadget", rows, admin_a)
    assert all(w.record.values["account"] for w in written)
    account = get_meta().objects["account"].table
    assert sum(f'FROM "{account}" r WHERE' in q["sql"] and "WITH ORDINALITY" in q["sql"]
               for q in captured.captured_queries) == 1


# --- upsert -------------------------------------------------------------------------------------


def test_upsert_on_a_unique_field_inserts_or_updates_and_twice_gives_the_same(api, gadget, admin_a):
    existing = service.create_record("gadget", {"name": "old", "code": "A1", "price": "1"}, admin_a)
    rows = [{"name": "first", "code": "A1", "price": "5"}, {"name": "second", "code": "B2", "price": "7"}]
    response = send(api, "post", f"{BULK}?upsert_on=code", rows)
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["updated", "created"]
    assert results[0]["id"] == existing.id and results[0]["record"]["price"] == "5.00"
    again = send(api, "post", f"{BULK}?upsert_on=code&return=minimal", rows)
    assert [r["status"] for r in again.json()["results"]] == ["updated", "updated"]
    assert "record" not in again.json()["results"][0]
    assert count_records("gadget", admin_a) == 2
    assert service.get_record("gadget", existing.id, admin_a).values["name"] == "first"


def test_a_minimal_answer_gives_ids_without_reading_the_records_back(api, gadget, admin_a):
    existing = service.create_record("gadget", {"name": "old", "code": "A1"}, admin_a)
    rows = [{"name": "first", "code": "A1"}, {"name": "second", "code": "B2"}]
    with CaptureQueriesContext(connection) as queries:
        response = send(api, "post", f"{BULK}?upsert_on=code&return=minimal", rows)
    results = response.json()["results"]
    assert [(r["status"], r["id"] == existing.id) for r in results] == [("updated", True), ("created", False)]
    assert all(isinstance(r["id"], int) and "record" not in r for r in results)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and gadget.table in q["sql"]]
    assert len(selects) == len([q for q in selects if "FOR UPDATE" in q or "LATERAL" in q])  # finding, locking only
    written = service.create_records("gadget", [{"name": "third", "code": "C3"}], admin_a, represent=False)
    assert written[0].record is None and service.get_record("gadget", written[0].record_id, admin_a).name == "third"


def test_upsert_refuses_rows_sharing_a_key_and_rows_without_one(api, gadget, admin_a):
    rows = [{"name": "a", "code": "K"}, {"name": "b", "code": "k "}, {"name": "c"}, {"name": "d", "code": "Z"}]
    response = send(api, "post", f"{BULK}?upsert_on=code", rows)
    assert response.status_code == 400
    body = response.json()
    assert [r["index"] for r in body["rows"]] == [0, 2] or [r["index"] for r in body["rows"]] == [2]
    per_row = send(api, "post", f"{BULK}?upsert_on=code&mode=per_row", [{"name": "a", "code": "K"},
                                                                          {"name": "b", "code": "K"}, {"name": "c"}])
    results = per_row.json()["results"]
    assert [r["status"] for r in results] == ["error"] * 3
    assert [r["errors"]["code"][0]["code"] for r in results] == ["duplicate_key", "duplicate_key", "required"]
    assert count_records("gadget", admin_a) == 0


def test_upsert_on_needs_a_unique_field_or_several(api, gadget, admin_a):
    response = send(api, "post", f"{BULK}?upsert_on=notes", [{"name": "a"}])
    assert response.status_code == 400 and response.json()["errors"]["upsert_on"][0]["code"] == "not_unique"
    assert send(api, "post", f"{BULK}?upsert_on=nope", [{"name": "a"}]).json()["errors"]["upsert_on"][0]["code"] == \
        "unknown_field"
    service.create_record("gadget", {"name": "n", "notes": "x", "quantity": 1}, admin_a)
    composite = send(api, "post", f"{BULK}?upsert_on=notes,quantity",
                     [{"name": "changed", "notes": "x", "quantity": 1}, {"name": "new", "notes": "x", "quantity": 2}])
    assert [r["status"] for r in composite.json()["results"]] == ["updated", "created"]


def test_the_name_field_of_a_custom_object_can_be_made_unique_and_upserted_on(api, gadget, admin_a):
    update_field("gadget", "name", {"unique": True}, admin_a)
    service.create_record("gadget", {"name": "Alpha", "price": "1"}, admin_a)
    with pytest.raises(ValidationFailed):
        service.create_record("gadget", {"name": "Alpha"}, admin_a)
    results = service.create_records("gadget", [{"name": "Alpha", "price": "2"}, {"name": "Beta"}], admin_a,
                                     upsert_on=["name"])
    assert [r.created for r in results] == [False, True] and results[0].record.values["price"] == 2


# --- messages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "code", "words"), [
    ("released", "2016-02-30", "invalid_date", "is not a date"),
    ("released", "2016-13-01", "invalid_date", "is not a date"),
    ("released", "2024-03-05T10:30:00", "invalid_date", "time of day"),
    ("price", "1,054.499", "too_many_decimals", "2"),
    ("quantity", "1.5", "too_many_decimals", "0"),
])
def test_messages_say_what_is_wrong(api, gadget, field, value, code, words):
    response = send(api, "post", URL, {"name": "x", field: value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    detail = response.json()["errors"][field][0]
    assert detail["code"] == code and words in detail["message"]


def test_what_is_right_still_goes_in(api, gadget):
    response = send(api, "post", URL, {"name": "x", "released": "2024-03-05T00:00:00+08:00", "price": "1,054.50",
                                       "quantity": "3.000"})
    assert response.status_code == 201, response.json()
    assert (response.json()["released"], response.json()["price"], response.json()["quantity"]) == (
        "2024-03-05", "1054.50", "3")


# --- duplicate rules within a batch ------------------------------------------------------------------


def test_duplicate_rules_apply_within_a_batch(api, admin_a):
    url = "/api/v1/records/account/bulk/"
    warned = send(api, "post", url, [{"name": "Acme Ltd"}, {"name": "Other"}, {"name": "ACME, ltd."}])
    assert warned.status_code == 409
    assert warned.json()["duplicates"] == [{"index": 2, "matches": [
        {"id": None, "index": 0, "name": "Acme Ltd", "rules": ["same_name"], "action": "warn"}]}]
    per_row = send(api, "post", f"{url}?mode=per_row", [{"name": "Acme Ltd"}, {"name": "ACME, ltd."}])
    assert [r["status"] for r in per_row.json()["results"]] == ["created", "duplicate"]
    assert count_records("account", admin_a) == 1
    confirmed = send(api, "post", f"{url}?confirm_duplicates=true", [{"name": "Beta"}, {"name": "beta"}])
    assert confirmed.status_code == 201 and count_records("account", admin_a) == 3


def test_a_blocking_rule_refuses_the_later_row_of_a_batch(api, admin_a):
    create_object({"api_name": "member", "labels": {"en": {"singular": "Member"}},
                   "duplicate_rules": [{"api_name": "same_name", "fields": ["name"], "action": "block"}]}, admin_a)
    service.create_record("member", {"name": "Stored"}, admin_a)
    response = send(api, "post", "/api/v1/records/member/bulk/?mode=per_row",
                    [{"name": "Fresh"}, {"name": "fresh"}, {"name": "STORED"}], HTTP_ACCEPT_LANGUAGE="en")
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "error"]
    assert "row 1 of this batch" in results[1]["non_field_errors"][0]["message"]
    assert "Stored" in results[2]["non_field_errors"][0]["message"]


def test_a_batch_is_checked_for_duplicates_in_one_query(api, admin_a, django_assert_max_num_queries):
    rows = [{"name": f"Company {i}"} for i in range(50)]
    with django_assert_max_num_queries(40) as captured:
        service.create_records("account", rows, admin_a)
    assert sum("tessera_normalize" in q["sql"] for q in captured.captured_queries) == 1
