"""The tenant's own OpenAPI 3.1 document: its objects and fields as integrators see them.

Each object the reader may read gets component schemas (the record as returned, the input of a
create, the input of an update, a page of a list) whose properties come from the field types'
``openapi_schema`` (enums for picklists, read-only flags for system and computed fields, the
required list), and paths for list (every filter parameter of every field and operator), create,
retrieve, update, delete, bulk, restore and history. Fields the reader may not read are absent.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from metadata.cache import get_meta
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta, pick_label
from tessera.api.spectacular import add_error_responses
from tessera.errors import PermissionDenied
from tessera.records import service
from tessera.records.filters import filter_ops
from tessera.security.access import RecordAccess
from tessera.security.actor import Actor

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"
OP_WORDS = {
    "eq": "equals", "ne": "differs from (blanks included)", "lt": "is less than", "lte": "is at most",
    "gt": "is greater than", "gte": "is at least", "in": "is one of (comma-separated)",
    "contains": "contains", "startswith": "starts with (case-sensitive)", "isnull": "is blank (true/false)",
    "range": "is within low,high (either end may be empty; dates also take a period such as this_month, "
             "last_n_days:30)",
}


def tenant_openapi(actor: Actor, *, language: str | None, title: str, server_url: str) -> dict[str, Any]:
    tenant = get_meta()
    access = service.access_for(actor)
    schemas: dict[str, Any] = dict(_shared_schemas())
    paths: dict[str, Any] = {}
    tags = []
    for obj in sorted(tenant.objects.values(), key=lambda o: o.api_name):
        try:
            access.require(obj, "read")
        except PermissionDenied:
            continue
        fields = service.readable_fields(obj, access)
        name = schema_name(obj)
        schemas[name] = _record_schema(obj, fields, access, language)
        schemas[f"{name}Input"] = _input_schema(tenant, obj, fields, access, language, create=True)
        schemas[f"{name}Update"] = _input_schema(tenant, obj, fields, access, language, create=False)
        schemas[f"{name}Page"] = _page_schema(name)
        paths.update(_object_paths(obj, fields, name, language))
        tags.append({"name": obj.api_name, "description": obj.label(language, plural=True)})
    paths.update(_file_paths())
    add_error_responses(paths)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": f"{tenant.version}",
                 "description": _("The records API of this tenant, generated from its objects and fields.")},
        "servers": [{"url": server_url}],
        "tags": tags,
        "security": [{"session": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": _shared_parameters(),
            "responses": _shared_responses(),
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sessionid"}},
        },
    }


def schema_name(obj: ObjectMeta) -> str:
    return "".join(part.capitalize() for part in re.split(r"_+", obj.api_name) if part) or "Record"


# --- schemas of values ------------------------------------------------------------------------


def value_schema(field: FieldMeta, *, for_input: bool = False) -> dict[str, Any]:
    """The schema of one field's value, from its type (nullable unless the type never gives null)."""
    return field.type.openapi_schema(field, for_input=for_input)


def _property(obj: ObjectMeta, field: FieldMeta, access: RecordAccess, language: str | None, *,
              for_input: bool) -> dict[str, Any]:
    schema = value_schema(field, for_input=for_input)
    schema["title"] = field.label(language)
    help_text = pick_label(field.help_text, language)
    if help_text:
        schema["description"] = help_text
    if not for_input and not _editable(obj, field, access):
        schema["readOnly"] = True
    schema["x-tessera-type"] = field.type.key
    return schema


def _editable(obj: ObjectMeta, field: FieldMeta, access: RecordAccess) -> bool:
    return (field.writable or field.api_name == "owner") and access.editable(obj, field)


def _category_schema(obj: ObjectMeta) -> dict[str, Any]:
    keys = [c.api_name for c in obj.categories.values()]
    return {"type": ["string", "null"], "enum": [*keys, None]} if keys else {"type": ["string", "null"]}


def _record_schema(obj: ObjectMeta, fields: list[FieldMeta], access: RecordAccess,
                   language: str | None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"type": "integer", "format": "int64", "readOnly": True},
        "version": {"type": "integer", "readOnly": True,
                    "description": "Increases with every change; send it back (or If-Match) to update safely."},
        "category": _category_schema(obj),
    }
    for field in fields:
        properties[field.api_name] = _property(obj, field, access, language, for_input=False)
    return {"type": "object", "title": obj.label(language), "description": obj.description or obj.label(language),
            "properties": properties, "required": list(properties)}


