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
