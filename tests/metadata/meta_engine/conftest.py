"""Fixtures of the metadata tests: API clients logged in as tenant A's administrator or as an
ordinary user, and small helpers for the API's JSON and error shape."""

from __future__ import annotations

import json

import pytest
from django.db import connection

API = "/api/v1/meta/"


class Api:
    """A Django test client speaking JSON to `/api/v1/meta/…` on one tenant's host."""

    def __init__(self, client, tenant):
        self.client = client
        self.tenant = tenant

    def _call(self, method, path, body=None, **params):
        url = path if path.startswith("/") else API + path
        kwargs = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        if params:
            kwargs["QUERY_STRING"] = "&".join(f"{k}={v}" for k, v in params.items())
        response = getattr(self.client, method)(url, **kwargs)
        connection.set_tenant(self.tenant)  # the test body goes on in the tenant's schema
        return response

    def get(self, path, **params):
        return self._call("get", path, **params)

    def post(self, path, body=None):
        return self._call("post", path, {} if body is None else body)

    def patch(self, path, body):
        return self._call("patch", path, body)

    def put(self, path, body):
        return self._call("put", path, body)

    def delete(self, path):
        return self._call("delete", path)


def errors_of(response) -> dict:
    """field → error codes, from the one error shape every endpoint answers with."""
    body = response.json()
    assert set(body) == {"errors", "non_field_errors"}, body
    return {name: [d["code"] for d in details] for name, details in body["errors"].items()}


def non_field_codes(response) -> list[str]:
    return [d["code"] for d in response.json()["non_field_errors"]]


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
    from conftest import host_of
    from django.test import Client

    client = Client(HTTP_HOST=host_of(tenant_a))
    client.force_login(user_a)
    return Api(client, tenant_a)


def labels(en: str, zh: str | None = None) -> dict:
    return {"en": en, "zh-hans": zh or en}


def picklist_values(*keys: str) -> list[dict]:
    return [{"key": key, "labels": labels(key.title())} for key in keys]


@pytest.fixture
def other_user_api(tenant_a, other_user_a) -> Api:
    """Another ordinary user of tenant A."""
    from conftest import host_of
    from django.test import Client

    client = Client(HTTP_HOST=host_of(tenant_a))
    client.force_login(other_user_a)
    return Api(client, tenant_a)
