"""File and image field types.

Files are uploaded first (`POST /api/v1/files/`), into Django's default storage under the tenant's
own prefix; the upload answers with a token that a record's file field takes. The token is a
single-use capability of the uploader: signed (bound to the tenant's schema and the uploader, so a
client can neither forge a path nor attach another tenant's or another user's file), short-lived
(TOKEN_MAX_AGE), and taken once (the records runtime attaches the upload in the write's transaction,
tessera.records.uploads). The record keeps {path, name, size, content_type}; its JSON carries the
name, size, type and a download reference (make_download_reference) naming the record and field, so
every download checks that the reader may still read that field of that record, which still holds
the file. Upload tokens never appear in a record's JSON and never download anything.
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
#: Signs download references; distinct from the upload token's salt.
DOWNLOAD_SALT = "tessera.files.download"
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
#: How long an upload's token can be given to a record (seconds); unattached uploads are kept longer.
TOKEN_MAX_AGE = 3600
DESCRIPTOR_KEYS = ("path", "name", "size", "content_type")


class NewUpload(dict):
    """A file value read from an upload token: the stored descriptor, plus who uploaded it, so the
    records runtime can attach it once, for its uploader only."""

    def __init__(self, descriptor: dict, uploaded_by: int | None):
        super().__init__(descriptor)
        self.uploaded_by = uploaded_by


def make_file_token(descriptor: dict, uploaded_by: int | None) -> str:
    return signing.dumps({**{k: descriptor[k] for k in DESCRIPTOR_KEYS if k in descriptor},
                          "schema": connection.schema_name, "by": uploaded_by},  # type: ignore[attr-defined]
                         salt=TOKEN_SALT, compress=True)


def read_file_token(token: str) -> NewUpload:
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise FieldValueError("invalid_file", _("Upload the file first and give its token.")) from None
    if not isinstance(data, dict) or data.pop("schema", None) != connection.schema_name:  # type: ignore[attr-defined]
        raise FieldValueError("invalid_file", _("Upload the file first and give its token."))
    return NewUpload({k: data[k] for k in DESCRIPTOR_KEYS if k in data}, data.get("by"))


def make_download_reference(descriptor: dict, holder: tuple[str, int | None, str] | None) -> str:
    """A signed, tenant-bound reference to a stored file, naming the (object, record id, field) that
    holds it so each download can check the reader may still read it there."""
    payload = {"p": descriptor["path"], "n": descriptor.get("name"), "z": descriptor.get("size"),
               "t": descriptor.get("content_type"), "s": connection.schema_name}  # type: ignore[attr-defined]
    if holder is not None and holder[1] is not None:
        payload.update(o=holder[0], r=holder[1], f=holder[2])
    return signing.dumps(payload, salt=DOWNLOAD_SALT, compress=True)


def read_download_reference(reference: str) -> dict | None:
    """The payload of a download reference of this tenant, or None."""
    try:
        data = signing.loads(reference, salt=DOWNLOAD_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != connection.schema_name:  # type: ignore[attr-defined]
        return None
    return data


def _descriptor_of_url(url: object) -> dict:
    """A record's file sent back as the API showed it ({"name", …, "url"}): the descriptor its
    reference names (the write pipeline keeps it only if it is what the record holds already)."""
    reference = read_download_reference(url.rstrip("/").rsplit("/", 1)[-1]) if isinstance(url, str) else None
    if reference is None:
        raise FieldValueError("invalid_file", _("Upload the file first and give its token."))
    return {"path": reference.get("p"), "name": reference.get("n"), "size": reference.get("z"),
            "content_type": reference.get("t")}


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
        if isinstance(raw, dict) and "url" in raw:
            # Unchanged value sent back by a client: accepted only if it is what the record holds
            # (the pipeline compares it with the stored value).
            return _descriptor_of_url(raw["url"])
        if isinstance(raw, dict) and {"path", "name"} <= set(raw):
            return {k: raw[k] for k in DESCRIPTOR_KEYS if k in raw}
        if not isinstance(raw, str):
            raise FieldValueError("invalid_file", _("Upload the file first and give its token."))
        return read_file_token(raw)

    def validate(self, value: Any, field: FieldMeta) -> None:
        limit = int(field.options.get("max_size_mb") or 20) * 1024 * 1024
        if value.get("size") and value["size"] > limit:
            raise FieldValueError("file_too_large", _("The file is larger than the limit."))

    def to_storage(self, value: Any, field: FieldMeta) -> Any:
        return dict(value) if value else value

    def json_sql(self, data: sql.Composable, key: str) -> sql.Composable:
        return sql.SQL("({} -> {})").format(data, sql.Literal(key))

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        return "" if not value else value.get("name", "")

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        """As read, `{"name", "size", "content_type", "url"}`; as written, an upload's
        token or the value read (to keep the file)."""
        if for_input:
            return {"oneOf": [{"type": "string", "description": "The token of an upload (POST /files/): "
                                                                "single-use, yours only, valid an hour."},
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
