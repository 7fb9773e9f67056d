"""The one API base: every API reads a boolean in a query string the same way (true/false, 1/0,
yes/no, on/off in any case; empty is false), and answers anything else with a 400 on that parameter."""

from __future__ import annotations

import pytest

from metadata.services import add_field, delete_field

pytestmark = pytest.mark.django_db

TRUE = ["true", "1", "yes", "on", "ON", "True"]
FALSE = ["false", "0", "no", "off", "Off", ""]


@pytest.fixture
def api(client_a, admin_a):
    client_a.force_login(admin_a)
    return client_a


@pytest.fixture
def deleted_field(admin_a):
    add_field("account", {"api_name": "legacy", "type": "text", "labels": {"en": "Legacy"}}, admin_a)
    delete_field("account", "legacy", admin_a)


def error_codes(response, name: str) -> list[str]:
    return [d["code"] for d in response.json()["errors"].get(name, [])]


@pytest.mark.parametrize("word", TRUE)
def test_true_words_work_on_every_api(api, deleted_field, word):
    fields = api.get(f"/api/v1/meta/objects/account/fields/?deleted={word}")
    assert fields.status_code == 200 and "legacy" in {f["api_name"] for f in fields.json()}
    records = api.get(f"/api/v1/records/account/?count={word}")
    assert records.status_code == 200 and "count" in records.json()


@pytest.mark.parametrize("word", FALSE)
def test_false_words_work_on_every_api(api, deleted_field, word):
    fields = api.get(f"/api/v1/meta/objects/account/fields/?deleted={word}")
    assert fields.status_code == 200 and "legacy" not in {f["api_name"] for f in fields.json()}
    records = api.get(f"/api/v1/records/account/?count={word}")
    assert records.status_code == 200 and "count" not in records.json()


def test_anything_else_is_a_400_on_that_parameter(api):
    fields = api.get("/api/v1/meta/objects/account/fields/?deleted=maybe")
    assert fields.status_code == 400 and error_codes(fields, "deleted") == ["invalid"]
    records = api.get("/api/v1/records/account/?count=maybe")
    assert records.status_code == 400 and error_codes(records, "count") == ["invalid"]


def test_every_api_wants_a_json_object_body(api):
    for url in ("/api/v1/meta/objects/", "/api/v1/records/account/", "/api/v1/security/roles/"):
        response = api.post(url, "[1, 2]", content_type="application/json")
        assert response.status_code == 400, url
        assert [d["code"] for d in response.json()["non_field_errors"]] == ["invalid"], url
