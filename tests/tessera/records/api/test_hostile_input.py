"""Hostile input, one or more requests per class found by attacking the API (issue 8, section 3):
NUL characters and lone surrogates, numbers beyond what a field holds, JSON nested thousands deep,
dates out of range, a list or object where a scalar belongs, a cursor reused with another sort.

Each is a 400 in the one error shape naming the value's path, and nothing is written. An
unexpected error is a JSON 500 with the request id (logged with its traceback), never an HTML page.
"""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tessera.api.limits import MAX_JSON_DEPTH
from tests.helpers.records_api import count_records

pytestmark = pytest.mark.django_db

URL = "/api/v1/records/gadget/"
FIELDS_URL = "/api/v1/meta/objects/gadget/fields/"


@pytest.fixture
def raw(client_a, admin_a):
    """A client that returns the server's answer to an unexpected error instead of raising it."""
    client = Client(HTTP_HOST=client_a.defaults["HTTP_HOST"], raise_request_exception=False)
    client.force_login(admin_a)
    return client


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# (method, url, raw JSON body, field path named in the answer; None: a non-field error)
CASES = [
    # NUL characters and lone surrogates, in bodies of every API and in URLs
    ("post", URL, '{"name": "a\\u0000b"}', "name"),
    ("post", URL, '{"name": "a\\ud800b"}', "name"),
    ("post", URL, '{"name": "ok", "notes": "\\udfff"}', "notes"),
    ("post", URL + "bulk/", '{"records": [{"name": "x"}, {"name": "a\\u0000"}]}', "records[1].name"),
    ("post", URL + "bulk/", '[{"name": "x", "tags": ["new", "\\ud83d"]}]', "[0].tags[1]"),
    ("post", FIELDS_URL, '{"api_name": "n7", "type": "text", "labels": {"en": "x\\u0000"}}', "labels.en"),
    ("post", "/api/v1/security/roles/", '{"name": "a\\u0000"}', "name"),
    ("get", URL + "?name=%00", None, "name"),
    ("get", URL + "?sort=name%00", None, "sort"),
    ("get", "/api/v1/records/gad%00get/", None, None),
    # numbers beyond what a field holds
    ("post", URL, '{"name": "x", "quantity": 1e309}', "quantity"),
    ("post", URL, '{"name": "x", "price": -1e309}', "price"),
    ("post", URL, '{"name": "x", "quantity": 10000000000000000000000000000000000000000}', "quantity"),
    ("post", URL, '{"name": "x", "price": "1e40"}', "price"),
    ("post", URL, '{"name": "x", "discount": 99999999999999999999.5}', "discount"),
    ("get", URL + "?quantity__gte=1e309", None, "quantity__gte"),
    ("get", URL + "?price__lt=1e40", None, "price__lt"),
    ("get", URL + "?quantity__range=1e999999,", None, "quantity__range"),
    ("post", FIELDS_URL, '{"api_name": "n2", "type": "number", "labels": {"en": "x"}, "default": 1e40}', "default"),
    ("post", FIELDS_URL, '{"api_name": "n3", "type": "number", "labels": {"en": "x"}, "options": {"max": 1e309}}',
     "options.max"),
    ("post", FIELDS_URL, '{"api_name": "n4", "type": "auto_number", "labels": {"en": "x"}, "options": '
                         '{"format": "A-{0000}", "start": 10000000000000000000000000000000000000000}}', "options.start"),
    # JSON nested 10,000 deep (and just past the limit)
    ("post", URL, '{"name": "x", "notes": ' + nested(10_000) + '}', None),
    ("post", URL, '{"name": "x", "notes": ' + nested(MAX_JSON_DEPTH) + '}', "notes" + "[0]" * (MAX_JSON_DEPTH - 1)),
    ("post", FIELDS_URL, nested(10_000), None),
    # dates out of range
    ("post", URL, '{"name": "x", "checked_at": "0001-01-01T00:00:00Z"}', "checked_at"),
    ("post", URL, '{"name": "x", "checked_at": "0001-01-01T00:00:00+08:00"}', "checked_at"),
    ("post", URL, '{"name": "x", "checked_at": "9999-12-31T23:59:59-08:00"}', "checked_at"),
    ("post", URL, '{"name": "x", "released": "10000-01-01"}', "released"),
    ("get", URL + "?checked_at__range=0001-01-01,9999-12-31", None, "checked_at__range"),
    ("get", URL + "?checked_at__gte=0001-01-01", None, "checked_at__gte"),
    ("post", FIELDS_URL, '{"api_name": "n6", "type": "datetime", "labels": {"en": "x"}, '
                         '"default": "0001-01-01T00:00:00+08:00"}', "default"),
    # a list or an object where a scalar belongs
    ("post", URL, '{"name": "x", "category": [1, 2]}', "category"),
    ("post", URL, '{"name": "x", "category": {"a": 1}}', "category"),
    ("post", URL + "bulk/", '[{"name": "x", "category": [1, 2]}]', None),
    ("post", URL, '{"name": [1, 2]}', "name"),
    ("post", URL, '{"name": "x", "color": {"a": 1}}', "color"),
    ("post", URL, '{"name": "x", "tags": [[1]]}', "tags"),
    ("post", URL, '{"name": "x", "account": [1]}', "account"),
    ("post", URL, '{"name": "x", "released": [1]}', "released"),
    ("post", URL, '{"name": "x", "manual": {"a": 1}}', "manual"),
    ("post", "/api/v1/meta/objects/", '{"api_name": ["o1"], "labels": [1]}', "api_name"),
    ("post", "/api/v1/security/reassign/", '{"object": ["account"], "to": {"a": 1}, "id": [1]}', "object"),
    # numbers beyond what a duration holds, in the security API
    ("post", "/api/v1/security/support-grants/", '{"hours": 99999999999999999999999999}', "expires_at"),
    ("post", "/api/v1/security/support-grants/", '{"hours": 1e300}', "expires_at"),
    ("post", "/api/v1/security/support-grants/", '{"hours": -1e300}', "expires_at"),
    ("post", "/api/v1/security/support-grants/", '{"hours": "nan"}', "hours"),
]


