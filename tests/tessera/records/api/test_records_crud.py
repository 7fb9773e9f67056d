"""Create, read, change and delete one record through the API: status codes, the record's JSON,
and every kind of bad input answered in the one error shape with nothing written."""

from __future__ import annotations

import re

import pytest

from metadata.services import create_category, create_object
from tessera.records import service
from tests.helpers.records_api import codes, count_records, send

pytestmark = pytest.mark.django_db

URL = "/api/v1/records/gadget/"


def create(api, body, url=URL, **extra):
    return send(api, "post", url, body, **extra)


def test_create_answers_201_with_the_flat_record(api, gadget, admin_a):
    response = create(api, {
        "name": "Widget 一号", "code": "W1", "price": "12.5", "quantity": 3, "discount": "7.5",
        "released": "2026-01-02", "checked_at": "2026-01-02T10:00:00+08:00", "active": True,
        "email": "Sales@Example.COM", "phone": "+86 138 0000 0000", "website": "example.com", "notes": "line 1\nline 2",
        "color": "red", "tags": ["hot", "new"],
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] > 0 and body["version"] == 1 and body["category"] is None
    assert response["ETag"] == '"1"'
    assert body["name"] == "Widget 一号"
    assert body["price"] == "12.50" and body["quantity"] == "3" and body["discount"] == "7.50"
    assert body["released"] == "2026-01-02" and body["checked_at"] == "2026-01-02T02:00:00Z"
    assert body["active"] is True and body["email"] == "Sales@example.com" and body["website"] == "https://example.com"
    assert body["color"] == "red" and body["tags"] == ["new", "hot"]  # the picklist's order
    assert re.fullmatch(r"G-\d{4,}", body["serial"]) and body["total"] == "37.50"  # auto-number and formula
    assert body["account"] is None and body["manual"] is None and body["notes"] == "line 1\nline 2"
    assert body["owner"] == admin_a.pk
    assert body["created_at"].endswith("Z") and body["created_by"] == body["owner"]
    assert "deleted_at" not in body

    again = api.get(f"{URL}{body['id']}/")
    assert again.status_code == 200 and again.json() == body and again["ETag"] == '"1"'


def test_unknown_object_is_404_on_every_endpoint(api, gadget):
    for method, url in [("get", "/api/v1/records/nothing/"), ("post", "/api/v1/records/nothing/"),
                        ("post", "/api/v1/records/nothing/bulk/"), ("get", "/api/v1/records/nothing/1/"),
                        ("patch", "/api/v1/records/nothing/1/"), ("delete", "/api/v1/records/nothing/1/"),
                        ("get", "/api/v1/records/nothing/form/"), ("get", "/api/v1/records/nothing/1/history/"),
                        ("post", "/api/v1/records/nothing/1/restore/")]:
        response = send(api, method, url, ([] if "bulk" in url else {}) if method in ("post", "patch") else None)
        assert response.status_code == 404, (method, url)
        assert response.json() == {"errors": {}, "non_field_errors": [
            {"code": "unknown_object", "message": response.json()["non_field_errors"][0]["message"]}]}


def test_unknown_record_is_404(api, gadget):
    for url in (f"{URL}999999/", f"{URL}abc/", f"{URL}-1/", f"{URL}99999999999999999999999/"):
        assert api.get(url).status_code == 404, url
        assert codes(api.get(url)) == ["unknown_record"]
    assert send(api, "patch", f"{URL}999999/", {"price": "1"}).status_code == 404
    assert codes(send(api, "patch", f"{URL}999999/", {"price": "1"})) == ["unknown_record"]
    assert api.delete(f"{URL}999999/").status_code == 404


def test_unknown_field_is_400_named_by_the_field_and_nothing_is_written(api, gadget, admin_a):
    response = create(api, {"name": "G", "colour": "red", "pricee": "1"})
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"colour", "pricee"}
    assert codes(response, "colour") == ["unknown_field"]
    assert body["non_field_errors"] == []
    assert count_records("gadget", admin_a) == 0


