"""File and image field types.

Files are uploaded first (`POST /api/v1/files/`), into Django's default storage under the tenant's
own prefix; the upload answers with a signed token, and a record's file field takes that token. The
signature binds the token to the tenant's schema, so a client can neither forge a path nor attach
another tenant's file. The record keeps {path, name, size, content_type}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from psycopg2 import sql

from .base import EQUALITY_OPS, ContractSamples, FieldType, FieldValueError

if TYPE_CHECKING:
    from metadata.meta import FieldMeta

TOKEN_SALT = "tessera.files"
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
#: How long an upload's token can be given to a record (seconds); unattached uploads are kept longer.
TOKEN_MAX_AGE = 7 * 24 * 3600


def make_file_token(descriptor: dict) -> str:
    return signing.dumps({**descriptor, "schema": connection.schema_name},  # type: ignore[attr-defined]
                         salt=TOKEN_SALT, compress=True)


def read_file_token(token: str) -> dict:
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise FieldValueError("invalid_file", _("Upload the file first and give its token.")) from None
    if data.pop("schema", None) != connection.schema_name:  # type: ignore[attr-defined]
        raise FieldValueError("invalid_file", _("Upload the file first and give its token."))
    return data


class FileFieldType(FieldType):
    key = "file"
    label = pgettext_lazy("field type", "File")
    supports_default = False
    holds_files = True
    sortable = False
    imports_text = False
    filter_ops = frozenset({"isnull"})
    sql_type = "jsonb"
    widget = "file"
    options_schema = {
        "type": "object",
        "properties": {"max_size_mb": {"type": "integer", "minimum": 1, "maximum": 100}},
        "additionalProperties": False,
    }

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        if raw is None or raw == "":
            return None
        if isinstance(raw, dict) and "token" in raw:
            raw = raw["token"]
        if isinstance(raw, dict) and {"path", "name"} <= set(raw):
            # Unchanged value sent back by a client: accepted only if it is what the record holds
            # (the pipeline compares it with the stored value).
            return {k: raw[k] for k in ("path", "name", "size", "content_type") if k in raw}
        if not isinstance(raw, str):
            raise FieldValueError("invalid_file", _("Upload the file first and give its token."))
        return read_file_token(raw)

    def validate(self, value: Any, field: FieldMeta) -> None:
        limit = int(field.options.get("max_size_mb") or 20) * 1024 * 1024
        if value.get("size") and value["size"] > limit:
            raise FieldValueError("file_too_large", _("The file is larger than the limit."))

    def json_sql(self, data: sql.Composable, key: str) -> sql.Composable:
        return sql.SQL("({} -> {})").format(data, sql.Literal(key))

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        return "" if not value else value.get("name", "")

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        """As read, `{"name", "size", "content_type", "token", "url"}`; as written, an upload's
        token or the value read (to keep the file)."""
        if for_input:
            return {"oneOf": [{"type": "string", "description": "The token of an upload (POST /files/)."},
                              {"$ref": "#/components/schemas/FileValue"}, {"type": "null"}]}
        return {"oneOf": [{"$ref": "#/components/schemas/FileValue"}, {"type": "null"}]}

    def widget_descriptor(self, field: FieldMeta, language: str | None) -> dict:
        return {"widget": self.widget, "max_size_mb": int(field.options.get("max_size_mb") or 20)}

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({"max_size_mb": 1}, (
            {"path": "t/a1/report.pdf", "name": "report.pdf", "size": 1200, "content_type": "application/pdf"},))


class ImageFieldType(FileFieldType):
    key = "image"
    label = pgettext_lazy("field type", "Image")
    widget = "image"
    filter_ops = EQUALITY_OPS & {"isnull"}

    def validate(self, value: Any, field: FieldMeta) -> None:
        super().validate(value, field)
        if value.get("content_type") not in IMAGE_TYPES:
            raise FieldValueError("invalid_image", _("Upload a PNG, JPEG, GIF or WebP image."))

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, (
            {"path": "t/a1/logo.png", "name": "logo.png", "size": 800, "content_type": "image/png"},))
