"""Objects through the API: create (storage, defaults, version, history), refusals, reading, changes."""

from __future__ import annotations

import pytest
from django.db import connection

from metadata.cache import get_meta
from metadata.models import MetadataChange, ObjectDef
from tests.helpers.metadata_api import errors_of, labels, non_field_codes

pytestmark = pytest.mark.django_db

GADGET = {
    "api_name": "gadget",
    "labels": {"en": {"singular": "Gadget", "plural": "Gadgets"}, "zh-hans": {"singular": "小工具"}},
    "description": "Things we sell.",
    "icon": "box",
}


def _partition_of(object_id: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass('record') AND c.relname = %s", [f"record_o{object_id}"])
        row = cursor.fetchone()
    return row[0] if row else None


def test_create_object_builds_storage_defaults_version_and_history(api, admin_a):
    before = get_meta().version

    response = api.post("objects/", GADGET)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["api_name"] == "gadget" and body["is_standard"] is False
    assert body["labels"] == GADGET["labels"]  # every language, the UI picks
    assert body["description"] == "Things we sell." and body["icon"] == "box"
    assert body["name_field"] == "name"
    fields = {f["api_name"]: f for f in body["fields"]}
    assert set(fields) == {"name", "owner", "created_by", "created_at", "updated_by", "updated_at"}
    assert fields["name"]["required"] and fields["name"]["is_system"] and fields["name"]["writable"]
    assert not fields["created_at"]["writable"]
    assert body["field_count"] == 6
    # default layouts (edit and view) and the shared "all" list view
    layouts = {layout["api_name"]: layout for layout in body["layouts"]}
    assert {(n, v["kind"], v["is_default"]) for n, v in layouts.items()} == {
        ("default_edit", "edit", True), ("default_view", "view", True)}
    assert [i["field"] for i in layouts["default_edit"]["sections"][0]["items"]] == ["name", "owner"]
    assert [(v["api_name"], v["shared"]) for v in body["list_views"]] == [("all", True)]

    obj = get_meta().objects["gadget"]
    assert _partition_of(obj.id) == obj.table == f"record_o{obj.id}"
    assert get_meta().version == body["metadata_version"] == before + 1
    change = MetadataChange.objects.order_by("-id").first()
    assert (change.version, change.entity, change.action, change.entity_id) == (before + 1, "object", "create", obj.id)
    assert change.changed_by_id == admin_a.pk
    assert change.before is None and change.after == GADGET


def test_created_object_is_listed_and_readable(api):
    api.post("objects/", GADGET)

    listed = {o["api_name"]: o for o in api.get("objects/").json()}
    assert {"account", "contact", "lead", "opportunity", "activity", "gadget"} <= set(listed)
    assert listed["gadget"] == {"api_name": "gadget", "labels": GADGET["labels"], "description": "Things we sell.",
                                "icon": "box", "is_standard": False, "name_field": "name", "sharing_model": "public_read_write",
                                "field_count": 6}
    assert listed["account"]["is_standard"] is True
    detail = api.get("objects/gadget/").json()
    assert detail["api_name"] == "gadget" and len(detail["fields"]) == 6


@pytest.mark.parametrize("name", ["records", "user", "api", "fields", "schema"])
def test_reserved_object_names_are_refused(api, name):
    response = api.post("objects/", {**GADGET, "api_name": name})
    assert response.status_code == 400
    assert errors_of(response) == {"api_name": ["reserved"]}
    assert get_meta().object(name) is None


@pytest.mark.parametrize("name", ["Gadget", "g", "1gadget", "gad__get", "gadget_", "gad-get", "a" * 64, "商品"])
def test_invalid_object_names_are_refused_with_a_field_error(api, name):
    response = api.post("objects/", {**GADGET, "api_name": name})
    assert response.status_code == 400
    assert errors_of(response) == {"api_name": ["schema_pattern"]}
    assert response.json()["errors"]["api_name"][0]["message"]


def test_every_schema_error_is_reported_at_once(api):
    response = api.post("objects/", {"api_name": "Bad", "labels": {"fr": {"singular": "x"}}, "colour": "red"})
    assert response.status_code == 400
    errors = errors_of(response)
    assert errors["api_name"] == ["schema_pattern"]
    assert "labels" in errors
    assert "schema_additionalProperties" in non_field_codes(response)  # the unknown "colour"


def test_duplicate_object_name_is_refused(api):
    assert api.post("objects/", GADGET).status_code == 201
    response = api.post("objects/", GADGET)
    assert response.status_code == 400 and errors_of(response) == {"api_name": ["taken"]}
    standard = api.post("objects/", {**GADGET, "api_name": "account"})
    assert standard.status_code == 400 and errors_of(standard) == {"api_name": ["taken"]}


def test_non_admin_cannot_create_and_nothing_changes(user_api, admin_a):
    before = get_meta().version
    changes = MetadataChange.objects.count()

    response = user_api.post("objects/", GADGET)

    assert response.status_code == 403
    assert non_field_codes(response) == ["no_customise_right"]
    assert not ObjectDef.objects.filter(api_name="gadget").exists()
    assert get_meta().version == before and MetadataChange.objects.count() == changes
    # …but may read metadata
    assert user_api.get("objects/").status_code == 200
    assert user_api.get("objects/account/").status_code == 200


def test_anonymous_requests_are_refused(client_a):
    assert client_a.get("/api/v1/meta/objects/").status_code == 403
    assert client_a.post("/api/v1/meta/objects/", GADGET, content_type="application/json").status_code == 403


def test_body_must_be_a_json_object(api):
    for body in ([GADGET], "gadget", 3):
        response = api.post("objects/", body)
        assert response.status_code == 400 and non_field_codes(response) == ["invalid"]
    form = api.client.post("/api/v1/meta/objects/", {"api_name": "gadget"})  # form-encoded
    assert form.status_code == 415


def test_update_object_labels_and_rules(api, admin_a):
    api.post("objects/", GADGET)
    api.post("objects/gadget/fields/", {"api_name": "code", "type": "text", "labels": labels("Code")})
    before = get_meta().version

    response = api.patch("objects/gadget/", {
        "labels": {"en": {"singular": "Widget"}, "zh-hans": {"singular": "部件"}},
        "duplicate_rules": [{"api_name": "same_code", "fields": ["code"], "action": "block"}],
    })

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["labels"] == {"en": {"singular": "Widget"}, "zh-hans": {"singular": "部件"}}
    assert body["duplicate_rules"] == [{"api_name": "same_code", "fields": ["code"], "action": "block"}]
    assert body["description"] == "Things we sell."  # untouched
    assert get_meta().version == before + 1
    change = MetadataChange.objects.order_by("-id").first()
    assert change.action == "update" and change.before["labels"] == GADGET["labels"]
    assert change.after["labels"]["en"] == {"singular": "Widget"}


def test_update_object_refuses_fixed_properties_and_bad_rules(api):
    api.post("objects/", GADGET)
    response = api.patch("objects/gadget/", {"api_name": "other", "name_field": {"api_name": "title"}})
    assert response.status_code == 400 and errors_of(response) == {"api_name": ["immutable"],
                                                                     "name_field": ["immutable"]}
    response = api.patch("objects/gadget/", {"duplicate_rules": [{"api_name": "r", "fields": ["nope"]}]})
    assert response.status_code == 400
    response = api.patch("objects/gadget/", {"duplicate_rules": [{"api_name": "rule", "fields": ["nope"]}]})
    assert errors_of(response) == {"duplicate_rules.0.fields": ["invalid_field"]}
    response = api.patch("objects/gadget/", {"validation_rules": [
        {"api_name": "bad", "formula": "nope > 1", "message": {"en": "Bad"}}]})
    assert response.status_code == 400 and list(errors_of(response)) == ["validation_rules.0.formula"]


def test_unknown_object_is_404(api):
    for response in (api.get("objects/nothing/"), api.patch("objects/nothing/", {"icon": "x"}),
                     api.get("objects/nothing/fields/"), api.post("objects/nothing/fields/", {
                         "api_name": "x1", "type": "text", "labels": labels("X")})):
        assert response.status_code == 404, response.json()
        assert non_field_codes(response) == ["unknown_object"]


def test_metadata_of_another_tenant_is_never_visible(api, tenant_b, tenant_a):
    from metadata.services import create_object
    from tessera.security.access import SYSTEM

    connection.set_tenant(tenant_b)
    create_object({"api_name": "secret", "labels": {"en": {"singular": "Secret"}}}, SYSTEM)
    assert get_meta().object("secret") is not None
    connection.set_tenant(tenant_a)

    assert api.get("objects/secret/").status_code == 404
    assert api.get("objects/secret/fields/").status_code == 404
    assert "secret" not in {o["api_name"] for o in api.get("objects/").json()}
    assert api.get("changes/").json()["results"][0]["after"] != {"api_name": "secret"}
    assert all(c["after"] is None or c["after"].get("api_name") != "secret"
               for c in api.get("changes/", limit=200).json()["results"])
    # the same name is free in tenant A
    assert api.post("objects/", {"api_name": "secret", "labels": {"en": {"singular": "Mine"}}}).status_code == 201