BAD_VALUES = [
    ("price", "abc", "invalid_number"),
    ("price", True, "invalid_number"),
    ("quantity", 5000, "too_large"),
    ("quantity", -1, "too_small"),
    ("released", "2026-13-45", "invalid_date"),
    ("released", "next tuesday", "invalid_date"),
    ("checked_at", "yesterday", "invalid_datetime"),
    ("active", "maybe", "invalid_boolean"),
    ("email", "not-an-email", "invalid_email"),
    ("phone", "call me", "invalid_phone"),
    ("website", "http://", "invalid_url"),
    ("code", "X" * 21, "too_long"),
    ("name", ["a", "list"], "invalid"),
    ("notes", 12, "invalid"),
    ("color", "purple", "invalid_choice"),
    ("color", "old", "invalid_choice"),  # an inactive value cannot be chosen any more
    ("tags", ["hot", "nope"], "invalid_choice"),
    ("tags", "hot", None),  # a single key is accepted as a one-value list
    ("account", "abc", "invalid_reference"),
    ("account", 987654, "invalid_reference"),
    ("manual", "forged-token", "invalid_file"),
    ("manual", {"path": "tenants/t_beta/x", "name": "x"}, "invalid_file"),
    ("photo", 42, "invalid_file"),
]


def test_a_bad_value_of_each_type_is_a_400_with_its_code(api, gadget, admin_a):
    wrong = []
    for field, value, code in BAD_VALUES:
        response = create(api, {"name": "G", field: value})
        if code is None:
            if response.status_code != 201:
                wrong.append((field, value, response.json()))
            continue
        if response.status_code != 400 or set(response.json()["errors"]) != {field} or codes(response, field) != [code]:
            wrong.append((field, value, response.status_code, response.json()))
    assert wrong == []
    assert count_records("gadget", admin_a) == sum(1 for _f, _v, code in BAD_VALUES if code is None)


def test_all_errors_of_a_record_come_back_together(api, gadget, admin_a):
    response = create(api, {"name": "", "price": "x", "released": "never", "color": "purple", "serial": "G-9",
                            "created_at": "2020-01-01T00:00:00Z", "bogus": 1})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {k: [d["code"] for d in v] for k, v in errors.items()} == {
        "name": ["required"], "price": ["invalid_number"], "released": ["invalid_date"],
        "color": ["invalid_choice"], "serial": ["read_only"], "created_at": ["read_only"], "bogus": ["unknown_field"],
    }
    assert all(d["message"] for v in errors.values() for d in v)
    assert count_records("gadget", admin_a) == 0


def test_the_shape_of_the_input_is_checked(api, gadget):
    assert api.post(URL, "{not json", content_type="application/json").status_code == 400
    listed = create(api, [{"name": "G"}])
    assert listed.status_code == 400 and codes(listed) == ["invalid"]
    form = api.post(URL, {"name": "G"})  # multipart form, not JSON
    assert form.status_code == 415
    assert set(form.json()) == {"errors", "non_field_errors"}


def test_not_logged_in_is_refused(client_a, gadget):
    response = client_a.get(URL)
    assert response.status_code in (401, 403)
    assert codes(response) == ["not_authenticated"]
    assert send(client_a, "post", URL, {"name": "G"}).status_code in (401, 403)


def test_patch_changes_given_fields_and_bumps_the_version(api, gadget):
    record = create(api, {"name": "G", "price": "10", "color": "red"}).json()
    response = send(api, "patch", f"{URL}{record['id']}/", {"price": "11", "color": None})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == 2 and response["ETag"] == '"2"'
    assert body["price"] == "11.00" and body["color"] is None and body["name"] == "G"
    assert body["total"] == "0.00"  # price × blank quantity (blanks count as zero)


