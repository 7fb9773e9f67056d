"""Two tenants never see each other's rows: not through the ORM, raw SQL, or HTTP."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import tenant_context

from tests.helpers.tenants import ADMIN_PASSWORD

pytestmark = pytest.mark.django_db


def test_orm_rows_stay_in_their_tenant(tenant_a, tenant_b):
    User = get_user_model()
    with tenant_context(tenant_a):
        User.objects.create_user("only-in-a@example.com", "pw-Alpha-123456")
        assert User.objects.filter(email="only-in-a@example.com").exists()
    with tenant_context(tenant_b):
        assert not User.objects.filter(email="only-in-a@example.com").exists()
        assert set(User.objects.values_list("email", flat=True)) == {"admin@beta.test"}


def test_raw_sql_on_the_tenant_connection_sees_only_its_schema(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        get_user_model().objects.create_user("raw-a@example.com")
    with tenant_context(tenant_b), connection.cursor() as cursor:
        cursor.execute("SELECT email FROM security_user")
        assert [row[0] for row in cursor.fetchall()] == ["admin@beta.test"]


def test_http_login_works_only_on_the_own_tenant_host(client_a, client_b):
    ok = client_a.post("/login/", {"username": "admin@alpha.test", "password": ADMIN_PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == "/app/"
    refused = client_b.post("/login/", {"username": "admin@alpha.test", "password": ADMIN_PASSWORD})
    assert refused.status_code == 200 and "admin@alpha.test" not in refused.content.decode().split("value=")[0]
    assert "_auth_user_id" not in client_b.session


def test_session_cookie_of_one_tenant_means_nothing_on_another(client_a, client_b):
    client_a.post("/login/", {"username": "admin@alpha.test", "password": ADMIN_PASSWORD})
    assert client_a.get("/app/").status_code == 200
    client_b.cookies = client_a.cookies  # replay A's session cookie on B's host
    response = client_b.get("/app/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_unknown_host_gets_a_plain_404_page(db, client):
    response = client.get("/", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404
    body = response.content.decode()
    assert "nobody.localhost" in body and "Traceback" not in body


def test_inactive_tenant_is_not_served(tenant_a, client_a):
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(is_active=False)
    assert client_a.get("/login/").status_code == 404


def test_public_host_serves_the_platform_site(public_client):
    assert public_client.get("/").status_code == 200
