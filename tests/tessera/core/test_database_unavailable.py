"""While the database cannot be reached, requests answer 503 with Retry-After (the API in its error
shape, /healthz with what is down), never Django's HTML 500 page. The same against a real stopped
PostgreSQL is in tests/faults."""

import pytest
from django.db import OperationalError
from django.test import Client

from tessera.core.middleware import TenantMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    """Tenant routing, the first thing that queries the database, fails as with a stopped server."""

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(TenantMiddleware, "get_tenant", refuse)
    monkeypatch.setattr("tessera.core.health._check_database", lambda: {"ok": False, "error": "refused"})


def test_api_requests_answer_503_in_the_error_shape(database_down):
    response = Client(HTTP_HOST="alpha.localhost").post("/api/v1/records/account/", {"name": "x"},
                                                        content_type="application/json")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json() == {"errors": {}, "non_field_errors": [
        {"code": "unavailable", "message": response.json()["non_field_errors"][0]["message"]}]}
    assert response["Content-Security-Policy"] and response["X-Request-ID"]


def test_pages_answer_a_503_page(database_down):
    response = Client(HTTP_HOST="alpha.localhost").get("/login/")
    assert response.status_code == 503 and response["Retry-After"]
    assert response["Content-Type"].startswith("text/html") and b"503" in response.content


def test_healthz_says_the_database_is_down(database_down):
    response = Client(HTTP_HOST="localhost").get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and body["database"]["ok"] is False


def test_a_view_losing_the_database_answers_503(client_a, admin_a, monkeypatch):
    from tessera.records import service

    def lose_connection(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(service, "list_records", lose_connection)
    client_a.force_login(admin_a)
    response = client_a.get("/api/v1/records/account/")
    assert response.status_code == 503 and response.json()["non_field_errors"][0]["code"] == "unavailable"