def test_stale_version_is_409_and_nothing_changes(api, gadget):
    record = create(api, {"name": "G", "price": "10"}).json()
    url = f"{URL}{record['id']}/"
    assert send(api, "patch", url, {"price": "11"}, HTTP_IF_MATCH='"1"').status_code == 200
    stale = send(api, "patch", url, {"price": "12"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    assert codes(stale) == ["stale_version"]
    stale_body = send(api, "patch", url, {"price": "13", "version": 1})
    assert stale_body.status_code == 409 and codes(stale_body) == ["stale_version"]
    current = api.get(url).json()
    assert current["price"] == "11.00" and current["version"] == 2
    fresh = send(api, "patch", url, {"price": "14"}, HTTP_IF_MATCH='W/"2"')
    assert fresh.status_code == 200 and fresh.json()["version"] == 3
    bad = send(api, "patch", url, {"price": "15"}, HTTP_IF_MATCH="yesterday")
    assert bad.status_code == 400 and codes(bad, "version") == ["invalid"]
    bad_body = send(api, "patch", url, {"price": "15", "version": "x"})
    assert bad_body.status_code == 400 and codes(bad_body, "version") == ["invalid"]


def test_read_only_and_system_fields_are_refused_when_changed_but_fine_sent_back(api, gadget):
    record = create(api, {"name": "G", "price": "2", "quantity": 2}).json()
    url = f"{URL}{record['id']}/"
    for field, value in [("serial", "G-9999"), ("total", "1.00"), ("created_at", "2020-01-01T00:00:00Z"),
                         ("created_by", 12345), ("updated_at", "2020-01-01T00:00:00Z")]:
        response = send(api, "patch", url, {field: value})
        assert response.status_code == 400, field
        assert codes(response, field) == ["read_only"], field
    whole = api.get(url).json()
    back = send(api, "patch", url, {**whole, "price": "3"})  # the record as read, one field changed
    assert back.status_code == 200, back.json()
    assert back.json()["price"] == "3.00" and back.json()["total"] == "6.00" and back.json()["serial"] == record["serial"]


def test_auto_number_is_not_writable_on_create(api, gadget, admin_a):
    response = create(api, {"name": "G", "serial": "G-0042"})
    assert response.status_code == 400 and codes(response, "serial") == ["read_only"]
    assert count_records("gadget", admin_a) == 0
    first, second = create(api, {"name": "A"}).json(), create(api, {"name": "B"}).json()
    assert int(second["serial"][2:]) == int(first["serial"][2:]) + 1


def test_unique_field_refuses_a_second_record_with_the_same_value(api, gadget, admin_a):
    assert create(api, {"name": "A", "code": "SAME"}).status_code == 201
    response = create(api, {"name": "B", "code": "SAME"})
    assert response.status_code == 400 and codes(response, "code") == ["unique"]
    other = create(api, {"name": "B", "code": "OTHER"}).json()
    clash = send(api, "patch", f"{URL}{other['id']}/", {"code": "SAME"})
    assert clash.status_code == 400 and codes(clash, "code") == ["unique"]
    assert count_records("gadget", admin_a) == 2


def test_required_fields_through_the_api(api):
    response = send(api, "post", "/api/v1/records/opportunity/", {"name": "Deal", "stage": ""})
    assert response.status_code == 400
    assert codes(response, "close_date") == ["required"] and codes(response, "stage") == ["required"]
    account = send(api, "post", "/api/v1/records/account/", {"name": "Acme"}).json()
    opportunity = send(api, "post", "/api/v1/records/opportunity/",
                       {"name": "Deal", "close_date": "2026-12-01", "account": account["id"]})
    assert opportunity.status_code == 201 and opportunity.json()["stage"] == "prospecting"  # the default
    cleared = send(api, "patch", f"/api/v1/records/opportunity/{opportunity.json()['id']}/", {"close_date": None})
    assert cleared.status_code == 400 and codes(cleared, "close_date") == ["required"]


def test_cascading_picklists_through_the_api(api):
    url = "/api/v1/records/account/"
    ok = send(api, "post", url, {"name": "A", "country": "cn", "province": "guangdong", "city": "shenzhen"})
    assert ok.status_code == 201, ok.json()
    bad = send(api, "post", url, {"name": "B", "country": "cn", "province": "california", "city": "hangzhou"})
    assert bad.status_code == 400
    assert codes(bad, "province") == ["invalid_dependent_value"] and codes(bad, "city") == ["invalid_dependent_value"]
    # Changing the controlling value re-checks the dependent one already stored.
    moved = send(api, "patch", f"{url}{ok.json()['id']}/", {"province": "zhejiang"})
    assert moved.status_code == 400 and codes(moved, "city") == ["invalid_dependent_value"]


def test_categories_through_the_api(api, admin_a):
    create_category("account", {"api_name": "shop", "labels": {"en": "Shop"}, "picklist_values": {"rating": ["a"]}},
                    admin_a)
    url = "/api/v1/records/account/"
    vip = send(api, "post", url, {"name": "V", "category": "vip"})
    assert vip.status_code == 400 and codes(vip, "phone") == ["required"]
    unknown = send(api, "post", url, {"name": "V", "category": "nope"})
    assert unknown.status_code == 400 and codes(unknown, "category") == ["invalid_choice"]
    restricted = send(api, "post", url, {"name": "S", "category": "shop", "rating": "c"})
    assert restricted.status_code == 400 and codes(restricted, "rating") == ["invalid_choice"]
    ok = send(api, "post", url, {"name": "V", "category": "vip", "phone": "010-12345678"})
    assert ok.status_code == 201 and ok.json()["category"] == "vip"
    to_shop = send(api, "patch", f"{url}{ok.json()['id']}/", {"category": "shop", "rating": "a"})
    assert to_shop.status_code == 200 and to_shop.json()["category"] == "shop"


def test_duplicates_warn_with_409_then_confirm_saves(api, admin_a):
    url = "/api/v1/records/account/"
    first = send(api, "post", url, {"name": "Acme 有限公司"}).json()
    warned = send(api, "post", url, {"name": "ACME有限公司"})  # case and spaces ignored
    assert warned.status_code == 409
    body = warned.json()
    assert codes(warned) == ["possible_duplicates"]
    assert [m["id"] for m in body["duplicates"]] == [first["id"]]
    assert body["duplicates"][0]["rules"] == ["same_name"] and body["duplicates"][0]["name"] == "Acme 有限公司"
    assert count_records("account", admin_a) == 1
    confirmed = send(api, "post", f"{url}?confirm_duplicates=true", {"name": "ACME有限公司"})
    assert confirmed.status_code == 201
    assert count_records("account", admin_a) == 2
    assert send(api, "post", f"{url}?confirm_duplicates=perhaps", {"name": "x"}).status_code == 400


def test_blocking_duplicate_rule_is_a_400(api, admin_a):
    create_object({"api_name": "member", "labels": {"en": {"singular": "Member"}},
                   "duplicate_rules": [{"api_name": "same_name", "fields": ["name"], "action": "block"}]}, admin_a)
    url = "/api/v1/records/member/"
    assert send(api, "post", url, {"name": "Li Lei"}).status_code == 201
    blocked = send(api, "post", f"{url}?confirm_duplicates=true", {"name": "li  lei"})
    assert blocked.status_code == 400 and codes(blocked) == ["duplicate"]
    assert count_records("member", admin_a) == 1


def test_delete_is_soft_and_204(api, gadget, admin_a):
    record = create(api, {"name": "G"}).json()
    url = f"{URL}{record['id']}/"
    response = api.delete(url)
    assert response.status_code == 204 and response.content == b""
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404
    assert send(api, "patch", url, {"price": "1"}).status_code == 404
    binned = api.get(f"{URL}?deleted=only").json()["results"]
    assert [r["id"] for r in binned] == [record["id"]] and binned[0]["deleted_at"].endswith("Z")


def test_delete_restrict_is_409_in_use(api, gadget, admin_a):
    from metadata.services import add_field

    create_object({"api_name": "ticket", "labels": {"en": {"singular": "Ticket"}}}, admin_a)
    add_field("ticket", {"api_name": "gadget", "type": "lookup", "labels": {"en": "Gadget"},
                         "options": {"target": "gadget", "on_delete": "restrict"}}, admin_a)
    target = create(api, {"name": "G"}).json()
    send(api, "post", "/api/v1/records/ticket/", {"name": "T", "gadget": target["id"]})
    refused = api.delete(f"{URL}{target['id']}/")
    assert refused.status_code == 409 and codes(refused) == ["in_use"]
    assert api.get(f"{URL}{target['id']}/").status_code == 200


def test_delete_set_null_and_cascade_then_restore_brings_cascaded_children_back(api):
    account = send(api, "post", "/api/v1/records/account/", {"name": "Acme"}).json()
    contact = send(api, "post", "/api/v1/records/contact/", {"name": "Li", "account": account["id"]}).json()
    activities = [send(api, "post", "/api/v1/records/activity/", {"name": f"Call {i}", "account": account["id"]}).json()
                  for i in range(2)]
    other = send(api, "post", "/api/v1/records/activity/", {"name": "Unrelated"}).json()

    assert api.delete(f"/api/v1/records/account/{account['id']}/").status_code == 204
    assert api.get(f"/api/v1/records/contact/{contact['id']}/").json()["account"] is None  # set_null
    for activity in activities:  # cascade
        assert api.get(f"/api/v1/records/activity/{activity['id']}/").status_code == 404
    binned = api.get("/api/v1/records/activity/?deleted=only").json()["results"]
    assert {r["id"] for r in binned} == {a["id"] for a in activities}
    assert api.get(f"/api/v1/records/activity/{other['id']}/").status_code == 200

    restored = api.post(f"/api/v1/records/account/{account['id']}/restore/")
    assert restored.status_code == 200 and restored.json()["id"] == account["id"]
    assert restored.json()["version"] > account["version"]
    for activity in activities:
        assert api.get(f"/api/v1/records/activity/{activity['id']}/").status_code == 200
    assert api.get("/api/v1/records/activity/?deleted=only").json()["results"] == []
    again = api.post(f"/api/v1/records/account/{account['id']}/restore/")
    assert again.status_code == 404 and codes(again) == ["unknown_record"]


def test_history_of_tracked_fields_including_owner(api, gadget, admin_a, restrict):
    from django.contrib.auth import get_user_model

    colleague = get_user_model().objects.create_user("colleague@alpha.test", "pw-Colleague-123")
    record = create(api, {"name": "G", "price": "1", "color": "red", "secret": "s1", "quantity": 1}).json()
    url = f"{URL}{record['id']}/"
    send(api, "patch", url, {"price": "2", "quantity": 5, "secret": "s2"})
    send(api, "patch", url, {"name": "untracked only"})
    send(api, "patch", url, {"owner": colleague.pk})
    response = api.get(f"{url}history/")
    assert response.status_code == 200
    entries = response.json()["results"]
    assert [e["action"] for e in entries] == ["owner", "update", "create"]
    owner, update, created = entries
    assert owner["changes"] == [{"field": "owner", "old": admin_a.pk, "new": colleague.pk}]
    assert {c["field"]: (c["old"], c["new"]) for c in update["changes"]} == {
        "price": ("1.00", "2.00"), "secret": ("s1", "s2")}
    assert {c["field"] for c in created["changes"]} == {"price", "color", "secret"}
    assert all(e["user"] == admin_a.pk and e["at"].endswith("Z") for e in entries)

    restrict(hidden=["secret"])
    hidden = api.get(f"{url}history/").json()["results"]
    assert all(c["field"] != "secret" for e in hidden for c in e["changes"])
    assert {c["field"] for c in hidden[1]["changes"]} == {"price"}
    assert api.get(f"{URL}999999/history/").status_code == 404


def test_expand_on_a_single_record(api, gadget):
    account = send(api, "post", "/api/v1/records/account/", {"name": "Acme"}).json()
    record = create(api, {"name": "G", "account": account["id"]}).json()
    assert record["account"] == account["id"]
    expanded = api.get(f"{URL}{record['id']}/?expand=account").json()
    assert expanded["account"] == {"id": account["id"], "name": "Acme"}
    bad = api.get(f"{URL}{record['id']}/?expand=price")
    assert bad.status_code == 400 and codes(bad, "expand") == ["invalid_expand"]


def test_service_sees_what_the_api_wrote(api, gadget, admin_a):
    record = create(api, {"name": "G", "price": "9.99"}).json()
    stored = service.get_record("gadget", record["id"], admin_a)
    assert str(stored.values["price"]) == "9.99"