def _input_schema(tenant: TenantMeta, obj: ObjectMeta, fields: list[FieldMeta], access: RecordAccess, language: str | None,
                  *, create: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {"category": _category_schema(obj)}
    if not create:
        properties["version"] = {"type": "integer", "description": "The version you read; a stale one is refused."}
    required = []
    for field in fields:
        if not _editable(obj, field, access):
            continue
        properties[field.api_name] = _property(obj, field, access, language, for_input=True)
        if field.required and field.type.supports_required:
            properties[field.api_name] = _not_blank(properties[field.api_name])
            if create and field.default is None:
                required.append(field.api_name)
    schema = {"type": "object", "properties": properties,
              "description": "Read-only fields may be sent back unchanged; changing them is refused."}
    if required:
        schema["required"] = required
    return schema


def _not_blank(schema: dict[str, Any]) -> dict[str, Any]:
    """A required field's input: never null, and text with something in it (blank is missing)."""
    schema = dict(schema)
    if isinstance(schema.get("type"), list):
        schema["type"] = [t for t in schema["type"] if t != "null"]
        schema["type"] = schema["type"][0] if len(schema["type"]) == 1 else schema["type"]
    if "enum" in schema:
        schema["enum"] = [v for v in schema["enum"] if v is not None]
    for choice in ("oneOf", "anyOf"):
        if choice in schema:
            schema[choice] = [s for s in schema[choice] if s.get("type") != "null"]
    if schema.get("type") == "string" and "enum" not in schema:
        schema["pattern"] = schema.get("pattern") or r"\S"
    return schema


def _page_schema(name: str) -> dict[str, Any]:
    return {"type": "object", "required": ["results", "next"], "properties": {
        "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
        "next": {"type": ["string", "null"], "description": "Cursor of the next page (give it as `cursor`)."},
        "next_url": {"type": "string"},
        "count": {"type": "integer", "description": "Only when asked with count=true."},
        }}


# --- paths --------------------------------------------------------------------------------------


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _body(schema: dict) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


def _ok(description: str, schema: dict) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _object_paths(obj: ObjectMeta, fields: list[FieldMeta], name: str, language: str | None) -> dict[str, Any]:
    api = obj.api_name
    label = obj.label(language, plural=True)
    record = _ref("schemas", name)
    errors = {"400": _ref("responses", "Invalid"), "403": _ref("responses", "Forbidden"),
              "404": _ref("responses", "NotFound")}
    record_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "format": "int64"}}
    confirm = _ref("parameters", "confirm_duplicates")
    bulk_items = {"type": "array", "maxItems": service.MAX_BULK, "minItems": 1}
    return {
        f"/records/{api}/": {
            "get": {"operationId": f"list_{api}", "tags": [api], "summary": f"List {label}",
                    "parameters": [_ref("parameters", p) for p in
                                   ("sort", "limit", "cursor", "fields", "expand", "count", "deleted")]
                    + _filter_parameters(fields, language),
                    "responses": {"200": _ok("A page of records.", _ref("schemas", f"{name}Page")), **errors}},
            "post": {"operationId": f"create_{api}", "tags": [api], "summary": f"Create a record ({label})",
                     "parameters": [confirm],
                     "requestBody": _body(_ref("schemas", f"{name}Input")),
                     "responses": {"201": _ok("The new record.", record), **errors,
                                   "409": _ref("responses", "PossibleDuplicates")}},
        },
        f"/records/{api}/{{id}}/": {
            "parameters": [record_id],
            "get": {"operationId": f"get_{api}", "tags": [api], "summary": "Read a record",
                    "parameters": [_ref("parameters", "expand")],
                    "responses": {"200": _ok("The record.", record), **errors}},
            "patch": {"operationId": f"update_{api}", "tags": [api], "summary": "Change a record",
                      "parameters": [_ref("parameters", "if_match"), confirm],
                      "requestBody": _body(_ref("schemas", f"{name}Update")),
                      "responses": {"200": _ok("The record as saved.", record), **errors,
                                    "409": _ref("responses", "Conflict")}},
            "delete": {"operationId": f"delete_{api}", "tags": [api],
                       "summary": "Move a record to the recycle bin (lookups' on-delete rules apply)",
                       "responses": {"204": {"description": "Deleted."}, **errors,
                                     "409": _ref("responses", "Conflict")}},
        },
        f"/records/{api}/bulk/": {
            "parameters": [_ref("parameters", "mode"), confirm, _ref("parameters", "return")],
            "post": {"operationId": f"bulk_create_{api}", "tags": [api],
                     "summary": "Create many records (or upsert them by a key: upsert_on)",
                     "parameters": [_ref("parameters", "upsert_on")],
                     "requestBody": _body({**bulk_items, "items": _ref("schemas", f"{name}Input")}),
                     "responses": _bulk_responses()},
            "patch": {"operationId": f"bulk_update_{api}", "tags": [api], "summary": "Change many records",
                      "requestBody": _body({**bulk_items, "items": {"allOf": [
                          _ref("schemas", f"{name}Update"),
                          {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}]}}),
                      "responses": _bulk_responses()},
        },
        f"/records/{api}/{{id}}/restore/": {
            "parameters": [record_id],
            "post": {"operationId": f"restore_{api}", "tags": [api],
                     "summary": "Bring a record back from the recycle bin, with what its delete cascaded to",
                     "responses": {"200": _ok("The restored record.", record), **errors}},
        },
        f"/records/{api}/{{id}}/history/": {
            "parameters": [record_id],
            "get": {"operationId": f"history_{api}", "tags": [api], "summary": "Changes of tracked fields",
                    "responses": {"200": _ok("Newest first.", _ref("schemas", "History")), **errors}},
        },
    }


