"""Sorting a large object on a field without an index is refused (list page and API) with a clear
message; an administrator is offered to index the field, which starts the index build and shows its
progress until the list can be sorted."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from metadata.cache import get_meta
from tessera.core.models import Job
from tessera.errors import ValidationFailed
from tessera.records import indexing, service
from tessera.security.access import SYSTEM
from tessera.security.models import Profile
from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(make_object, monkeypatch):
    """An object 'large' for the test: more records than the (lowered) limit."""
    monkeypatch.setattr(indexing, "SORT_UNINDEXED_LIMIT", 5)
    make_object("gadget", fields=[{"api_name": "code", "type": "text"},
                                  {"api_name": "price", "type": "number", "indexed": True}])
    service.create_records("gadget", [{"name": f"G{i}", "code": f"C{9 - i}", "price": i} for i in range(8)], SYSTEM)
    return get_meta().objects["gadget"]


def client_for(tenant, user) -> Client:
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_service_and_the_api_refuse_an_unindexed_sort(large, admin_a, in_tenant_a):
    with pytest.raises(ValidationFailed) as refused:
        service.list_records("gadget", admin_a, sort=["code"], guard_sort=True)
    assert [d.code for d in refused.value.field_errors["sort"]] == ["sort_needs_index"]
    assert "Code" in str(refused.value.field_errors["sort"][0].message)
    for sort in (["price"], ["-name"], ["-created_at"], ["owner"]):
        service.list_records("gadget", admin_a, sort=sort, guard_sort=True)
    service.list_records("gadget", admin_a, sort=["code"])  # a related list's own sort, on a selective filter
    response = client_for(in_tenant_a, admin_a).get("/api/v1/records/gadget/?sort=-code")
    assert response.status_code == 400 and response.json()["errors"]["sort"][0]["code"] == "sort_needs_index"


def test_a_small_object_is_sorted_on_any_field(large, admin_a, monkeypatch):
    monkeypatch.setattr(indexing, "SORT_UNINDEXED_LIMIT", 50)
    assert [r.values["code"] for r in service.list_records("gadget", admin_a, sort=["code"], limit=2,
                                                           guard_sort=True).records] == \
        ["C2", "C3"]


def test_an_administrator_indexes_the_field_from_the_refused_list(large, admin_a, in_tenant_a):
    client = client_for(in_tenant_a, admin_a)
    refused = client.get("/app/gadget/?sort=code")
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "has no index" in body and "Index “Code”" in body
    answer = client.post("/app/gadget/index-field/", {"field": "code", "back": "?sort=code"})
    assert answer.status_code == 302 and answer["Location"] == "/app/gadget/?sort=code"
    sorted_list = client.get("/app/gadget/?sort=code")  # a small object: indexed inline, at once
    assert sorted_list.status_code == 200 and "G7" in sorted_list.content.decode()
    done = client.get("/app/gadget/index-field/?field=code", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_a_large_object_builds_the_index_in_the_background_with_progress(large, admin_a, in_tenant_a, monkeypatch):
    monkeypatch.setattr(indexing, "INLINE_LIMIT", 2)
    client = client_for(in_tenant_a, admin_a)
    client.post("/app/gadget/index-field/", {"field": "code", "back": "?sort=code"})
    assert Job.objects.filter(kind="records.build_field_index").exists()
    page = client.get("/app/gadget/?sort=code").content.decode()
    assert "Building the index of “Code”" in page and "<progress" in page  # survives a reload
    partial = client.get("/app/gadget/index-field/?field=code", HTTP_HX_REQUEST="true").content.decode()
    assert "Building the index of “Code”" in partial and 'hx-trigger="every 2s"' in partial


def test_a_salesperson_is_told_to_ask_an_administrator(large, in_tenant_a):
    rep = get_user_model().objects.create_user("sort-rep@alpha.test", None, full_name="Rep",
                                               profile=Profile.objects.get(api_name="salesperson"))
    body = client_for(in_tenant_a, rep).get("/app/gadget/?sort=code").content.decode()
    assert "Ask an administrator to index “Code”" in body and "Index “Code”" not in body.replace(
        "Ask an administrator to index “Code”", "")
    refused = client_for(in_tenant_a, rep).post("/app/gadget/index-field/", {"field": "code", "back": "?sort=code"})
    assert refused.status_code == 302 and "problem=" in refused["Location"]
