"""Fields through the API: every type, refusals with their error paths, change, delete and restore."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metadata.cache import get_meta
from metadata.fieldtypes import field_types
from metadata.models import MetadataChange
from tessera.errors import ValidationFailed
from tessera.records import service
from tests.helpers.metadata_api import errors_of, labels, non_field_codes, picklist_values

pytestmark = pytest.mark.django_db

#: One field of every type, as an administrator would add it.
EVERY_TYPE = [
    {"api_name": "code", "type": "text", "options": {"max_length": 20}, "unique": True, "required": True},
    {"api_name": "notes", "type": "long_text"},
    {"api_name": "weight", "type": "number", "options": {"precision": 10, "scale": 3, "min": 0}},
    {"api_name": "price", "type": "currency", "indexed": True},
    {"api_name": "discount", "type": "percent", "default": 5},
    {"api_name": "launched_on", "type": "date"},
    {"api_name": "checked_at", "type": "datetime"},
    {"api_name": "in_stock", "type": "boolean", "default": True},
    {"api_name": "contact_email", "type": "email", "unique": True},
    {"api_name": "hotline", "type": "phone"},
    {"api_name": "homepage", "type": "url"},
    {"api_name": "size", "type": "picklist", "options": {"values": picklist_values("s", "m", "l")}},
    {"api_name": "tags", "type": "multi_picklist", "options": {"values": picklist_values("new", "hot", "sale")}},
    {"api_name": "serial", "type": "auto_number", "options": {"format": "G-{YYYY}-{0000}", "start": 1}},
    {"api_name": "account", "type": "lookup", "options": {"target": "account", "on_delete": "cascade"}},
    {"api_name": "engineer", "type": "user"},
    {"api_name": "manual", "type": "file", "options": {"max_size_mb": 5}},
    {"api_name": "photo", "type": "image"},
    {"api_name": "total", "type": "formula", "options": {"formula": "price * (1 - discount)", "result_type": "currency",
                                                          "scale": 2}},
]


@pytest.fixture
def gadget(api):
    response = api.post("objects/", {"api_name": "gadget", "labels": {"en": {"singular": "Gadget"}}})
    assert response.status_code == 201
    return api


def _add(api, spec, obj="gadget"):
    return api.post(f"objects/{obj}/fields/", {"labels": labels(spec["api_name"].title()), **spec})


def test_every_field_type_can_be_added_and_is_served_back(gadget, admin_a):
    api = gadget
    for spec in EVERY_TYPE:
        version = get_meta().version
        response = _add(api, spec)
        assert response.status_code == 201, (spec["api_name"], response.json())
        body = response.json()
        assert body["type"] == spec["type"] and body["api_name"] == spec["api_name"]
        assert body["labels"] == labels(spec["api_name"].title())
        for key, value in spec.get("options", {}).items():
            assert body["options"][key] == value
        assert get_meta().version == version + 1
        change = MetadataChange.objects.order_by("-id").first()
        assert (change.entity, change.action, change.changed_by_id) == ("field", "create", admin_a.pk)
        assert change.after["type"] == spec["type"] and change.before is None
    # a roll-up on account summing the gadgets' prices
    rollup = _add(api, {"api_name": "gadget_total", "type": "rollup", "options": {
        "child_object": "gadget", "child_field": "account", "function": "sum", "value_field": "price"}}, obj="account")
    assert rollup.status_code == 201, rollup.json()
    assert rollup.json()["options"]["result_type"] == "currency"  # derived from the value field
    assert rollup.json()["computed"] is True

    listed = {f["api_name"]: f for f in api.get("objects/gadget/fields/").json()}
    assert {s["api_name"] for s in EVERY_TYPE} <= set(listed)
    assert {f["type"] for f in listed.values()} | {"rollup"} == set(field_types.keys())
    assert listed["serial"]["computed"] and not listed["serial"]["writable"]
    assert listed["total"]["computed"] and listed["code"]["unique"] and listed["code"]["required"]
    assert listed["in_stock"]["default"] is True and listed["discount"]["default"] == 5
    assert api.get("objects/gadget/fields/account/").json()["options"] == {"target": "account", "on_delete": "cascade"}
    # new fields land on the default layouts
    edit = api.get("objects/gadget/layouts/default_edit/").json()
    assert [i["field"] for i in edit["sections"][0]["items"]][-3:] == ["manual", "photo", "total"]

    # and the runtime uses them at once
    account = service.create_record("account", {"name": "Fields Co"}, admin_a)
    record = service.create_record("gadget", {
        "name": "G1", "code": "A-1", "weight": "1.5", "price": "100", "launched_on": "2026-01-31",
        "checked_at": "2026-01-31T09:30:00+08:00", "contact_email": "Sales@Example.COM", "hotline": "+86 10 1234 5678",
        "homepage": "example.com", "size": "m", "tags": ["sale", "new"], "account": account.id,
        "engineer": admin_a.pk, "notes": "two\nlines"}, admin_a)
    values = record.values
    assert values["weight"] == Decimal("1.500") and values["discount"] == Decimal("5.00")
    assert values["in_stock"] is True and values["contact_email"] == "Sales@example.com"
    assert values["homepage"] == "https://example.com" and values["tags"] == ("new", "sale")
    assert values["serial"].startswith("G-") and values["serial"].endswith("-0001")
    assert values["total"] == Decimal("95.00")
    assert service.get_record("account", account.id, admin_a).values["gadget_total"] == Decimal("100.00")


@pytest.mark.parametrize(("spec", "expected"), [
    ({"type": "text", "options": {"max_length": 0}}, {"options.max_length": ["schema_minimum"]}),
    ({"type": "text", "options": {"colour": "red"}}, {"options": ["schema_additionalProperties"]}),
    ({"type": "number", "options": {"scale": 20}}, {"options.scale": ["schema_maximum"]}),
    ({"type": "number", "options": {"precision": "ten"}}, {"options.precision": ["schema_type"]}),
    ({"type": "picklist", "options": {}}, {"options.values": ["schema_required"]}),
    ({"type": "picklist", "options": {"values": [{"key": "a b", "labels": {"en": "A"}}]}},
     {"options.values.0.key": ["schema_pattern"]}),
    ({"type": "picklist", "options": {"values": [{"key": "a", "labels": {}}]}},
     {"options.values.0.labels": ["schema_minProperties"]}),
    ({"type": "picklist", "options": {"values": [*picklist_values("a", "b"), *picklist_values("a")]}},
     {"options": ["duplicate_key"]}),
    ({"type": "lookup", "options": {"target": "nothing"}}, {"options": ["unknown_object"]}),
    ({"type": "lookup", "options": {"target": "account", "on_delete": "explode"}}, {"options.on_delete": ["schema_enum"]}),
    ({"type": "lookup", "options": {}}, {"options.target": ["schema_required"]}),
    ({"type": "auto_number", "options": {"format": "X-{YYYY}"}}, {"options": ["invalid_format"]}),
    ({"type": "auto_number", "options": {"format": "X-{0000}-{00}"}}, {"options": ["invalid_format"]}),
    ({"type": "auto_number", "options": {"format": "X-{Q}-{0000}"}}, {"options": ["invalid_format"]}),
    ({"type": "formula", "options": {"formula": "1 +", "result_type": "number"}}, {"options.formula": ["syntax"]}),
    ({"type": "formula", "options": {"formula": "nope * 2", "result_type": "number"}},
     {"options.formula": ["unknown_reference"]}),
    ({"type": "formula", "options": {"formula": "name", "result_type": "number"}}, {"options.formula": ["type"]}),
    ({"type": "formula", "options": {"formula": "1"}}, {"options.result_type": ["schema_required"]}),
    ({"type": "rollup", "options": {"child_object": "contact", "child_field": "email", "function": "count"}},
     {"options": ["invalid_child_field"]}),
    ({"type": "file", "options": {"max_size_mb": 1000}}, {"options.max_size_mb": ["schema_maximum"]}),
])
def test_bad_options_are_refused_with_their_paths(gadget, spec, expected):
    response = _add(gadget, {"api_name": "broken", **spec})
    assert response.status_code == 400
    errors = errors_of(response)
    if "options.formula" in expected:  # the formula engine's own error codes
        assert list(errors) == ["options.formula"]
    else:
        assert errors == expected
    assert get_meta().objects["gadget"].field("broken") is None


def test_unknown_type_and_unsupported_flags_are_refused(gadget):
    api = gadget
    assert errors_of(_add(api, {"api_name": "broken", "type": "rainbow"})) == {"type": ["unknown_type"]}
    assert errors_of(_add(api, {"api_name": "broken", "type": "long_text", "unique": True})) == {
        "unique": ["unsupported"]}
    assert errors_of(_add(api, {"api_name": "broken", "type": "boolean", "required": True})) == {
        "required": ["unsupported"]}
    assert errors_of(_add(api, {"api_name": "broken", "type": "number", "default": "abc"})) == {
        "default": ["invalid_number"]}
    assert errors_of(_add(api, {"api_name": "broken", "type": "auto_number", "default": "X",
                                "options": {"format": "{0000}"}})) == {"default": ["unsupported"]}
    missing = api.post("objects/gadget/fields/", {"api_name": "broken", "type": "text"})
    assert missing.status_code == 400 and errors_of(missing) == {"labels": ["schema_required"]}


@pytest.mark.parametrize("name", ["id", "owner", "created_at", "version", "category", "data"])
def test_reserved_field_names_are_refused(gadget, name):
    response = _add(gadget, {"api_name": name, "type": "text"})
    assert response.status_code == 400 and errors_of(response)["api_name"] in (["reserved"], ["taken"])


def test_field_names_are_unique_even_after_a_delete(gadget):
    api = gadget
    assert _add(api, {"api_name": "code", "type": "text"}).status_code == 201
    assert errors_of(_add(api, {"api_name": "code", "type": "number"})) == {"api_name": ["taken"]}
    assert api.delete("objects/gadget/fields/code/").status_code == 204
    assert errors_of(_add(api, {"api_name": "code", "type": "number"})) == {"api_name": ["taken"]}


def test_non_admin_cannot_change_fields(gadget, user_api):
    _add(gadget, {"api_name": "code", "type": "text"})
    version = get_meta().version
    for response in (
        user_api.post("objects/gadget/fields/", {"api_name": "x1", "type": "text", "labels": labels("X")}),
        user_api.patch("objects/gadget/fields/code/", {"labels": labels("Renamed")}),
        user_api.delete("objects/gadget/fields/code/"),
        user_api.post("objects/gadget/fields/code/change-type/", {"type": "long_text", "dry_run": True}),
    ):
        assert response.status_code == 403, response.json()
    assert get_meta().version == version
    assert user_api.get("objects/gadget/fields/code/").json()["labels"] == labels("Code")


def test_update_field_changes_flags_and_refuses_immutable_properties(gadget, admin_a):
    api = gadget
    _add(api, {"api_name": "code", "type": "text"})
    response = api.patch("objects/gadget/fields/code/", {
        "labels": labels("Product code", "产品编码"), "help_text": {"en": "As printed"}, "required": True,
        "unique": True, "options": {"max_length": 30}, "position": 5})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["labels"] == {"en": "Product code", "zh-hans": "产品编码"} and body["help_text"] == {"en": "As printed"}
    assert body["required"] and body["unique"] and body["options"] == {"max_length": 30} and body["position"] == 5
    change = MetadataChange.objects.order_by("-id").first()
    assert change.action == "update" and change.before["labels"] == labels("Code")
    assert change.after["labels"]["en"] == "Product code"

    assert errors_of(api.patch("objects/gadget/fields/code/", {"type": "number", "api_name": "x"})) == {
        "type": ["immutable"], "api_name": ["immutable"]}
    system = api.patch("objects/gadget/fields/created_at/", {"required": True})
    assert system.status_code == 400 and errors_of(system) == {"required": ["system_field"]}
    relabel = api.patch("objects/gadget/fields/owner/", {"labels": labels("Account manager", "客户经理")})
    assert relabel.status_code == 200 and relabel.json()["labels"]["zh-hans"] == "客户经理"


def test_making_a_field_unique_is_refused_while_records_share_values(gadget, admin_a):
    api = gadget
    _add(api, {"api_name": "code", "type": "text"})
    for name in ("A", "B"):
        service.create_record("gadget", {"name": name, "code": "same"}, admin_a)
    response = api.patch("objects/gadget/fields/code/", {"unique": True})
    assert response.status_code == 400 and errors_of(response) == {"unique": ["duplicates"]}
    assert "same" in response.json()["errors"]["unique"][0]["message"]


def test_deleted_field_disappears_and_restore_brings_its_values_back(gadget, admin_a):
    api = gadget
    _add(api, {"api_name": "code", "type": "text", "indexed": True})
    record = service.create_record("gadget", {"name": "G1", "code": "A-1"}, admin_a)

    assert api.delete("objects/gadget/fields/code/").status_code == 204

    assert "code" not in {f["api_name"] for f in api.get("objects/gadget/fields/").json()}
    assert api.get("objects/gadget/fields/code/").status_code == 404
    with_deleted = {f["api_name"]: f for f in api.get("objects/gadget/fields/", deleted="true").json()}
    assert with_deleted["code"]["deleted"] is True and with_deleted["name"]["deleted"] is False
    assert "code" not in service.get_record("gadget", record.id, admin_a).values
    with pytest.raises(ValidationFailed) as refused:
        service.create_record("gadget", {"name": "G2", "code": "B"}, admin_a)
    assert refused.value.field_errors["code"][0].code == "unknown_field"
    assert MetadataChange.objects.order_by("-id").first().action == "delete"
    # a second delete: the field is gone
    assert api.delete("objects/gadget/fields/code/").status_code == 404

    restored = api.post("objects/gadget/fields/code/restore/")
    assert restored.status_code == 200 and restored.json()["deleted"] is False
    assert service.get_record("gadget", record.id, admin_a).values["code"] == "A-1"
    page = service.list_records("gadget", admin_a, filters=[("code", "A-1")])  # its index/slot works again
    assert [r.id for r in page.records] == [record.id]
    assert api.post("objects/gadget/fields/code/restore/").status_code == 404  # not deleted any more


def test_system_fields_cannot_be_deleted(gadget):
    api = gadget
    for name in ("name", "owner", "created_at"):
        response = api.delete(f"objects/gadget/fields/{name}/")
        assert response.status_code == 400 and non_field_codes(response) == ["system_field"]
    standard = api.delete("objects/account/fields/account_number/")  # a standard object's own field
    assert standard.status_code == 400 and "system_field" in non_field_codes(standard)
    assert api.get("objects/account/fields/account_number/").status_code == 200


def test_fields_in_use_cannot_be_deleted(gadget):
    api = gadget
    _add(api, {"api_name": "price", "type": "number"})
    _add(api, {"api_name": "double_price", "type": "formula", "options": {"formula": "price * 2",
                                                                          "result_type": "number"}})
    _add(api, {"api_name": "level", "type": "picklist", "options": {"values": picklist_values("low", "high")}})
    _add(api, {"api_name": "grade", "type": "picklist", "options": {
        "values": picklist_values("a", "b"), "controlling_field": "level", "dependency": {"low": ["b"], "high": ["a"]}}})
    _add(api, {"api_name": "code", "type": "text"})
    api.patch("objects/gadget/", {"duplicate_rules": [{"api_name": "same_code", "fields": ["code"]}]})
    _add(api, {"api_name": "account", "type": "lookup", "options": {"target": "account"}})
    _add(api, {"api_name": "gadget_count", "type": "rollup", "options": {
        "child_object": "gadget", "child_field": "account", "function": "count"}}, obj="account")

    for name, where in (("price", "double_price"), ("level", "grade"), ("code", "same_code"),
                        ("account", "gadget_count")):
        response = api.delete(f"objects/gadget/fields/{name}/")
        assert response.status_code == 400, name
        [error] = response.json()["non_field_errors"]
        assert error["code"] == "in_use" and where in error["message"]
        assert api.get(f"objects/gadget/fields/{name}/").status_code == 200
    # the dependent ones go first, then the rest may
    assert api.delete("objects/gadget/fields/double_price/").status_code == 204
    assert api.delete("objects/gadget/fields/price/").status_code == 204


def test_field_endpoints_404_for_unknown_fields(gadget):
    api = gadget
    for response in (api.get("objects/gadget/fields/nope/"), api.patch("objects/gadget/fields/nope/", {"hidden": True}),
                     api.delete("objects/gadget/fields/nope/"), api.post("objects/gadget/fields/nope/restore/"),
                     api.post("objects/gadget/fields/nope/change-type/", {"type": "number"})):
        assert response.status_code == 404 and non_field_codes(response) == ["unknown_field"]


def test_fields_used_by_rules_or_other_objects_formulas_cannot_be_deleted(gadget, admin_a):
    api = gadget
    _add(api, {"api_name": "code", "type": "text"})
    _add(api, {"api_name": "legacy", "type": "text"})
    _add(api, {"api_name": "account", "type": "lookup", "options": {"target": "account"}})
    _add(api, {"api_name": "account_name", "type": "formula", "options": {"formula": "account.name",
                                                                           "result_type": "text"}})
    _add(api, {"api_name": "tier", "type": "text"}, obj="account")
    _add(api, {"api_name": "account_tier", "type": "formula", "options": {"formula": "account.tier",
                                                                           "result_type": "text"}}, obj="contact")
    assert api.patch("objects/gadget/", {
        "validation_rules": [{"api_name": "code_needed", "formula": "ISBLANK(code)", "message": {"en": "Code!"}}],
        "duplicate_rules": [{"api_name": "old_rule", "fields": ["legacy"], "active": False}],
    }).status_code == 200

    for url, where in (("objects/gadget/fields/code/", "code_needed"),  # a validation rule
                       ("objects/gadget/fields/legacy/", "old_rule"),  # an inactive duplicate rule
                       ("objects/gadget/fields/account/", "account_name"),  # the lookup a formula goes through
                       ("objects/account/fields/tier/", "contact.account_tier")):  # another object's formula
        response = api.delete(url)
        assert response.status_code == 400, url
        [error] = response.json()["non_field_errors"]
        assert error["code"] == "in_use" and where in error["message"], error
    # records keep working: nothing was deleted
    with pytest.raises(ValidationFailed):
        service.create_record("gadget", {"name": "No code"}, admin_a)
    assert service.create_record("gadget", {"name": "Coded", "code": "C"}, admin_a).values["code"] == "C"


def test_a_deleted_field_leaves_no_reference_behind_and_comes_back_on_restore(gadget, admin_a):
    api = gadget
    _add(api, {"api_name": "code", "type": "text"})
    _add(api, {"api_name": "size", "type": "picklist", "options": {"values": picklist_values("s", "m")}})
    _add(api, {"api_name": "account", "type": "lookup", "options": {"target": "account"}})
    assert api.patch("objects/gadget/list-views/all/", {
        "columns": ["name", "code", "size"], "sort": ["-code", "name"],
        "filters": {"code__startswith": "A", "size": "s"}}).status_code == 200
    assert api.post("objects/gadget/list-views/", {"api_name": "codes", "columns": ["code"]}).status_code == 201
    assert api.post("objects/gadget/categories/", {"api_name": "big", "labels": labels("Big"),
                                                   "required_fields": ["code", "name"], "fields": ["code", "size"],
                                                   "picklist_values": {"size": ["m"]}}).status_code == 201
    view = api.get("objects/account/layouts/default_view/").json()
    related = [*view["related_lists"], {"object": "gadget", "field": "account", "columns": ["name", "code"],
                                        "sort": ["code"]}]
    assert api.patch("objects/account/layouts/default_view/", {"related_lists": related}).status_code == 200

    assert api.delete("objects/gadget/fields/code/").status_code == 204

    for name in ("default_edit", "default_view"):
        items = api.get(f"objects/gadget/layouts/{name}/").json()["sections"][0]["items"]
        assert "code" not in [i["field"] for i in items] and "size" in [i["field"] for i in items]
    all_view = api.get("objects/gadget/list-views/all/").json()
    assert (all_view["columns"], all_view["sort"], all_view["filters"]) == (["name", "size"], ["name"], {"size": "s"})
    assert api.get("objects/gadget/list-views/codes/").json()["columns"] == ["name"]
    big = api.get("objects/gadget/categories/big/").json()
    assert (big["required_fields"], big["fields"], big["picklist_values"]) == (["name"], ["size"], {"size": ["m"]})
    gadgets = [r for r in api.get("objects/account/layouts/default_view/").json()["related_lists"]
               if r["object"] == "gadget"]
    assert gadgets == [{"object": "gadget", "field": "account", "columns": ["name"], "sort": []}]
    # each definition stays valid for its next change
    assert api.patch("objects/gadget/layouts/default_edit/", {"labels": labels("Edit")}).status_code == 200
    assert api.patch("objects/gadget/list-views/all/", {"labels": labels("Everything")}).status_code == 200
    assert api.patch("objects/gadget/categories/big/", {"labels": labels("Large")}).status_code == 200
    assert service.create_record("gadget", {"name": "Big one", "category": "big", "size": "m"}, admin_a)

    # deleting the lookup takes the related list off account's layout
    assert api.delete("objects/gadget/fields/account/").status_code == 204
    assert not [r for r in api.get("objects/account/layouts/default_view/").json()["related_lists"]
                if r["object"] == "gadget"]

    restored = api.post("objects/gadget/fields/code/restore/")
    assert restored.status_code == 200
    items = api.get("objects/gadget/layouts/default_edit/").json()["sections"][0]["items"]
    assert [i["field"] for i in items].count("code") == 1  # back on the layouts