def _bulk_responses() -> dict[str, Any]:
    result = _ref("schemas", "BulkResult")
    return {"200": _ok("Every row written (or, per row, the result of each).", result),
            "201": _ok("Every row created.", result),
            "207": _ok("Per row: some rows were not written.", result),
            "400": _ref("responses", "Invalid"), "403": _ref("responses", "Forbidden"),
            "404": _ref("responses", "NotFound"), "409": _ref("responses", "PossibleDuplicates")}


def _filter_parameters(fields: list[FieldMeta], language: str | None) -> list[dict[str, Any]]:
    parameters = []
    for field in fields:
        ops = filter_ops(field)
        for op in ("eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "startswith", "isnull", "range"):
            if op not in ops:
                continue
            schema = field.type.filter_parameter_schema(op, field)
            parameters.append({
                "name": field.api_name if op == "eq" else f"{field.api_name}__{op}",
                "in": "query", "required": False, "schema": schema,
                "description": f"{field.label(language)} {OP_WORDS[op]}. Repeat to combine (AND).",
            })
    return parameters


def _file_paths() -> dict[str, Any]:
    return {
        "/files/": {"post": {
            "operationId": "upload_file", "tags": ["files"], "summary": "Upload a file for a file or image field",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}}}}}},
            "responses": {"201": _ok("The upload's token, for a record's file field: single-use, for the "
                                     "uploader only, valid an hour.", _ref("schemas", "Upload")),
                          "400": _ref("responses", "Invalid"), "413": _ref("responses", "Invalid")}}},
        "/files/{token}/": {"get": {
            "operationId": "download_file", "tags": ["files"],
            "summary": "Download a file (the url of a record's file: served while you may read that field of "
                       "that record)",
            "parameters": [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The file.",
                                  "content": {"application/octet-stream": {"schema": {"type": "string"}}}},
                          "404": _ref("responses", "NotFound")}}},
    }


# --- shared components ---------------------------------------------------------------------------


