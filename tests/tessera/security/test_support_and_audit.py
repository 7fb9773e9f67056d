"""Support access (granted by the tenant, time-limited, every step audited) and the audit log."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.helpers.security import codes, field_codes

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def operator(db):
    connection.set_schema_to_public()
    user = get_user_model().objects.create_admin("ops@tessera.test", None)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _actions(tenant) -> list[str]:
    from tessera.security.models import AuditEntry

    with tenant_context(tenant):
        return list(AuditEntry.objects.filter(action__startswith="support.").order_by("id")
                    .values_list("action", flat=True))


def _grant(tenant, admin_email="admin@alpha.test", **data):
    from tessera.security.services import grant_support

    with tenant_context(tenant):
        admin = get_user_model().objects.get(email=admin_email)
        return grant_support({"hours": 2, **data}, admin)


def _open(url: str) -> tuple[Client, object]:
    parts = urlparse(url)
    client = Client(HTTP_HOST=parts.hostname)
    return client, client.get(f"{parts.path}?{parts.query}")


def test_no_grant_no_support_login(operator, tenant_a):
    response = operator.post("/api/v1/tenants/alpha/support-login/")
    assert response.status_code == 403 and codes(response) == ["no_support_grant"]
    assert _actions(tenant_a) == ["support.link_refused"]


def test_granted_support_access_works_until_it_expires(operator, tenant_a, make_record):
    grant = _grant(tenant_a, profile="administrator", reason="ticket 42")
    with tenant_context(tenant_a):
        record_id = make_record("account", None, name="Support Visible Ltd").id
    response = operator.post("/api/v1/tenants/alpha/support-login/")
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert urlparse(url).hostname == "alpha.localhost"
    support, opened = _open(url)
    assert opened.status_code == 302 and opened["Location"] == "/"
    assert support.get(f"/api/v1/records/account/{record_id}/").status_code == 200
    me = support.get("/api/v1/security/me/").json()["user"]
    assert me["is_support"] and me["email"].startswith("support-")
    assert support.post("/api/v1/security/tokens/", {"name": "x"}, content_type=JSON).status_code == 403
    _again, reused = _open(url)
    assert reused.status_code == 403  # one-time link
    with tenant_context(tenant_a):
        type(grant).objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert support.get(f"/api/v1/records/account/{record_id}/").status_code == 403  # the session stops at once
    refused = operator.post("/api/v1/tenants/alpha/support-login/")
    assert refused.status_code == 403
    assert _actions(tenant_a) == ["support.grant", "support.link_issued", "support.login", "support.login_refused",
                                  "support.link_refused"]


def test_a_revoked_grant_refuses_the_pending_link(operator, tenant_a, client_a, admin_a):
    grant = _grant(tenant_a)
    url = operator.post("/api/v1/tenants/alpha/support-login/").json()["url"]
    with tenant_context(tenant_a):
        client_a.force_login(admin_a)
    revoked = client_a.delete(f"/api/v1/security/support-grants/{grant.pk}/")
    assert revoked.status_code == 200 and revoked.json()["active"] is False, revoked.content
    _client, opened = _open(url)
    assert opened.status_code == 403


def test_a_link_for_tenant_a_means_nothing_on_tenant_b(operator, tenant_a, tenant_b):
    _grant(tenant_a)
    url = operator.post("/api/v1/tenants/alpha/support-login/").json()["url"]
    parts = urlparse(url)
    response = Client(HTTP_HOST="beta.localhost").get(f"{parts.path}?{parts.query}")
    assert response.status_code == 403
    with tenant_context(tenant_b):
        assert not get_user_model().objects.filter(is_support=True).exists()


def test_only_operators_ask_for_links(tenant_a, public_client):
    _grant(tenant_a)
    connection.set_schema_to_public()
    plain = get_user_model().objects.create_user("not-an-operator@tessera.test", None)
    public_client.force_login(plain)
    assert public_client.post("/api/v1/tenants/alpha/support-login/").status_code == 403


def test_grant_input_is_checked(client_a, admin_a):
    client_a.force_login(admin_a)
    for body, field in (({"hours": 1000}, "expires_at"), ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
                        ({}, "expires_at"), ({"hours": 1, "profile": "nope"}, "profile")):
        response = client_a.post("/api/v1/security/support-grants/", body, content_type=JSON)
        assert response.status_code == 400 and field in field_codes(response), body
    ok = client_a.post("/api/v1/security/support-grants/", {"hours": 1, "reason": "ticket 7"}, content_type=JSON)
    assert ok.status_code == 201 and ok.json()["active"] and ok.json()["profile"] == "administrator"


# --- the audit log -----------------------------------------------------------------------------


def test_the_audit_log_is_for_those_with_the_right(org, admin_a, make_record):
    record = make_record("account", org.rep)
    org.client(org.rep).delete(f"/api/v1/records/account/{record.id}/")
    assert org.client(org.mgr).get("/api/v1/security/audit/").status_code == 403
    admin = org.client(admin_a)
    response = admin.get("/api/v1/security/audit/?action=record.delete")
    assert response.status_code == 200
    [entry] = response.json()["results"]
    assert entry["actor"] == {"id": org.rep.pk, "email": "rep@alpha.test"}
    assert entry["target_type"] == "record:account" and entry["target_id"] == str(record.id)
    assert entry["ip"] == "127.0.0.1" and entry["request_id"]
    prefix = admin.get("/api/v1/security/audit/?action=login*&limit=1").json()
    assert prefix["results"][0]["action"] == "login" and prefix["next"]
    older = admin.get(f"/api/v1/security/audit/?action=login*&limit=1&cursor={prefix['next']}").json()
    assert older["results"][0]["id"] < prefix["results"][0]["id"]
    bad = admin.get("/api/v1/security/audit/?since=yesterday&limit=0")
    assert bad.status_code == 400 and set(field_codes(bad)) == {"since", "limit"}


def test_exports_are_audited_through_the_export_function(org):
    from tessera.records.service import get_object_meta
    from tessera.security import audit
    from tessera.security.access import access_for
    from tessera.security.models import AuditEntry

    _tenant, account = get_object_meta("account")
    access = access_for(org.mgr)
    access.require_export(account)  # sales managers may export
    audit.record_export(org.mgr, "account", count=12, filters=[("rating", "a")], fields=["name"], file_format="xlsx")
    entry = AuditEntry.objects.get(action="records.export")
    assert entry.actor_id == org.mgr.pk and entry.detail["count"] == 12
    from tessera.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        access_for(org.rep).require_export(account)  # salespeople may not
