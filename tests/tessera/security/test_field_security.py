"""Field-level security through the API: a hidden field never leaves the server (list, detail, form
descriptor, history, errors, the tenant's OpenAPI document); a read-only field cannot be changed,
through the API or the bulk API."""

from __future__ import annotations

import json

import pytest

from tests.helpers.security import codes, field_codes

pytestmark = pytest.mark.django_db

SECRET = "secret_margin"
SECRET_VALUE = "987654.32"


@pytest.fixture
def fls(org, admin_a, make_record):
    """`rep` gets a profile hiding account.secret_margin (a tracked field) and making rating read-only;
    an account of theirs has both set."""
    from metadata.services import add_field
    from tessera.security.models import Profile
    from tessera.security.services import create_spec, update_user

    add_field("account", {"api_name": SECRET, "type": "number", "labels": {"en": "Secret margin"},
                          "history_tracked": True, "options": {"precision": 12, "scale": 2}}, admin_a)
    spec = dict(Profile.objects.get(api_name="salesperson").spec)
    spec["objects"] = {"account": {"fields": {SECRET: "hidden", "rating": "read_only"}}}
    create_spec("profile", {"api_name": "sales_fls", "spec": spec}, admin_a)
    update_user(org.rep.pk, {"profile": "sales_fls"}, admin_a)
    record = make_record("account", org.rep, name="Hidden Margin Ltd", rating="a", **{SECRET: SECRET_VALUE})
    return org.client(org.rep), record


def _absent(response):
    text = response.content.decode()
    assert SECRET not in text and "Secret margin" not in text and SECRET_VALUE not in text, text[:500]


def test_hidden_field_is_absent_from_list_and_detail(fls):
    client, record = fls
    listing = client.get("/api/v1/records/account/")
    assert listing.status_code == 200 and [r["id"] for r in listing.json()["results"]] == [record.id]
    _absent(listing)
    detail = client.get(f"/api/v1/records/account/{record.id}/")
    assert detail.status_code == 200 and detail.json()["rating"] == "a"
    _absent(detail)
    asked = client.get(f"/api/v1/records/account/?fields=name,{SECRET}")
    assert asked.status_code == 400 and field_codes(asked) == {"fields": ["unknown_field"]}


def test_hidden_field_is_absent_from_the_form_descriptor(fls):
    client, record = fls
    for url in ("/api/v1/records/account/form/", f"/api/v1/records/account/form/?record={record.id}"):
        response = client.get(url)
        assert response.status_code == 200
        _absent(response)


def test_read_only_field_is_read_only_in_the_form_descriptor(fls):
    client, record = fls
    descriptor = client.get(f"/api/v1/records/account/form/?record={record.id}").json()
    items = {f["api_name"]: f for s in descriptor["sections"] for f in s["fields"]}
    assert items["rating"]["read_only"] is True and items["phone"]["read_only"] is False


def test_hidden_field_is_absent_from_history(fls, admin_a):
    from tessera.records import service

    client, record = fls
    service.update_record("account", record.id, {SECRET: "1.00", "phone": "+86 21 5555 0000"}, admin_a)
    admin_view = service.record_history("account", record.id, admin_a)
    assert any(c["field"] == SECRET for e in admin_view for c in e["changes"])
    response = client.get(f"/api/v1/records/account/{record.id}/history/")
    assert response.status_code == 200
    _absent(response)


def test_writing_a_hidden_field_looks_like_an_unknown_field(fls):
    client, record = fls
    hidden = client.patch(f"/api/v1/records/account/{record.id}/", {SECRET: "1"}, content_type="application/json")
    unknown = client.patch(f"/api/v1/records/account/{record.id}/", {"no_such_field": "1"},
                           content_type="application/json")
    assert hidden.status_code == unknown.status_code == 400
    assert field_codes(hidden) == {SECRET: ["unknown_field"]}
    assert hidden.json()["errors"][SECRET][0]["message"] == \
        unknown.json()["errors"]["no_such_field"][0]["message"].replace("no_such_field", SECRET)
    created = client.post("/api/v1/records/account/", {"name": "New Co", SECRET: "5"}, content_type="application/json")
    assert created.status_code == 400 and field_codes(created) == {SECRET: ["unknown_field"]}
    filtered = client.get(f"/api/v1/records/account/?{SECRET}__gte=1")
    assert filtered.status_code == 400 and field_codes(filtered) == {f"{SECRET}__gte": ["unknown_field"]}
    sorted_ = client.get(f"/api/v1/records/account/?sort=-{SECRET}")
    assert sorted_.status_code == 400
    assert "hidden" not in sorted_.content.decode().lower()


