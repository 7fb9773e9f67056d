"""Picklist values (relabel, reorder, deactivate, add) and cascading picklists, through the API,
enforced by the records service."""

from __future__ import annotations

import pytest
from django.db import connection

from metadata.cache import get_meta
from metadata.models import MetadataChange
from tessera.errors import ValidationFailed
from tessera.records import service
from tests.helpers.metadata_api import errors_of, labels, non_field_codes, picklist_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def gadget(api):
    assert api.post("objects/", {"api_name": "gadget", "labels": {"en": {"singular": "Gadget"}}}).status_code == 201
    for spec in (
        {"api_name": "size", "type": "picklist", "options": {"values": picklist_values("s", "m", "l")}},
        {"api_name": "tags", "type": "multi_picklist", "options": {"values": picklist_values("new", "hot", "sale")}},
        {"api_name": "level", "type": "picklist", "options": {"values": picklist_values("low", "high")}},
        {"api_name": "grade", "type": "picklist", "options": {"values": picklist_values("a", "b", "c")}},
        {"api_name": "premium", "type": "boolean"},
        {"api_name": "code", "type": "text"},
    ):
        response = api.post("objects/gadget/fields/", {"labels": labels(spec["api_name"].title()), **spec})
        assert response.status_code == 201, response.json()
    return api


def _stored(object_api_name: str, record_id: int, field_api_name: str):
    obj = get_meta().objects[object_api_name]
    key = obj.field(field_api_name).key
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT data ->> %s, ctid::text FROM "{obj.table}" WHERE id = %s', [key, record_id])
        return cursor.fetchone()


def _codes(exc_info, field: str) -> list[str]:
    return [d.code for d in exc_info.value.field_errors.get(field, [])]


# --- values -------------------------------------------------------------------------------------


def test_relabel_and_reorder_values_keep_records_untouched_and_valid(gadget, admin_a):
    api = gadget
    record = service.create_record("gadget", {"name": "G1", "size": "m", "tags": ["hot"]}, admin_a)
    stored_before = _stored("gadget", record.id, "size")
    version = get_meta().version

    new_values = [
        {"key": "l", "labels": labels("Large", "大")},
        {"key": "m", "labels": labels("Medium", "中"), "color": "#00aa00"},
        {"key": "s", "labels": labels("Small", "小")},
    ]
    response = api.put("objects/gadget/fields/size/values/", {"values": new_values})

    assert response.status_code == 200, response.json()
    assert response.json() == {"field": "size", "values": new_values}
    assert api.get("objects/gadget/fields/size/values/").json()["values"] == new_values
    assert api.get("objects/gadget/fields/size/").json()["options"]["values"] == new_values
    assert get_meta().version == version + 1
    change = MetadataChange.objects.order_by("-id").first()
    assert [v["key"] for v in change.before["options"]["values"]] == ["s", "m", "l"]
    assert [v["key"] for v in change.after["options"]["values"]] == ["l", "m", "s"]
    # the record was not rewritten: same stored key, same row version
    assert _stored("gadget", record.id, "size") == stored_before == ("m", stored_before[1])
    assert service.get_record("gadget", record.id, admin_a).values["size"] == "m"
    # and is still valid on update, with its value kept or changed
    assert service.update_record("gadget", record.id, {"name": "G1 renamed"}, admin_a).values["size"] == "m"
    assert service.update_record("gadget", record.id, {"size": "l"}, admin_a).values["size"] == "l"
    assert service.update_record("gadget", record.id, {"size": "m"}, admin_a).values["size"] == "m"


