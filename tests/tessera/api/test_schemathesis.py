"""Property-based API tests: schemathesis generates requests from our own OpenAPI documents and
sends them to the real WSGI application, asserting that no request gets a 5xx and that every
response matches the document (status code, content type, body schema).

Three documents: the platform's (the public host: sign-up), the static document of the tenant API
(metadata, security, records: `/api/v1/schema/`) and a tenant's own document (`/api/v1/openapi.json`),
with a custom object holding a field of every type. A fixed seed and a bounded number of examples
per operation keep the run short and repeatable; each generated request runs in a savepoint that
is rolled back, so one request (a user deactivated, a token revoked) never changes what the next
one meets.
"""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, Phase, given, seed, settings

from metadata.fieldtypes import field_types

schemathesis = pytest.importorskip("schemathesis")

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

#: Examples per operation (the seed is fixed, so the same requests every run).
EXAMPLES = 6
SEED = 20261205

COLORS = [{"key": k, "labels": {"en": k.title()}} for k in ("red", "green", "blue")]

#: A field of every type, on the `fuzz` object (and a roll-up on account over it).
FUZZ_FIELDS = [
    {"api_name": "code", "type": "text", "unique": True, "options": {"max_length": 20}},
    {"api_name": "notes", "type": "long_text"},
    {"api_name": "email", "type": "email"},
    {"api_name": "phone", "type": "phone"},
    {"api_name": "website", "type": "url"},
    {"api_name": "quantity", "type": "number", "options": {"precision": 10, "scale": 2}},
    {"api_name": "price", "type": "currency", "indexed": True},
    {"api_name": "discount", "type": "percent"},
    {"api_name": "released", "type": "date", "indexed": True},
    {"api_name": "checked_at", "type": "datetime"},
    {"api_name": "active", "type": "boolean"},
    {"api_name": "color", "type": "picklist", "options": {"values": COLORS}},
    {"api_name": "tags", "type": "multi_picklist", "options": {"values": COLORS}},
    {"api_name": "serial", "type": "auto_number", "options": {"format": "F-{0000}"}},
    {"api_name": "account", "type": "lookup", "options": {"target": "account", "on_delete": "set_null"}},
    {"api_name": "reviewer", "type": "user"},
    {"api_name": "manual", "type": "file"},
    {"api_name": "photo", "type": "image"},
    {"api_name": "total", "type": "formula", "options": {"formula": "price * quantity", "result_type": "currency"}},
]
ROLLUP = {"api_name": "fuzz_total", "type": "rollup", "options": {
    "child_object": "fuzz", "child_field": "account", "function": "sum", "value_field": "price"}}


@pytest.fixture
def wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


@contextlib.contextmanager
def _connection_kept():
    """Without the per-request connection cleanup (Django's test client switches it off too): it
    would close the test's connection in the middle of its transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token_a(admin_a):
    from tessera.security.services.tokens import create_token

    _token, key = create_token(admin_a, "schemathesis")
    return key


@pytest.fixture
def fuzz_object(in_tenant_a, admin_a):
    from metadata.services import add_field, create_object

    create_object({"api_name": "fuzz", "labels": {"en": {"singular": "Fuzz", "plural": "Fuzzes"}}}, admin_a)
    for spec in FUZZ_FIELDS:
        add_field("fuzz", {"labels": {"en": spec["api_name"].title()}, **spec}, admin_a)
    add_field("account", {"labels": {"en": "Fuzz total"}, **ROLLUP}, admin_a)
    return "fuzz"


def _document(client, path: str, **headers) -> dict:
    response = client.get(path, **headers)
    assert response.status_code == 200, response.content[:500]
    connection.set_schema_to_public()
    return json.loads(response.content)


def _fuzz(document: dict, app, *, base_url: str, headers: dict) -> tuple[int, list[str]]:
    """Every operation of `document`, EXAMPLES requests each; returns (requests sent, failures)."""
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    with _connection_kept():
        return _fuzz_operations(schema, base_url=base_url, headers=headers)


def _fuzz_operations(schema, *, base_url: str, headers: dict) -> tuple[int, list[str]]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    # What the documents promise about answers. Not whether every schema-valid body is accepted:
    # rules a schema cannot say (unique values, lookups to existing records) refuse some.
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]

    sent = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy()

        @seed(SEED)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            nonlocal sent
            sent += 1
            with transaction.atomic():
                try:
                    case.call_and_validate(base_url=base_url, headers=headers, checks=checks)
                finally:
                    transaction.set_rollback(True)
                    connection.set_schema_to_public()

        try:
            run()
        except FailureGroup as exc:
            failures.append(f"{operation.label}: {exc}")
        except Exception as exc:  # an error while calling: report it with the operation
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}")
    return sent, failures


def test_tenant_api_documents(wsgi_app, client_a, admin_a, token_a, fuzz_object, tenant_a):
    """The static document of the tenant API and the tenant's own document, with the `fuzz`
    object of every field type in it: no 5xx, and responses as documented."""
    assert {s["type"] for s in FUZZ_FIELDS} | {"rollup"} == set(field_types.keys())
    client_a.force_login(admin_a)
    headers = {"Authorization": f"Token {token_a}"}
    base = f"http://{tenant_a.slug}.localhost"
    started = time.monotonic()
    total, failures = 0, []
    documents = [_document(client_a, path) for path in ("/api/v1/schema/?format=json", "/api/v1/openapi.json")]
    assert "/records/fuzz/" in documents[1]["paths"]
    for document in documents:
        sent, found = _fuzz(document, wsgi_app, base_url=f"{base}{_prefix(document)}", headers=headers)
        total += sent
        failures.extend(found)
    print(f"schemathesis: {total} requests in {time.monotonic() - started:.0f} s")
    assert not failures, "\n\n".join(failures)


def test_platform_api_document(wsgi_app, public_client):
    """The public host's document (sign-up, tenant administration)."""
    document = _document(public_client, "/api/schema/?format=json")
    sent, failures = _fuzz(document, wsgi_app, base_url="http://localhost", headers={})
    assert sent > 0
    assert not failures, "\n\n".join(failures)


def _prefix(document: dict) -> str:
    """The tenant's own document names its server (`…/api/v1`); the static one has absolute paths."""
    servers = document.get("servers") or []
    if not servers:
        return ""
    from urllib.parse import urlsplit

    return urlsplit(servers[0]["url"]).path.rstrip("/")
