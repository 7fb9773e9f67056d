"""Cross-tenant attacks, all refused: credentials of tenant A on tenant B's host, ids of B's records
and metadata asked on A's host, a lookup in A pointing at a record of B."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tests.helpers.tenants import ADMIN_PASSWORD

pytestmark = pytest.mark.django_db


def _record_in(tenant, name: str, object_api_name: str = "account") -> int:
    from tessera.records import service
    from tessera.security.access import SYSTEM

    with tenant_context(tenant):
        return service.create_record(object_api_name, {"name": name}, SYSTEM, confirm_duplicates=True).id


def _exists_in(tenant, record_id: int) -> bool:
    from tessera.records import service
    from tessera.security.access import SYSTEM

    with tenant_context(tenant):
        try:
            service.get_record("account", record_id, SYSTEM)
            return True
        except Exception:
            return False


def _free_id_in_a(tenant_a, tenant_b, name: str) -> int:
    """A record of B whose id no record of A has (schemas have their own id sequences)."""
    for _ in range(20):
        record_id = _record_in(tenant_b, name)
        if not _exists_in(tenant_a, record_id):
            return record_id
    raise AssertionError("no free id")


def test_session_cookie_of_a_is_anonymous_on_b(client_a, client_b):
    client_a.post("/login/", {"username": "admin@alpha.test", "password": ADMIN_PASSWORD})
    assert client_a.get("/api/v1/records/account/").status_code == 200
    client_b.cookies = client_a.cookies
    assert client_b.get("/api/v1/records/account/").status_code == 403
    assert client_b.get("/api/v1/security/me/").status_code == 403
    assert client_b.post("/api/v1/security/tokens/", {"name": "x"}, content_type="application/json").status_code == 403


def test_api_token_of_a_is_refused_on_b(tenant_a, tenant_b, client_a, client_b, public_client):
    from django.contrib.auth import get_user_model

    from tessera.security.services import create_token

    with tenant_context(tenant_a):
        _token, key = create_token(get_user_model().objects.get(email="admin@alpha.test"), "cli")
    connection.set_schema_to_public()
    assert client_a.get("/api/v1/records/account/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    for client in (client_b, public_client):
        response = client.get("/api/v1/records/account/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code in (401, 404)
    assert client_b.get("/api/v1/security/me/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_ids_of_b_records_are_not_found_on_a(tenant_a, tenant_b, client_a):
    record_id = _free_id_in_a(tenant_a, tenant_b, "Only In Beta Ltd")
    client_a.post("/login/", {"username": "admin@alpha.test", "password": ADMIN_PASSWORD})
    for method, url in (("get", f"/api/v1/records/account/{record_id}/"),
                        ("patch", f"/api/v1/records/account/{record_id}/"),
                        ("delete", f"/api/v1/records/account/{record_id}/"),
                        ("get", f"/api/v1/records/account/{record_id}/history/"),
                        ("get", f"/api/v1/security/records/account/{record_id}/shares/")):
        response = getattr(client_a, method)(url, {"phone": "1"} if method == "patch" else None,
                                             content_type="application/json")
        assert response.status_code == 404, (url, response.content)
        assert "Only In Beta" not in response.content.decode()
    reassign = client_a.post("/api/v1/security/reassign/", {"object": "account", "id": record_id, "to": 1},
                             content_type="application/json")
    assert reassign.status_code in (400, 404) and "Only In Beta" not in reassign.content.decode()
    listing = client_a.get("/api/v1/records/account/?limit=200")
    assert record_id not in [r["id"] for r in listing.json()["results"]]


def test_metadata_of_b_is_not_found_on_a(tenant_a, tenant_b, client_a):
    from django.contrib.auth import get_user_model

    from metadata.services import create_object

    with tenant_context(tenant_b):
        admin_b = get_user_model().objects.get(email="admin@beta.test")
        create_object({"api_name": "beta_only", "labels": {"en": {"singular": "Beta only"}}}, admin_b)
    client_a.post("/login/", {"username": "admin@alpha.test", "password": ADMIN_PASSWORD})
    assert client_a.get("/api/v1/meta/objects/beta_only/").status_code == 404
    assert client_a.get("/api/v1/records/beta_only/").status_code == 404
    assert client_a.post("/api/v1/security/sharing-rules/", {
        "name": "x", "object": "beta_only", "filters": {}, "role": 1}, content_type="application/json").status_code == 400


def test_a_lookup_in_a_cannot_point_at_a_record_of_b(tenant_a, tenant_b, client_a):
    record_id = _free_id_in_a(tenant_a, tenant_b, "Beta Parent Ltd")
    client_a.post("/login/", {"username": "admin@alpha.test", "password": ADMIN_PASSWORD})
    response = client_a.post("/api/v1/records/contact/", {"name": "Li Si", "account": record_id},
                             content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["account"][0]["code"] == "invalid_reference"


def test_security_objects_of_b_are_not_found_on_a(tenant_a, tenant_b, client_a):
    from tessera.security.models import Role

    with tenant_context(tenant_b):
        role = Role.objects.create(name="Beta role")
    client_a.post("/login/", {"username": "admin@alpha.test", "password": ADMIN_PASSWORD})
    with tenant_context(tenant_a):
        clash = Role.objects.filter(pk=role.pk).exists()
    if not clash:
        assert client_a.get(f"/api/v1/security/roles/{role.pk}/").status_code == 404
    assert "Beta role" not in client_a.get("/api/v1/security/roles/").content.decode()
