"""The metadata API as tests speak it: a JSON client for `/api/v1/meta/…` on one tenant's host,
readers of the one error shape, and label / picklist builders."""

from __future__ import annotations

import json

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


def labels(en: str, zh: str | None = None) -> dict:
    return {"en": en, "zh-hans": zh or en}


def picklist_values(*keys: str) -> list[dict]:
    return [{"key": key, "labels": labels(key.title())} for key in keys]
