"""A list's count is exact up to the service's COUNT_LIMIT (10,000), then shown as "10,000+"."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("records", "shown"), [(2, "2 records"), (3, "2+ records")])
def test_the_list_shows_its_count_exact_then_capped(in_tenant_a, admin_a, monkeypatch, records, shown):
    from tessera.records import service

    monkeypatch.setattr(service, "COUNT_LIMIT", 2)
    service.create_records("account", [{"name": f"Count {i}"} for i in range(records)], admin_a)
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_a)
    body = client.get("/app/account/?q=Count").content.decode()
    assert shown in body


@pytest.mark.parametrize(("records", "shown"), [(2, "(2)"), (3, "(2+)")])
def test_related_lists_and_the_recycle_bin_cap_their_counts_too(in_tenant_a, admin_a, monkeypatch, records, shown):
    """A record page's related list and the recycle bin count the same way as a list: exact up to
    COUNT_LIMIT, then "COUNT_LIMIT+" (never a capped number shown as if exact)."""
    from tessera.records import service

    monkeypatch.setattr(service, "COUNT_LIMIT", 2)
    account = service.create_record("account", {"name": "Parent"}, admin_a)
    service.create_records("contact", [{"name": f"Child {i}", "account": account.id} for i in range(records)], admin_a)
    gone = service.create_records("opportunity", [{"name": f"Gone {i}", "stage": "prospecting", "close_date": "2026-01-31"}
                                                  for i in range(records)], admin_a)
    for result in gone:
        service.delete_record("opportunity", result.record.id, admin_a)
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_a)
    record_page = client.get(f"/app/account/{account.id}/").content.decode()
    assert f'Contacts <span class="muted">{shown}</span>' in record_page
    bin_page = client.get("/app/recycle-bin/").content.decode()
    assert f'Opportunities <span class="muted">{shown}</span>' in bin_page