def test_deactivated_value_keeps_records_valid_but_cannot_be_chosen(gadget, admin_a):
    api = gadget
    holder = service.create_record("gadget", {"name": "Holder", "size": "m", "tags": ["new", "hot"]}, admin_a)
    other = service.create_record("gadget", {"name": "Other", "size": "s"}, admin_a)

    values = api.get("objects/gadget/fields/size/values/").json()["values"]
    values[1]["active"] = False
    assert api.put("objects/gadget/fields/size/values/", values).status_code == 200  # the bare list works too
    tags = api.get("objects/gadget/fields/tags/values/").json()["values"]
    tags[1]["active"] = False
    assert api.put("objects/gadget/fields/tags/values/", {"values": tags}).status_code == 200
    assert api.get("objects/gadget/fields/size/values/").json()["values"][1] == {
        "key": "m", "labels": labels("M"), "active": False}

    # existing records stay valid: other changes, and sending the value back unchanged, pass
    kept = service.update_record("gadget", holder.id, {"name": "Holder 2", "size": "m", "tags": ["new", "hot"]}, admin_a)
    assert kept.values["size"] == "m" and kept.values["tags"] == ("new", "hot")
    # but nobody may choose the inactive value any more
    with pytest.raises(ValidationFailed) as refused:
        service.create_record("gadget", {"name": "New", "size": "m"}, admin_a)
    assert _codes(refused, "size") == ["invalid_choice"]
    with pytest.raises(ValidationFailed) as refused:
        service.update_record("gadget", other.id, {"size": "m"}, admin_a)
    assert _codes(refused, "size") == ["invalid_choice"]
    with pytest.raises(ValidationFailed) as refused:
        service.create_record("gadget", {"name": "New", "tags": ["hot", "sale"]}, admin_a)
    assert _codes(refused, "tags") == ["invalid_choice"]
    # reactivating brings it back
    values[1]["active"] = True
    api.put("objects/gadget/fields/size/values/", {"values": values})
    assert service.update_record("gadget", other.id, {"size": "m"}, admin_a).values["size"] == "m"


def test_added_value_can_be_chosen_at_once(gadget, admin_a):
    api = gadget
    values = api.get("objects/gadget/fields/size/values/").json()["values"]
    values.append({"key": "xl", "labels": labels("Extra large", "特大")})
    assert api.put("objects/gadget/fields/size/values/", {"values": values}).status_code == 200
    assert service.create_record("gadget", {"name": "Big", "size": "xl"}, admin_a).values["size"] == "xl"


def test_bad_value_lists_are_refused(gadget):
    api = gadget
    url = "objects/gadget/fields/size/values/"
    duplicate = api.put(url, {"values": [*picklist_values("s", "m"), {"key": "s", "labels": labels("Again")}]})
    assert duplicate.status_code == 400 and errors_of(duplicate) == {"options": ["duplicate_key"]}
    assert "s" in duplicate.json()["errors"]["options"][0]["message"]
    assert errors_of(api.put(url, {"values": [{"key": "ok"}]})) == {"options.values.0.labels": ["schema_required"]}
    assert errors_of(api.put(url, {"values": [{"key": "bad key", "labels": labels("B")}]})) == {
        "options.values.0.key": ["schema_pattern"]}
    assert errors_of(api.put(url, {"values": [{"key": "c", "labels": labels("C"), "color": "red"}]})) == {
        "options.values.0.color": ["schema_pattern"]}
    assert errors_of(api.put(url, {"values": "s,m"})) == {"values": ["invalid"]}
    assert errors_of(api.put(url, {})) == {"values": ["required"]}
    assert non_field_codes(api.put(url, "s")) == ["invalid"]
    # nothing changed
    assert [v["key"] for v in api.get(url).json()["values"]] == ["s", "m", "l"]


def test_values_endpoints_exist_only_for_picklists(gadget, user_api):
    api = gadget
    for url in ("objects/gadget/fields/code/values/", "objects/gadget/fields/code/dependency/"):
        response = api.get(url)
        assert response.status_code == 404 and non_field_codes(response) == ["not_a_picklist"]
    assert api.get("objects/gadget/fields/nope/values/").status_code == 404
    # reading is for everyone, changing for administrators
    assert user_api.get("objects/gadget/fields/size/values/").status_code == 200
    refused = user_api.put("objects/gadget/fields/size/values/", {"values": picklist_values("x")})
    assert refused.status_code == 403
    assert [v["key"] for v in api.get("objects/gadget/fields/size/values/").json()["values"]] == ["s", "m", "l"]


