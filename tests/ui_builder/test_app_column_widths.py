"""Column widths on list views: set in the URL (`widths=`), kept by a saved view (the list view
spec's `widths`), checked by the metadata service."""

from __future__ import annotations

import pytest
from django.test import Client

from metadata.services.list_views import create_list_view
from tessera.errors import ValidationFailed
from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(in_tenant_a, admin_a):
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_a)
    return client


def test_widths_in_the_url_size_the_columns(client):
    body = client.get("/app/account/?columns=name,industry&widths=name:240,industry:9999,nope:100,x:abc").content.decode()
    assert 'data-column="name" data-width="240"' in body
    assert 'data-column="industry" data-width="1200"' in body  # held to the bounds
    assert 'name="widths" value="name:240,industry:1200"' in body


def test_a_saved_view_keeps_its_widths(client):
    answer = client.post("/app/account/views/", {"name": "Wide names", "columns": "name,industry",
                                                 "widths": "name:300,owner:80", "state": "", "sort": "name"})
    view_name = answer["Location"].split("view=")[1]
    body = client.get(f"/app/account/?view={view_name}").content.decode()
    assert 'data-column="name" data-width="300"' in body and 'data-width="80"' not in body  # owner is not shown


def test_the_service_checks_widths(in_tenant_a, admin_a):
    with pytest.raises(ValidationFailed) as stray:
        create_list_view("account", {"api_name": "w1", "columns": ["name"], "widths": {"industry": 100}}, admin_a)
    assert "widths" in stray.value.field_errors
    with pytest.raises(ValidationFailed):
        create_list_view("account", {"api_name": "w2", "columns": ["name"], "widths": {"name": 5}}, admin_a)
    view = create_list_view("account", {"api_name": "w3", "columns": ["name"], "widths": {"name": 200},
                                        "shared": True}, admin_a)
    assert dict(view.widths) == {"name": 200}
