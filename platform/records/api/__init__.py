"""The records REST API, under `/api/v1/` on a tenant's host.

    GET    records/<object>/                 list: `field__op=value` filters (eq ne lt lte gt gte in
                                             contains startswith isnull range; `lookup.field` paths;
                                             repeatable), sort=-a,b  limit=1..200  cursor  fields=a,b
                                             expand=lookup  count=true  deleted=only
                                             → {"results": [record…], "next": cursor|null, "next_url", "count"}
    POST   records/<object>/                 create → 201 record  (?confirm_duplicates=true)
    POST   records/<object>/bulk/            create ≤ 1,000  (?mode=all_or_nothing|per_row)
    PATCH  records/<object>/bulk/            update ≤ 1,000 rows {"id", "version"?, field…}
                                             → {"results": [{"index", "id", "status", "errors",
                                                 "non_field_errors", "duplicates", "record"}], "counts"}
    GET    records/<object>/<id>/            read (?expand=)            ETag: "<version>"
    PATCH  records/<object>/<id>/            change (If-Match or "version"; stale → 409 stale_version)
    DELETE records/<object>/<id>/            to the recycle bin → 204 (restrict → 409 in_use)
    POST   records/<object>/<id>/restore/    back from the recycle bin, with what the delete cascaded to
    GET    records/<object>/<id>/history/    {"results": [{"id", "action", "at", "user", "changes": [{field, old, new}]}]}
    GET    records/<object>/form/            form descriptor (?layout= &category= &record=), see forms.py
    POST   files/                            multipart `file` → 201 {"token", "name", "size", "content_type"}
    GET    files/<token>/                    download
    GET    openapi.json                      this tenant's OpenAPI 3.1 document (its objects and fields)
    GET    schema/                           the static drf-spectacular schema of the tenant API

A record is flat: {"id", "version", "category", <field api_name>: value…} with values as the field
types give them (serialize.py). Every error: {"errors": {field: [{code, message}]},
"non_field_errors": [...]} (+ "rows" for bulk, "duplicates" for possible_duplicates).
"""
