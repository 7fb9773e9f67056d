"""Fixtures of the metadata tests: API clients logged in as tenant A's administrator or as an
ordinary user (the client and the error-shape helpers are in tests.helpers.metadata_api)."""

from __future__ import annotations

import pytest

from tests.helpers.metadata_api import Api
from tests.helpers.tenants import host_of


@pytest.fixture
def user_a(in_tenant_a):
    """An ordinary (non-admin) user of tenant A."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("sales@alpha.test", "pw-Sales-123456", full_name="Sales Person")


@pytest.fixture
def other_user_a(in_tenant_a):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("other@alpha.test", "pw-Other-123456")


@pytest.fixture
def api(client_a, admin_a, tenant_a) -> Api:
    """tenant A's administrator."""
    client_a.force_login(admin_a)
    return Api(client_a, tenant_a)


@pytest.fixture
def user_api(tenant_a, user_a) -> Api:
    """An ordinary user of tenant A (no customise right)."""
    from django.test import Client

    client = Client(HTTP_HOST=host_of(tenant_a))
    client.force_login(user_a)
    return Api(client, tenant_a)


@pytest.fixture
def other_user_api(tenant_a, other_user_a) -> Api:
    """Another ordinary user of tenant A."""
    from django.test import Client

    client = Client(HTTP_HOST=host_of(tenant_a))
    client.force_login(other_user_a)
    return Api(client, tenant_a)