# --- cascades -----------------------------------------------------------------------------------


def test_dependency_can_be_set_read_and_removed(gadget, admin_a):
    api = gadget
    url = "objects/gadget/fields/grade/dependency/"
    assert api.get(url).json() == {"field": "grade", "controlling_field": None, "dependency": None}

    body = {"controlling_field": "level", "dependency": {"low": ["c"], "high": ["a", "b"]}}
    response = api.put(url, body)

    assert response.status_code == 200, response.json()
    assert response.json() == {"field": "grade", **body}
    assert api.get(url).json() == {"field": "grade", **body}
    assert [v["key"] for v in api.get("objects/gadget/fields/grade/values/").json()["values"]] == ["a", "b", "c"]
    with pytest.raises(ValidationFailed) as refused:
        service.create_record("gadget", {"name": "G", "level": "low", "grade": "a"}, admin_a)
    assert _codes(refused, "grade") == ["invalid_dependent_value"]
    assert service.create_record("gadget", {"name": "G", "level": "low", "grade": "c"}, admin_a).values["grade"] == "c"

    assert api.delete(url).status_code == 204
    assert api.get(url).json()["controlling_field"] is None
    assert service.create_record("gadget", {"name": "G2", "level": "low", "grade": "a"}, admin_a).values["grade"] == "a"
    assert api.delete(url).status_code == 404


def test_editors_changing_different_options_keep_each_others_change(gadget, admin_a, monkeypatch):
    """One editor sends new values while another has just set the dependency: the values request
    read the field before the dependency was saved, and must not write its stale options back."""
    from metadata.api.views import fields as field_views

    api = gadget
    stale = get_meta().objects["gadget"].fields_by_name["grade"]  # what the values request read
    dependency = {"controlling_field": "level", "dependency": {"low": ["c"], "high": ["a", "b"]}}
    assert api.put("objects/gadget/fields/grade/dependency/", dependency).status_code == 200
    monkeypatch.setattr(field_views, "_picklist", lambda *_args: stale)

    values = picklist_values("a", "b", "c", "d")
    assert api.put("objects/gadget/fields/grade/values/", {"values": values}).status_code == 200

    monkeypatch.undo()
    assert [v["key"] for v in api.get("objects/gadget/fields/grade/values/").json()["values"]] == ["a", "b", "c", "d"]
    assert api.get("objects/gadget/fields/grade/dependency/").json() == {"field": "grade", **dependency}


def test_checkbox_can_control_a_picklist(gadget, admin_a):
    api = gadget
    response = api.put("objects/gadget/fields/grade/dependency/", {
        "controlling_field": "premium", "dependency": {"true": ["a"], "false": ["b", "c"]}})
    assert response.status_code == 200, response.json()
    assert service.create_record("gadget", {"name": "P", "premium": True, "grade": "a"}, admin_a)
    with pytest.raises(ValidationFailed) as refused:
        service.create_record("gadget", {"name": "Q", "premium": False, "grade": "a"}, admin_a)
    assert _codes(refused, "grade") == ["invalid_dependent_value"]
    bad = api.put("objects/gadget/fields/grade/dependency/", {
        "controlling_field": "premium", "dependency": {"yes": ["a"]}})
    assert errors_of(bad) == {"options": ["unknown_value"]}


@pytest.mark.parametrize(("body", "code"), [
    ({"controlling_field": "code", "dependency": {}}, "invalid_controller"),  # a text field
    ({"controlling_field": "industry", "dependency": {}}, "invalid_controller"),  # a field of another object
    ({"controlling_field": "nothing", "dependency": {}}, "invalid_controller"),
    ({"controlling_field": "grade", "dependency": {}}, "invalid_controller"),  # itself
    ({"controlling_field": "tags", "dependency": {}}, "invalid_controller"),  # multi-select cannot control
    ({"controlling_field": "level", "dependency": {"medium": ["a"]}}, "unknown_value"),  # unknown controlling key
    ({"controlling_field": "level", "dependency": {"low": ["z"]}}, "unknown_value"),  # unknown dependent key
])
def test_invalid_dependencies_are_refused(gadget, body, code):
    response = gadget.put("objects/gadget/fields/grade/dependency/", body)
    assert response.status_code == 400
    assert errors_of(response) == {"options": [code]}
    assert gadget.get("objects/gadget/fields/grade/dependency/").json()["controlling_field"] is None


