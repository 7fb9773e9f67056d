"""The form descriptor the UI draws forms from: layout choice, sections, widgets (choices,
cascades), required and read-only flags, values, and labels in the request language."""

from __future__ import annotations

import pytest

from metadata.services import create_category, create_layout, update_category
from tessera.records import service
from tests.helpers.records_api import codes

pytestmark = pytest.mark.django_db


def form(api, object_api_name, query="", language="en"):
    response = api.get(f"/api/v1/records/{object_api_name}/form/?{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.json()
    return response.json()


def fields_of(descriptor) -> dict:
    return {f["api_name"]: f for section in descriptor["sections"] for f in section["fields"]}


def test_default_edit_form_of_a_standard_object_in_english_and_chinese(api):
    english = form(api, "account", language="en")
    assert english["object"] == {"api_name": "account", "label": "Account", "label_plural": "Accounts"}
    assert english["layout"]["api_name"] == "default_edit" and english["layout"]["kind"] == "edit"
    assert [s["label"] for s in english["sections"]] == ["Details", "Contact details", "Address", "Business"]
    assert english["sections"][0]["columns"] in (1, 2) and english["record"] is None
    assert english["language"] == "en"
    assert {c["value"]: c["label"] for c in english["categories"]}["vip"] == "VIP member"
    chinese = form(api, "account", language="zh-hans")
    assert chinese["object"]["label"] == "客户" and chinese["sections"][0]["label"] == "基本信息"
    assert fields_of(chinese)["name"]["label"] == "客户名称" and fields_of(english)["name"]["label"] == "Account name"
    assert {c["value"]: c["label"] for c in chinese["categories"]}["vip"] == "VIP会员"
    assert fields_of(chinese)["industry"]["widget"]["choices"][0]["label"] == "IT/软件"
    default = api.get("/api/v1/records/account/form/").json()  # no Accept-Language: the site language
    assert default["object"]["label"] == "客户"


def test_widgets_carry_choices_colours_probabilities_and_cascade_maps(api):
    fields = fields_of(form(api, "account"))
    rating = fields["rating"]
    assert rating["type"] == "picklist" and rating["widget"]["widget"] == "select"
    assert rating["widget"]["choices"][0] == {"value": "a", "label": "A", "active": True, "color": "#2e7d32"}
    province, city = fields["province"]["widget"], fields["city"]["widget"]
    assert province["controlling_field"] == "country" and city["controlling_field"] == "province"
    assert province["dependency"]["cn"][:2] == ["beijing", "shanghai"] and province["dependency"]["sg"] == []
    assert city["dependency"]["guangdong"] == ["guangzhou", "shenzhen", "dongguan"]
    assert "controlling_field" not in fields["country"]["widget"]
    assert fields["employees"]["widget"] == {"widget": "number", "precision": 9, "scale": 0}
    assert fields["email"]["widget"]["widget"] == "email" and fields["description"]["widget"]["widget"] == "textarea"
    stage = fields_of(form(api, "opportunity"))["stage"]["widget"]["choices"]
    assert [(c["value"], c["probability"]) for c in stage][:2] == [("prospecting", 10), ("qualification", 20)]
    lookup = fields_of(form(api, "opportunity"))["account"]["widget"]
    assert lookup == {"widget": "lookup", "target": "account", "target_label": "Account"}


def test_required_and_read_only_flags(api, gadget, restrict):
    fields = fields_of(form(api, "gadget"))
    assert fields["name"]["required"] is True and fields["name"]["read_only"] is False
    assert fields["price"]["required"] is False
    for name in ("serial", "total"):  # auto-number, formula
        assert fields[name]["read_only"] is True and fields[name]["required"] is False, name
    assert fields["owner"]["read_only"] is False
    assert fields["total"]["widget"] == {"widget": "readonly", "result_type": "currency"}
    assert fields["color"]["widget"]["choices"] == [
        {"value": "red", "label": "Red", "active": True, "color": "#ff0000"},
        {"value": "green", "label": "Green", "active": True}, {"value": "blue", "label": "Blue", "active": True}]
    restrict(hidden=["secret"], read_only=["price"])
    narrowed = fields_of(form(api, "gadget"))
    assert "secret" not in narrowed
    assert narrowed["price"]["read_only"] is True and narrowed["code"]["read_only"] is False


def test_system_fields_on_a_view_layout_are_read_only(api):
    descriptor = form(api, "account", "layout=default_view")
    assert descriptor["layout"]["kind"] == "view"
    fields = fields_of(descriptor)
    assert all(fields[f]["read_only"] for f in ("created_by", "created_at", "updated_by", "updated_at", "account_number"))


def test_category_layout_and_overrides(api, admin_a):
    create_layout("account", {"api_name": "vip_edit", "kind": "edit", "labels": {"en": "VIP", "zh-hans": "VIP"},
                              "category": "vip", "sections": [
                                  {"labels": {"en": "Member", "zh-hans": "会员"}, "columns": 1, "items": [
                                      {"field": "name"}, {"field": "phone"}, {"field": "email", "required": True},
                                      {"field": "website", "read_only": True}, {"field": "rating"}]}]}, admin_a)
    update_category("account", "vip", {"edit_layout": "vip_edit", "picklist_values": {"rating": ["a", "b"]}}, admin_a)
    vip = form(api, "account", "category=vip")
    assert vip["layout"]["api_name"] == "vip_edit" and vip["category"] == "vip"
    assert [s["label"] for s in vip["sections"]] == ["Member"] and vip["sections"][0]["columns"] == 1
    fields = fields_of(vip)
    assert list(fields) == ["name", "phone", "email", "website", "rating"]
    assert fields["phone"]["required"] is True  # the category requires it
    assert fields["email"]["required"] is True  # the layout item requires it
    assert fields["website"]["read_only"] is True and fields["website"]["required"] is False
    assert [c["value"] for c in fields["rating"]["widget"]["choices"]] == ["a", "b"]  # the category's values
    plain = fields_of(form(api, "account"))
    assert plain["phone"]["required"] is False and [c["value"] for c in plain["rating"]["widget"]["choices"]] == [
        "a", "b", "c"]
    explicit = form(api, "account", "category=vip&layout=default_edit")
    assert explicit["layout"]["api_name"] == "default_edit" and fields_of(explicit)["phone"]["required"] is True


def test_category_field_sets(api, admin_a):
    create_category("account", {"api_name": "lean", "labels": {"en": "Lean"}, "fields": ["phone", "industry"]},
                    admin_a)
    fields = fields_of(form(api, "account", "category=lean"))
    assert list(fields) == ["name", "industry", "phone"]  # the name always, then the category's, in layout order


def test_form_of_a_record_has_its_values_and_category(api, gadget, admin_a):
    account = service.create_record("account", {"name": "Acme", "category": "retail"}, admin_a)
    record = service.create_record("gadget", {"name": "G", "price": "5", "quantity": 2, "account": account.id,
                                              "tags": ["hot"]}, admin_a)
    descriptor = form(api, "gadget", f"record={record.id}")
    assert descriptor["record"] == {"id": record.id, "version": 1, "category": None}
    fields = fields_of(descriptor)
    assert fields["name"]["value"] == "G" and fields["price"]["value"] == "5.00" and fields["total"]["value"] == "10.00"
    assert fields["account"]["value"] == {"id": account.id, "name": "Acme"} and fields["tags"]["value"] == ["hot"]
    assert fields["color"]["value"] is None and fields["serial"]["value"] == record.values["serial"]
    categorized = form(api, "account", f"record={account.id}")
    assert categorized["category"] == "retail" and categorized["record"]["category"] == "retail"


def test_an_inactive_value_the_record_holds_is_still_shown(api, gadget, admin_a):
    from django.db import connection

    from tessera.records import repository  # noqa: F401  (the runtime writes what validation allows)

    record = service.create_record("gadget", {"name": "G", "color": "red"}, admin_a)
    # A value deactivated after the record chose it.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {gadget.table} SET data = jsonb_set(data, '{{{gadget.field('color').key}}}', "
                       "'\"old\"') WHERE id = %s", [record.id])
    choices = fields_of(form(api, "gadget", f"record={record.id}"))["color"]["widget"]["choices"]
    assert [c["value"] for c in choices] == ["red", "green", "blue", "old"]
    assert [c["value"] for c in fields_of(form(api, "gadget"))["color"]["widget"]["choices"]] == ["red", "green", "blue"]


def test_defaults_on_a_new_record_form(api, admin_a):
    fields = fields_of(form(api, "activity"))
    assert fields["type"]["value"] == "call" and fields["status"]["value"] == "planned"
    assert fields["name"]["value"] is None and fields["type"]["required"] is True
    assert fields["owner"]["value"] == admin_a.pk and fields["account"]["value"] is None


def test_form_errors(api, client_a, gadget):
    bad_layout = api.get("/api/v1/records/gadget/form/?layout=nope")
    assert bad_layout.status_code == 400 and codes(bad_layout, "layout") == ["unknown_layout"]
    bad_category = api.get("/api/v1/records/account/form/?category=nope")
    assert bad_category.status_code == 400 and codes(bad_category, "category") == ["invalid_choice"]
    bad_record = api.get("/api/v1/records/gadget/form/?record=abc")
    assert bad_record.status_code == 400 and codes(bad_record, "record") == ["invalid"]
    missing = api.get("/api/v1/records/gadget/form/?record=999999")
    assert missing.status_code == 404 and codes(missing) == ["unknown_record"]
    assert api.get("/api/v1/records/nothing/form/").status_code == 404
    client_a.logout()
    assert client_a.get("/api/v1/records/gadget/form/").status_code in (401, 403)