def test_errors_about_a_hidden_field_do_not_name_it(fls, admin_a):
    """A required hidden field does not hold the writer back; a validation rule pointing at a hidden
    field reports without naming it."""
    from metadata.services import update_field, update_object

    client, record = fls
    update_field("account", SECRET, {"required": True}, admin_a)
    created = client.post("/api/v1/records/account/", {"name": "Required Hidden Co"}, content_type="application/json")
    assert created.status_code == 201, created.content
    _absent(created)
    from tessera.records import service

    service.update_record("account", record.id, {SECRET: "-1"}, admin_a)  # before the rule existed
    update_object("account", {"validation_rules": [{
        "api_name": "margin_positive", "formula": f"{SECRET} < 0", "field": SECRET,
        "message": {"en": "The margin must be positive."}}]}, admin_a)
    response = client.patch(f"/api/v1/records/account/{record.id}/", {"phone": "+86 10 0000 0001"},
                            content_type="application/json")
    assert response.status_code == 400
    assert codes(response) == ["invalid"]
    _absent(response)


def test_read_only_field_cannot_be_changed_through_the_api(fls):
    client, record = fls
    url = f"/api/v1/records/account/{record.id}/"
    changed = client.patch(url, {"rating": "b"}, content_type="application/json")
    assert changed.status_code == 400 and field_codes(changed) == {"rating": ["read_only"]}
    same = client.patch(url, {"rating": "a", "phone": "+86 10 8888 0000"}, content_type="application/json")
    assert same.status_code == 200 and same.json()["rating"] == "a"
    created = client.post("/api/v1/records/account/", {"name": "Rated Co", "rating": "b"},
                          content_type="application/json")
    assert created.status_code == 400 and field_codes(created) == {"rating": ["read_only"]}


def test_read_only_field_cannot_be_changed_through_the_bulk_api(fls):
    client, record = fls
    body = {"records": [{"id": record.id, "rating": "c"}]}
    response = client.patch("/api/v1/records/account/bulk/", body, content_type="application/json")
    assert response.status_code == 400
    assert [d["code"] for d in response.json()["rows"][0]["errors"]["rating"]] == ["read_only"]
    per_row = client.patch("/api/v1/records/account/bulk/?mode=per_row", body, content_type="application/json")
    assert per_row.status_code == 207
    assert per_row.json()["results"][0]["status"] == "error"
    hidden = client.patch("/api/v1/records/account/bulk/", {"records": [{"id": record.id, SECRET: "1"}]},
                          content_type="application/json")
    assert hidden.status_code == 400
    _only_echoes_the_input(hidden)
    from tessera.records import service
    from tessera.security.access import SYSTEM

    assert service.get_record("account", record.id, SYSTEM).values["rating"] == "a"


def _only_echoes_the_input(response):
    """The bulk answer keys its errors by the key sent (the client's own input, as for any unknown
    field); nothing else may mention the field."""
    body = response.json()
    assert [d["code"] for d in body["rows"][0]["errors"][SECRET]] == ["unknown_field"]
    body["rows"][0]["errors"] = {}
    assert SECRET_VALUE not in json.dumps(body) and "Secret margin" not in json.dumps(body)


def test_hidden_field_is_absent_from_the_tenant_openapi_document(fls, admin_a, org):
    client, _record = fls
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    _absent(response)
    admin = org.client(admin_a).get("/api/v1/openapi.json")
    assert SECRET in admin.content.decode()


def test_hidden_field_is_absent_from_the_metadata_api(fls):
    client, _record = fls
    detail = client.get("/api/v1/meta/objects/account/")
    assert detail.status_code == 200 and "rating" in {f["api_name"] for f in detail.json()["fields"]}
    assert SECRET not in {f["api_name"] for f in detail.json()["fields"]}
    fields = client.get("/api/v1/meta/objects/account/fields/")
    assert fields.status_code == 200 and SECRET not in {f["api_name"] for f in fields.json()}
    assert client.get(f"/api/v1/meta/objects/account/fields/{SECRET}/").status_code == 404
