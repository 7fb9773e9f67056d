"""Tenants apart, and only what the permission service grants: another tenant's record ids and
session cookies mean nothing here; hidden fields never appear nor can be filtered, sorted, selected
or written; read-only fields cannot be changed; records the reader may not see do not exist."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from tessera.records import service
from tests.helpers.records_api import codes, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def beta_account(tenant_b):
    """An account of tenant B and B's administrator (made in B's schema)."""
    with tenant_context(tenant_b):
        admin_b = get_user_model().objects.get(email="admin@beta.test")
        record = service.create_record("account", {"name": "Beta only"}, admin_b)
    return record, admin_b


def test_a_record_id_of_another_tenant_is_404_here(api, tenant_a, tenant_b, beta_account):
    record, admin_b = beta_account
    connection.set_tenant(tenant_a)
    url = f"/api/v1/records/account/{record.id}/"
    assert api.get(url).status_code == 404
    assert send(api, "patch", url, {"name": "taken over"}).status_code == 404
    assert api.delete(url).status_code == 404
    assert api.get(f"{url}history/").status_code == 404
    assert api.post(f"{url}restore/").status_code == 404
    assert api.get(f"/api/v1/records/account/form/?record={record.id}").status_code == 404
    bulk = send(api, "patch", "/api/v1/records/account/bulk/?mode=per_row", [{"id": record.id, "name": "x"}])
    assert bulk.json()["results"][0]["errors"]["id"][0]["code"] == "unknown_record"
    assert api.get("/api/v1/records/account/?count=true").json()["count"] == 0
    with tenant_context(tenant_b):
        unchanged = service.get_record("account", record.id, admin_b)
    assert unchanged.name == "Beta only" and unchanged.version == 1


def test_a_session_cookie_of_another_tenant_does_not_authenticate(api, client_b, tenant_b, beta_account):
    _record, admin_b = beta_account
    with tenant_context(tenant_b):
        client_b.force_login(admin_b)
    assert client_b.get("/api/v1/records/account/").status_code == 200  # at home
    replay = Client(HTTP_HOST="alpha.localhost")
    replay.cookies = client_b.cookies
    response = replay.get("/api/v1/records/account/")
    assert response.status_code in (401, 403) and codes(response) == ["not_authenticated"]
    assert send(replay, "post", "/api/v1/records/account/", {"name": "x"}).status_code in (401, 403)
    back = Client(HTTP_HOST="beta.localhost")
    back.cookies = api.cookies  # and A's on B
    assert back.get("/api/v1/records/account/").status_code in (401, 403)


def test_every_endpoint_needs_a_login(client_a, gadget):
    for method, url in [("get", "/api/v1/records/gadget/"), ("post", "/api/v1/records/gadget/"),
                        ("post", "/api/v1/records/gadget/bulk/"), ("patch", "/api/v1/records/gadget/bulk/"),
                        ("get", "/api/v1/records/gadget/1/"), ("patch", "/api/v1/records/gadget/1/"),
                        ("delete", "/api/v1/records/gadget/1/"), ("post", "/api/v1/records/gadget/1/restore/"),
                        ("get", "/api/v1/records/gadget/1/history/"), ("get", "/api/v1/records/gadget/form/"),
                        ("get", "/api/v1/openapi.json"), ("get", "/api/v1/files/x/")]:
        response = send(client_a, method, url, {} if method in ("post", "patch") else None)
        assert response.status_code in (401, 403), (method, url)
        assert codes(response) == ["not_authenticated"], (method, url)


def test_hidden_fields_cannot_be_seen_filtered_sorted_selected_or_written(api, gadget, admin_a, restrict):
    account = service.create_record("account", {"name": "Acme"}, admin_a)
    record = service.create_record("gadget", {"name": "G", "secret": "s3cr3t", "account": account.id}, admin_a)
    restrict(hidden=["secret", "account"])
    listing = api.get("/api/v1/records/gadget/")
    assert listing.status_code == 200 and "s3cr3t" not in listing.content.decode()
    assert not {"secret", "account"} & set(listing.json()["results"][0])
    detail = api.get(f"/api/v1/records/gadget/{record.id}/").json()
    assert not {"secret", "account"} & set(detail)
    for query, key, code in [("secret=s3cr3t", "secret", "unknown_field"), ("secret__isnull=false", "secret__isnull",
                                                                             "unknown_field"),
                             ("account.name=Acme", "account.name", "unknown_field"),
                             ("sort=secret", "sort", "invalid_sort"), ("fields=name,secret", "fields", "unknown_field"),
                             ("expand=account", "expand", "invalid_expand")]:
        response = api.get(f"/api/v1/records/gadget/?{query}")
        assert response.status_code == 400 and codes(response, key) == [code], query
    written = send(api, "patch", f"/api/v1/records/gadget/{record.id}/", {"secret": "guess"})
    assert written.status_code == 400 and codes(written, "secret") == ["unknown_field"]
    created = send(api, "post", "/api/v1/records/gadget/", {"name": "H", "secret": "x"})
    assert created.status_code == 400 and codes(created, "secret") == ["unknown_field"]
    # The hidden value survives an update of the other fields.
    assert send(api, "patch", f"/api/v1/records/gadget/{record.id}/", {**detail, "name": "G2"}).status_code == 200
    assert service.get_record("gadget", record.id, admin_a).values["secret"] == "s3cr3t"


def test_read_only_by_permission(api, gadget, admin_a, restrict):
    record = service.create_record("gadget", {"name": "G", "price": "5"}, admin_a)
    restrict(read_only=["price"])
    changed = send(api, "patch", f"/api/v1/records/gadget/{record.id}/", {"price": "6"})
    assert changed.status_code == 400 and codes(changed, "price") == ["read_only"]
    same = send(api, "patch", f"/api/v1/records/gadget/{record.id}/", {"price": "5.00", "name": "G2"})
    assert same.status_code == 200 and same.json()["price"] == "5.00"
    bulk = send(api, "patch", "/api/v1/records/gadget/bulk/", [{"id": record.id, "price": "7"}])
    assert bulk.status_code == 400 and bulk.json()["rows"][0]["errors"]["price"][0]["code"] == "read_only"


def test_records_a_salesperson_may_not_see_do_not_exist_for_them(api, admin_a, in_tenant_a):
    from tessera.security.models import Profile

    User = get_user_model()
    salesperson = Profile.objects.get(api_name="salesperson")
    rep = User.objects.create_user("rep@alpha.test", None, full_name="Rep", profile=salesperson)
    theirs = service.create_record("account", {"name": "Rep's own", "owner": rep.pk}, admin_a)
    others = service.create_record("account", {"name": "Someone else's"}, admin_a)
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(rep)
    listing = client.get("/api/v1/records/account/?count=true")
    assert listing.status_code == 200
    assert [r["id"] for r in listing.json()["results"]] == [theirs.id] and listing.json()["count"] == 1
    assert client.get(f"/api/v1/records/account/{theirs.id}/").status_code == 200
    for response in (client.get(f"/api/v1/records/account/{others.id}/"),
                     send(client, "patch", f"/api/v1/records/account/{others.id}/", {"name": "mine now"}),
                     client.delete(f"/api/v1/records/account/{others.id}/"),
                     client.get(f"/api/v1/records/account/{others.id}/history/")):
        assert response.status_code == 404, response.json()
    assert service.get_record("account", others.id, admin_a).name == "Someone else's"