@pytest.mark.parametrize(("method", "url", "body", "path"), CASES,
                         ids=[f"{i}-{c[0]}-{c[1][:40]}" for i, c in enumerate(CASES)])
def test_hostile_input_is_a_400_naming_the_path_and_writes_nothing(raw, gadget, admin_a, method, url, body, path):
    from metadata.cache import get_meta

    version = get_meta().version
    kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
    response = getattr(raw, method)(url, **kwargs)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    assert set(payload) >= {"errors", "non_field_errors"}
    if path is None:
        assert payload["errors"] or payload["non_field_errors"]
    else:
        assert path in payload["errors"], payload
    assert count_records("gadget", admin_a) == 0
    assert get_meta().version == version  # no metadata change either


def test_sign_up_and_login_without_an_account_refuse_nul_and_depth(public_client, client_a):
    """Endpoints anyone may call, before any login."""
    for client, url in ((public_client, "/api/v1/tenants/"), (client_a, "/api/v1/security/session/")):
        for body in ('{"slug": "a\\u0000", "name": "x", "admin_email": "a@b.c"}',
                     '{"email": "\\ud800@x.test", "password": "x"}', nested(10_000)):
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 400, (url, body[:30], response.content[:200])
            assert set(response.json()) >= {"errors", "non_field_errors"}


def test_a_cursor_reused_with_another_sort_is_a_400(api, gadget, admin_a):
    from tessera.records import service

    service.create_records("gadget", [{"name": f"G{i}", "price": str(i), "released": "2026-01-0" + str(i + 1)}
                                      for i in range(3)], admin_a)
    first = api.get(URL, {"sort": "name", "limit": 1}).json()
    for other in ("price", "-name", "released", "name,price"):
        response = api.get(URL, {"sort": other, "limit": 1, "cursor": first["next"]})
        assert response.status_code == 400, other
        assert [d["code"] for d in response.json()["errors"]["cursor"]] == ["invalid_cursor"]
    assert api.get(URL, {"sort": "name", "limit": 1, "cursor": first["next"]}).status_code == 200


def test_body_size_and_unknown_api_urls_answer_json(raw, gadget, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = raw.post(URL, '{"name": "' + "x" * 2000 + '"}', content_type="application/json")
    assert big.status_code == 413 and big.json()["non_field_errors"][0]["code"] == "too_large"
    missing = raw.get("/api/v1/no/such/endpoint/")
    assert missing.status_code == 404 and missing.json()["non_field_errors"][0]["code"] == "not_found"


def test_an_unexpected_error_is_json_with_the_request_id_and_logged(raw, gadget, monkeypatch, caplog):
    from tessera.records import service

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(service, "list_records", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = raw.get(URL, HTTP_X_REQUEST_ID="req-1234567890")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["request_id"] == "req-1234567890" == response["X-Request-ID"]
    assert body["non_field_errors"][0]["code"] == "server_error" and "req-1234567890" in body["non_field_errors"][0]["message"]
    logged = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert logged and logged[0].exc_info[0] is RuntimeError


def test_pages_outside_the_api_keep_their_html(raw, gadget):
    response = raw.get("/no/such/page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