def _shared_schemas() -> dict[str, Any]:
    detail = {"type": "object", "required": ["code", "message"],
              "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}
    row_errors = {"type": "object", "additionalProperties": {"type": "array", "items": _ref("schemas", "ErrorDetail")}}
    return {
        "ErrorDetail": detail,
        "Error": {"type": "object", "required": ["errors", "non_field_errors"], "properties": {
            "errors": row_errors,
            "non_field_errors": {"type": "array", "items": _ref("schemas", "ErrorDetail")},
            "rows": {"type": "array", "description": "Bulk writes: the errors of each invalid row.",
                     "items": {"type": "object", "properties": {
                         "index": {"type": "integer"}, "errors": row_errors,
                         "non_field_errors": {"type": "array", "items": _ref("schemas", "ErrorDetail")}}}},
            "duplicates": {"type": "array", "items": {"type": "object"}},
        }},
        "ExpandedLookup": {"type": "object", "required": ["id", "name"], "properties": {
            "id": {"type": "integer", "format": "int64"}, "name": {"type": ["string", "null"]}}},
        "FileValue": {"type": "object", "required": ["name", "url"], "properties": {
            "name": {"type": "string"}, "size": {"type": ["integer", "null"]},
            "content_type": {"type": ["string", "null"]},
            "url": {"type": "string", "description": "Downloads the file (checking your access each time); "
                                                     "send the value back unchanged to keep the file."}}},
        "Upload": {"type": "object", "required": ["token", "name", "size", "content_type"], "properties": {
            "token": {"type": "string"}, "name": {"type": "string"}, "size": {"type": "integer"},
            "content_type": {"type": "string"}}},
        "BulkResult": {"type": "object", "required": ["results"], "properties": {
            "results": {"type": "array", "items": {"type": "object", "required": ["index", "status"], "properties": {
                "index": {"type": "integer"}, "id": {"type": ["integer", "null"]},
                "status": {"enum": ["created", "updated", "error", "duplicate"]},
                "errors": row_errors,
                "non_field_errors": {"type": "array", "items": _ref("schemas", "ErrorDetail")},
                "duplicates": {"type": "array", "items": {"type": "object"}},
                "record": {"type": "object"}}}}}},
        "History": {"type": "object", "properties": {"results": {"type": "array", "items": {
            "type": "object", "properties": {
                "id": {"type": "integer"}, "action": {"type": "string"},
                "at": {"type": "string", "format": "date-time"}, "user": {"type": ["integer", "null"]},
                "changes": {"type": "array", "items": {"type": "object", "properties": {
                    "field": {"type": "string"}, "old": {}, "new": {}}}}}}}}},
    }


def _shared_parameters() -> dict[str, Any]:
    def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    return {
        "sort": query("sort", {"type": "string"}, "Comma-separated fields, `-` for descending, e.g. -close_date,name."),
        "limit": query("limit", {"type": "integer", "minimum": 1, "maximum": service.MAX_PAGE,
                                 "default": service.DEFAULT_PAGE}, "Records per page."),
        "cursor": query("cursor", {"type": "string"}, "The `next` of the previous page."),
        "fields": query("fields", {"type": "string"}, "Comma-separated fields to return (default: all)."),
        "expand": query("expand", {"type": "string"}, "Comma-separated lookups to return as {id, name}."),
        "count": query("count", {"type": "boolean"}, "Also count every matching record."),
        "deleted": query("deleted", {"enum": ["only"]}, "List the recycle bin instead."),
        "confirm_duplicates": query("confirm_duplicates", {"type": "boolean"},
                                    "Save even though records that look the same exist (a warning rule)."),
        "mode": query("mode", {"enum": ["all_or_nothing", "per_row"], "default": "all_or_nothing"},
                      "all_or_nothing: one bad row and nothing is written; per_row: each valid row is written."),
        "upsert_on": query("upsert_on", {"type": "string"},
                           "Upsert: a unique field, or several fields together (comma-separated), identifying "
                           "records. A row whose key a record holds updates it (status `updated`), the others "
                           "are created. Two rows with the same key are both refused, and so is a key several "
                           "records hold."),
        "return": query("return", {"enum": ["representation", "minimal"], "default": "representation"},
                        "minimal: each row's index, id, status and errors, without the record."),
        "if_match": {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                     "description": "The version you read; a stale one gives 409."},
    }


def _shared_responses() -> dict[str, Any]:
    error = _ref("schemas", "Error")
    return {name: _ok(description, error) for name, description in (
        ("Invalid", "Invalid input: every error of every field at once; nothing was written."),
        ("Forbidden", "Not logged in, or not allowed."),
        ("NotFound", "No such object or record."),
        ("Conflict", "Changed by someone else (stale_version), or still referred to (in_use)."),
        ("PossibleDuplicates", "Records that look the same exist; confirm_duplicates=true saves anyway."),
    )}