def test_dependency_body_shape_is_checked(gadget):
    url = "objects/gadget/fields/grade/dependency/"
    assert errors_of(gadget.put(url, {"controlling_field": "level"})) == {"dependency": ["required"]}
    assert errors_of(gadget.put(url, {"controlling_field": 3, "dependency": []})) == {
        "controlling_field": ["invalid"], "dependency": ["invalid"]}


def test_cascade_cycles_are_refused(gadget):
    api = gadget
    assert api.put("objects/gadget/fields/grade/dependency/", {
        "controlling_field": "level", "dependency": {"low": ["a"]}}).status_code == 200
    two = api.put("objects/gadget/fields/level/dependency/", {
        "controlling_field": "grade", "dependency": {"a": ["low"]}})
    assert two.status_code == 400 and errors_of(two) == {"options": ["cascade_cycle"]}
    assert api.put("objects/gadget/fields/size/dependency/", {
        "controlling_field": "grade", "dependency": {"a": ["s"]}}).status_code == 200
    three = api.put("objects/gadget/fields/level/dependency/", {
        "controlling_field": "size", "dependency": {"s": ["low"]}})
    assert three.status_code == 400 and errors_of(three) == {"options": ["cascade_cycle"]}


def test_country_province_city_chain_is_enforced_by_the_records_service(admin_a):
    def create(**values):
        return service.create_record("account", {"name": f"Chain {sorted(values.items())}", **values}, admin_a)

    with pytest.raises(ValidationFailed) as refused:
        create(country="us", province="guangdong")
    assert _codes(refused, "province") == ["invalid_dependent_value"]
    assert "guangdong" not in refused.value.field_errors  # the error names the dependent field
    with pytest.raises(ValidationFailed) as refused:
        create(country="cn", province="guangdong", city="beijing")
    assert _codes(refused, "city") == ["invalid_dependent_value"] and "province" not in refused.value.field_errors
    with pytest.raises(ValidationFailed) as refused:
        create(province="beijing")  # no country: no province allowed
    assert _codes(refused, "province") == ["invalid_dependent_value"]

    record = create(country="cn", province="guangdong", city="shenzhen")
    assert (record.values["country"], record.values["province"], record.values["city"]) == ("cn", "guangdong", "shenzhen")

    # changing the controller re-checks the dependent
    with pytest.raises(ValidationFailed) as refused:
        service.update_record("account", record.id, {"country": "us"}, admin_a)
    assert _codes(refused, "province") == ["invalid_dependent_value"]
    with pytest.raises(ValidationFailed) as refused:
        service.update_record("account", record.id, {"province": "zhejiang"}, admin_a)
    assert _codes(refused, "city") == ["invalid_dependent_value"]
    moved = service.update_record("account", record.id, {"country": "us", "province": "california",
                                                         "city": "los_angeles"}, admin_a)
    assert moved.values["city"] == "los_angeles"
    cleared = service.update_record("account", record.id, {"country": "sg", "province": None, "city": None}, admin_a)
    assert cleared.values.get("province") is None and cleared.values["country"] == "sg"


def test_a_controlling_value_still_used_by_a_dependency_cannot_be_removed(api):
    response = api.put("objects/account/fields/country/values/", {"values": [
        {"key": "cn", "labels": labels("China", "中国")}, {"key": "us", "labels": labels("United States", "美国")},
        {"key": "other", "labels": labels("Other", "其他")}]})  # "sg" left out: province depends on it
    assert response.status_code == 400 and errors_of(response) == {"options": ["in_use"]}
    assert "province" in response.json()["errors"]["options"][0]["message"]
    assert [v["key"] for v in api.get("objects/account/fields/country/values/").json()["values"]] == [
        "cn", "us", "sg", "other"]
