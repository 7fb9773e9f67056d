"""Reference endpoints: the JSON Schemas served are the files the server validates with, the field
types with their capabilities, the change history (administrators, keyset pages), the OpenAPI."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from metadata import schemas
from metadata.fieldtypes import field_types
from metadata.labels import in_every_language, with_language_properties
from tests.helpers.metadata_api import errors_of, labels, non_field_codes, picklist_values

pytestmark = pytest.mark.django_db


def test_schemas_are_listed_and_served_exactly_as_the_files(api):
    listed = api.get("schemas/").json()
    assert [s["kind"] for s in listed] == list(schemas.KINDS)
    for entry in listed:
        served = api.get(entry["url"])
        assert served.status_code == 200
        if entry["kind"] != "field":
            on_disk = json.loads((schemas.SCHEMA_DIR / f"{entry['kind']}.json").read_text())
            assert served.json() == with_language_properties(on_disk)  # labels: one property per UI language
        assert entry["title"] == served.json()["title"]
    missing = api.get("schemas/nothing/")
    assert missing.status_code == 404 and non_field_codes(missing) == ["unknown_schema"]


def test_field_schema_attaches_every_types_options(api):
    served = api.get("schemas/field/").json()
    on_disk = json.loads((schemas.SCHEMA_DIR / "field.json").read_text())
    assert {k: v for k, v in served["properties"].items() if k != "type"} == {
        k: v for k, v in on_disk["properties"].items() if k != "type"}
    assert served["properties"]["type"] == {"enum": sorted(field_types.keys())}
    by_type = {rule["if"]["properties"]["type"]["const"]: rule["then"]["properties"]["options"]
               for rule in served["allOf"]}
    assert by_type == {key: t.options_schema for key, t in field_types.items()}


def test_served_schemas_reject_what_the_server_rejects(api):
    """A client validating with the served documents reaches the server's verdict before sending."""
    documents = {kind: api.get(f"schemas/{kind}/").json() for kind in schemas.KINDS}
    registry = Registry().with_resources((f"{k}.json", Resource.from_contents(d)) for k, d in documents.items())
    field = Draft202012Validator(documents["field"], registry=registry)
    good = {"api_name": "size", "type": "picklist", "labels": labels("Size"),
            "options": {"values": picklist_values("s", "m")}}
    bad_options = {**good, "options": {"values": [{"key": "s"}]}}
    unknown_type = {**good, "type": "rainbow"}
    assert field.is_valid(good)
    assert not field.is_valid(bad_options) and not field.is_valid(unknown_type)

    assert api.post("objects/", {"api_name": "gadget", "labels": {"en": {"singular": "Gadget"}}}).status_code == 201
    assert api.post("objects/gadget/fields/", bad_options).status_code == 400
    assert api.post("objects/gadget/fields/", unknown_type).status_code == 400
    assert api.post("objects/gadget/fields/", good).status_code == 201

    layout = Draft202012Validator(documents["layout"], registry=registry)
    assert not layout.is_valid({"api_name": "x1", "kind": "edit", "sections": [{"columns": 4, "items": []}]})


def test_field_types_describe_every_registered_type(user_api):
    served = {t["key"]: t for t in user_api.get("field-types/").json()}
    assert set(served) == set(field_types.keys())
    for key, field_type in field_types.items():
        entry = served[key]
        assert entry["labels"] == in_every_language(field_type.label) and set(entry["labels"]) == {"zh-hans", "en"}
        assert entry["capabilities"] == {
            "supports_unique": field_type.supports_unique, "supports_required": field_type.supports_required,
            "supports_default": field_type.supports_default, "sortable": field_type.sortable,
            "filter_ops": sorted(field_type.filter_ops), "computed": field_type.computed}
        assert entry["options_schema"] == field_type.options_schema
        assert entry["converts_to"] == sorted(field_type.converts_to) and set(entry["converts_to"]) <= set(served)
    assert served["text"]["labels"] == {"zh-hans": "文本", "en": "Text"}
    assert served["text"]["capabilities"]["supports_unique"] is True
    assert served["formula"]["capabilities"]["computed"] is True
    assert "number" in served["text"]["converts_to"]
    assert served["picklist"]["options_schema"]["required"] == ["values"]


def test_change_history_pages_newest_first_for_administrators(api, user_api, admin_a):
    api.post("objects/", {"api_name": "gadget", "labels": {"en": {"singular": "Gadget"}}})
    for name in ("one", "two", "three"):
        api.post("objects/gadget/fields/", {"api_name": name, "type": "text", "labels": labels(name)})

    first = api.get("changes/", limit=2).json()
    assert [c["after"]["api_name"] for c in first["results"]] == ["three", "two"]
    newest = first["results"][0]
    assert newest["entity"] == "field" and newest["action"] == "create" and newest["before"] is None
    assert newest["changed_by"] == {"id": admin_a.pk, "email": "admin@alpha.test", "name": str(admin_a)}
    assert newest["changed_at"].endswith("Z") and newest["version"] > first["results"][1]["version"]
    second = api.get("changes/", limit=2, before=first["next_before"]).json()
    assert [c["after"]["api_name"] for c in second["results"]] == ["one", "gadget"]
    assert {c["id"] for c in first["results"]}.isdisjoint(c["id"] for c in second["results"])

    fields_only = api.get("changes/", entity="field", limit=10).json()["results"]
    assert {c["entity"] for c in fields_only} == {"field"}
    gadget_id = second["results"][1]["entity_id"]
    assert [c["action"] for c in api.get("changes/", entity="object", entity_id=gadget_id).json()["results"]] == ["create"]
    # the standard objects were installed by the system: no user
    oldest = api.get("changes/", before=second["results"][1]["id"], limit=200).json()
    assert oldest["results"] and all(c["changed_by"] is None for c in oldest["results"])
    last_page = oldest
    while last_page["next_before"]:
        last_page = api.get("changes/", before=last_page["next_before"], limit=200).json()
    assert last_page["next_before"] is None

    refused = user_api.get("changes/")
    assert refused.status_code == 403 and non_field_codes(refused) == ["no_customise_right"]


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "201"}, {"limit": "many"}, {"before": "x"},
                                    {"entity_id": "-1"}])
def test_change_history_parameters_are_checked(api, params):
    response = api.get("changes/", **params)
    assert response.status_code == 400 and errors_of(response) == {next(iter(params)): ["invalid"]}


def test_boolean_parameters_are_checked(api):
    response = api.get("objects/account/fields/", deleted="perhaps")
    assert response.status_code == 400 and errors_of(response) == {"deleted": ["invalid"]}


def test_openapi_document_describes_the_metadata_api():
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator(urlconf="tessera.urls_tenant").get_schema(request=None, public=True)
    paths = document["paths"]
    for path, methods in {
        "/api/v1/meta/objects/": {"get", "post"},
        "/api/v1/meta/objects/{object_name}/": {"get", "patch"},
        "/api/v1/meta/objects/{object_name}/fields/{field_name}/": {"get", "patch", "delete"},
        "/api/v1/meta/objects/{object_name}/fields/{field_name}/change-type/": {"post"},
        "/api/v1/meta/objects/{object_name}/fields/{field_name}/values/": {"get", "put"},
        "/api/v1/meta/objects/{object_name}/fields/{field_name}/dependency/": {"get", "put", "delete"},
        "/api/v1/meta/objects/{object_name}/list-views/{api_name}/": {"get", "patch", "delete"},
        "/api/v1/meta/changes/": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
    assert {p["name"] for p in paths["/api/v1/meta/changes/"]["get"]["parameters"]} >= {"before", "limit"}
