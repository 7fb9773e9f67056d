"""The tenant's own OpenAPI document, and the static drf-spectacular schema of the API."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import tenant_context
from drf_spectacular.validation import validate_schema

from metadata.services import add_field, create_object

pytestmark = pytest.mark.django_db

URL = "/api/v1/openapi.json"


def document(client, language="en"):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_the_document_is_valid_openapi_3_1_with_this_tenants_objects(api, gadget):
    doc = document(api)
    validate_schema(doc)  # against the OpenAPI 3.1 JSON Schema
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": "http://alpha.localhost/api/v1"}]
    assert doc["info"]["title"] == "Alpha 阿尔法 API"
    for api_name in ("gadget", "account", "contact", "lead", "opportunity", "activity"):
        assert f"/records/{api_name}/" in doc["paths"], api_name
    assert set(doc["paths"]["/records/gadget/"]) == {"get", "post"}
    assert set(doc["paths"]["/records/gadget/{id}/"]) == {"parameters", "get", "patch", "delete"}
    assert set(doc["paths"]["/records/gadget/bulk/"]) == {"parameters", "post", "patch"}
    assert {"/records/gadget/{id}/restore/", "/records/gadget/{id}/history/", "/files/", "/files/{token}/"} <= set(
        doc["paths"])
    assert {"Gadget", "GadgetInput", "GadgetUpdate", "GadgetPage", "Account", "Error"} <= set(doc["components"]["schemas"])
    ids = [op["operationId"] for item in doc["paths"].values() for method, op in item.items() if method != "parameters"]
    assert len(ids) == len(set(ids))


def test_record_schemas_come_from_the_field_types(api, gadget):
    schemas = document(api)["components"]["schemas"]
    record = schemas["Gadget"]["properties"]
    assert record["id"] == {"type": "integer", "format": "int64", "readOnly": True}
    assert record["price"]["type"] == ["string", "null"] and record["price"]["format"] == "decimal"
    assert record["released"]["format"] == "date" and record["checked_at"]["format"] == "date-time"
    assert record["active"]["type"] == ["boolean", "null"]
    assert record["color"]["enum"] == ["red", "green", "blue", "old", None]
    assert record["tags"] == {"type": "array", "items": {"type": "string", "enum": ["new", "hot", "sale"]},
                              "uniqueItems": True, "title": "Tags", "x-tessera-type": "multi_picklist"}
    assert record["total"]["readOnly"] is True and record["total"]["format"] == "decimal"  # formula → currency
    assert record["serial"]["readOnly"] is True and record["created_at"]["readOnly"] is True
    assert "readOnly" not in record["owner"] and "readOnly" not in record["name"]
    assert {"$ref": "#/components/schemas/ExpandedLookup"} in record["account"]["oneOf"]
    assert record["manual"]["oneOf"][0] == {"$ref": "#/components/schemas/FileValue"}
    assert record["name"]["title"] == "Name"
    assert set(schemas["Gadget"]["required"]) >= {"id", "version", "category", "name", "price"}

    create = schemas["GadgetInput"]
    assert create["required"] == ["name"]
    assert not {"serial", "total", "created_at", "updated_by", "id"} & set(create["properties"])
    assert {"price", "owner", "manual", "category"} <= set(create["properties"])
    assert "version" in schemas["GadgetUpdate"]["properties"] and "required" not in schemas["GadgetUpdate"]
    account = schemas["Account"]["properties"]
    assert account["category"]["enum"][:2] == ["retail", "vip"] and account["category"]["enum"][-1] is None


def test_list_parameters_document_every_filter(api, gadget):
    parameters = document(api)["paths"]["/records/gadget/"]["get"]["parameters"]
    names = {p["name"] for p in parameters if "name" in p}
    assert {"price", "price__gte", "price__range", "price__isnull", "name__startswith", "color", "color__in",
            "tags__contains", "released__range", "account", "total__lt", "serial__contains"} <= names
    assert not {"tags__lt", "color__contains", "manual", "manual__ne", "photo__in"} & names
    color = next(p for p in parameters if p.get("name") == "color")
    assert color["schema"]["enum"] == ["red", "green", "blue", "old"] and color["in"] == "query"
    shared = {p["$ref"].rsplit("/", 1)[1] for p in parameters if "$ref" in p}
    assert shared == {"sort", "limit", "cursor", "fields", "expand", "count", "deleted"}


def test_labels_follow_the_request_language(api, gadget):
    assert document(api, "zh-hans")["components"]["schemas"]["Account"]["title"] == "客户"
    assert document(api, "en")["components"]["schemas"]["Account"]["title"] == "Account"


def test_hidden_fields_are_left_out(api, gadget, restrict):
    restrict(hidden=["secret", "price"])
    doc = document(api)
    assert not {"secret", "price"} & set(doc["components"]["schemas"]["Gadget"]["properties"])
    names = {p.get("name") for p in doc["paths"]["/records/gadget/"]["get"]["parameters"]}
    assert "price__gte" not in names and "secret" not in names and "code" in names


def test_each_tenant_sees_its_own_objects(api, client_b, tenant_b, tenant_a, gadget):
    with tenant_context(tenant_b):
        admin_b = get_user_model().objects.get(email="admin@beta.test")
        create_object({"api_name": "member_card", "labels": {"en": {"singular": "Member card"}}}, admin_b)
        add_field("member_card", {"api_name": "points", "type": "number", "labels": {"en": "Points"}}, admin_b)
        client_b.force_login(admin_b)
    theirs = document(client_b)
    validate_schema(theirs)
    assert "/records/member_card/" in theirs["paths"] and "MemberCard" in theirs["components"]["schemas"]
    assert "points" in theirs["components"]["schemas"]["MemberCard"]["properties"]
    assert "/records/gadget/" not in theirs["paths"] and "Gadget" not in theirs["components"]["schemas"]
    ours = document(api)
    assert "/records/member_card/" not in ours["paths"] and "/records/gadget/" in ours["paths"]
    connection.set_tenant(tenant_a)


def test_not_logged_in_gets_no_document(client_a, gadget):
    assert client_a.get(URL).status_code in (401, 403)


def test_static_drf_spectacular_schema_of_the_tenant_api(api):
    response = api.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert "/api/v1/records/{object_api_name}/" in schema["paths"]
    assert "/api/v1/files/{token}/" in schema["paths"]


def test_the_records_views_give_drf_spectacular_no_warnings_or_errors(db):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator(urlconf="tessera.records.api.urls").get_schema(request=None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    assert messages == [], "\n".join(messages)
