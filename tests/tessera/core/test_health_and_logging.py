import logging

import pytest
from django.test import override_settings

from tessera.core.logging import ContextFilter
from tessera.core.migrations_executor import known_migrations, schemas_behind

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_and_migrations(public_client, settings):
    response = public_client.get("/healthz")
    body = response.json()
    assert set(body) == {"status", "database", "broker", "migrations"}
    assert body["database"]["ok"] and body["migrations"]["ok"] and body["migrations"]["pending"] == 0
    if body["broker"]["ok"]:
        assert response.status_code == 200 and body["status"] == "ok"


def test_healthz_is_503_when_the_broker_is_down(public_client):
    from tessera.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        with override_settings(TESSERA_BROKER_URL="redis://127.0.0.1:1/0"):
            response = public_client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_schemas_missing_a_migration_are_found(tenant_a):
    from django.db import connection

    expected = known_migrations()
    assert schemas_behind(["public", "t_alpha"], expected) == []
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM t_alpha.django_migrations WHERE app = 'core'")
    assert schemas_behind(["public", "t_alpha", "no_such_schema"], expected) == ["t_alpha", "no_such_schema"]


def test_log_lines_carry_tenant_and_request_id(client_a, caplog):
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client_a.get("/does-not-exist/", HTTP_X_REQUEST_ID="req-12345678")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-12345678"
    assert records and records[0].tenant == "t_alpha" and records[0].request_id == "req-12345678"


def test_a_bad_request_id_is_replaced(client_a):
    response = client_a.get("/login/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>" and len(response["X-Request-ID"]) == 32
