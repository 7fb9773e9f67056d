"""drf-spectacular descriptions of Tessera's authentication classes (API tokens, sessions), and the
schema class naming operations, so the OpenAPI documents describe how to authenticate and the
schema generation raises no warnings."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.urls import Resolver404, resolve
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension

if TYPE_CHECKING:
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.request import Request


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tessera.security.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: openapi.AutoSchema) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token: `Authorization: Token <key>` or `Bearer <key>`."}


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tessera.security.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: openapi.AutoSchema) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


#: Error answers any operation may give, in the one error shape (tessera.api.exceptions): bad
#: input, not logged in (or a bad token), not allowed, no such thing, a conflict, a body over the
#: limits, an unsupported media type, too many requests.
ERROR_RESPONSES = {
    "400": "Invalid input: every error of every field at once (the field's path as key); nothing was written.",
    "401": "Not logged in, or the API token is unknown, expired or revoked.",
    "403": "Not allowed.",
    "404": "No such thing (or not visible to you).",
    "405": "This method is not allowed here.",
    "409": "A conflict: changed by someone else, still in use, or a duplicate.",
    "413": "The body is larger than the API accepts.",
    "415": "The body is not JSON (or, for uploads, not multipart).",
    "429": "Too many requests; try again later.",
}
ERROR_SCHEMA = {
    "type": "object", "required": ["errors", "non_field_errors"],
    "properties": {
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorDetail"}}},
        "non_field_errors": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorDetail"}},
    },
}
ERROR_DETAIL_SCHEMA = {"type": "object", "required": ["code", "message"],
                       "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}


def document_error_responses(result: dict[str, Any], generator: SchemaGenerator, request: Request | None,
                             public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every operation documents the error answers it may
    give, in the one error shape, so clients (and schemathesis) know every status code."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", ERROR_DETAIL_SCHEMA)
    schemas.setdefault("Error", ERROR_SCHEMA)
    add_error_responses(result.get("paths", {}))
    return result


def add_error_responses(paths: dict, schema_ref: str = "#/components/schemas/Error") -> None:
    """Every operation of `paths` documents ERROR_RESPONSES (those it documents already keep
    their description); used for the static documents and for each tenant's own."""
    error = {"application/json": {"schema": {"$ref": schema_ref}}}
    for operations in paths.values():
        for method, operation in operations.items():
            if method not in ("get", "put", "patch", "post", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                documented = responses.get(status)
                if documented is None or not (documented.get("content") or "$ref" in documented):
                    responses[status] = {"description": (documented or {}).get("description") or description,
                                         "content": error}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, naming a collection's GET `…_list` when the collection also has a
    detail route below it (`/roles/` and `/roles/{id}/`). Our collections are plain APIViews, which
    drf-spectacular cannot tell from a single object's view, so both were `…_retrieve` and it
    warned of colliding operationIds (W001) and numbered them."""

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if self.method == "GET" and operation_id.endswith("_retrieve") and self._has_detail_route():
            return operation_id.removesuffix("retrieve") + "list"
        return operation_id

    def _has_detail_route(self) -> bool:
        if not self.path.endswith("/"):
            return False
        collection = re.sub(r"\{[^}]+\}", "1", self.path)  # "1" passes every converter we use
        try:
            detail = resolve(collection + "1/")
        except Resolver404:
            return False
        return detail.func is not resolve(collection).func
