"""Uploads and downloads of the files that file and image fields hold.

An upload goes into Django's default storage under the tenant's own prefix
(``tenants/<schema>/files/<yyyy>/<mm>/<uuid>/<name>``) and answers with a token
(metadata.fieldtypes.files.make_file_token): a short-lived, single-use capability of the uploader
that a record's file field takes (tessera.records.uploads). A download is given only the reference a
record's JSON carries (serialize.py), signed and bound to the tenant's schema, and is served only
while the reader may read that record and that field, and the record still holds the file: a file
is reached through a record, never on its own (an upload token downloads nothing).
"""

from __future__ import annotations

import mimetypes
import os

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from metadata.fieldtypes.files import IMAGE_TYPES, make_file_token, read_download_reference
from tessera.errors import NotFound, PermissionDenied, TesseraError, ValidationFailed
from tessera.records import service, uploads
from tessera.records.serialize import readable_fields
from tessera.security.actor import Actor

#: The largest upload accepted (a file field may set a lower limit, up to 100 MB).
DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
#: Multipart framing around the file itself.
MULTIPART_SLACK = 64 * 1024
MAX_NAME_LENGTH = 200

_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}


class FileTooLarge(TesseraError):
    status = 413
    code = "file_too_large"


def max_upload_bytes() -> int:
    return int(getattr(settings, "TESSERA_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def check_upload_length(content_length: int | None) -> None:
    """Refuse an oversized upload from its Content-Length, before reading the body."""
    if content_length is not None and content_length > max_upload_bytes() + MULTIPART_SLACK:
        raise _too_large()


def _too_large() -> FileTooLarge:
    return FileTooLarge(_("The file is larger than %(mb)d MB.") % {"mb": max(1, max_upload_bytes() // 2**20)})


def store_upload(uploaded: UploadedFile | None, actor: Actor) -> dict:
    """Store an uploaded file in this tenant's space; returns {"token", "name", "size", "content_type"}."""
    if uploaded is None:
        raise ValidationFailed.single("file", "required", _("Send the file as multipart form data in “file”."))
    if uploaded.size > max_upload_bytes():  # type: ignore[operator]  # an upload always has a size
        raise _too_large()
    if not uploaded.size:
        raise ValidationFailed.single("file", "empty", _("The file is empty."))
    name = clean_name(uploaded.name)
    content_type = sniff_content_type(uploaded, name)
    saved = default_storage.save(uploads.new_upload_path(name), uploaded)
    descriptor = {"path": saved, "name": name, "size": int(uploaded.size), "content_type": content_type}
    uploaded_by = uploads.record_upload(saved, actor)
    return {"token": make_file_token(descriptor, uploaded_by), "name": name, "size": descriptor["size"],
            "content_type": content_type}


def clean_name(name: str | None) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    stem, ext = os.path.splitext(base)
    cleaned = get_valid_filename(stem[: MAX_NAME_LENGTH - len(ext[:20])] + ext[:20]) if base else ""
    return cleaned or "file"


def sniff_content_type(uploaded: UploadedFile, name: str) -> str:
    """The content type, never trusting the client for images: a file declared or named as an
    image must start like one (so an HTML page cannot pass as a picture)."""
    declared = (getattr(uploaded, "content_type", None) or "").split(";")[0].strip().lower()
    guessed = mimetypes.guess_type(name)[0] or ""
    head = _head(uploaded)
    for kind, signatures in _MAGIC.items():
        if any(head.startswith(s) for s in signatures):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    candidate = declared if declared and declared != "application/octet-stream" else guessed
    # Never an unproven image, nor anything a browser would run.
    if not candidate or candidate.startswith("image/") or "html" in candidate or "javascript" in candidate \
            or candidate.endswith("xml"):
        return "application/octet-stream"
    return candidate


def _head(uploaded: UploadedFile) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    return head


class Download:
    def __init__(self, path: str, name: str, content_type: str) -> None:
        self.path, self.name, self.content_type = path, name, content_type

    def open(self) -> File:
        return default_storage.open(self.path, "rb")

    @property
    def inline(self) -> bool:
        return self.content_type in IMAGE_TYPES


def find_download(token: str, actor: Actor) -> Download:
    """The file behind a download reference, if the record it names is one `actor` may read, in a
    field they may read, that still holds the file; else NotFound (the same answer for a file that
    does not exist, so nothing is learnt from it)."""
    reference = read_download_reference(token)
    if reference is None or not reference.get("o"):
        raise _missing()
    path = reference.get("p")
    try:
        record = service.get_record(reference["o"], int(reference["r"]), actor)
    except (NotFound, PermissionDenied):
        raise _missing() from None
    readable = {f.api_name for f in readable_fields(record.object, actor)}
    name = reference.get("f")
    held = record.values.get(name) if isinstance(name, str) and name in readable else None
    if not isinstance(held, dict) or held.get("path") != path:
        raise _missing()
    descriptor = {"path": path, "name": reference.get("n"), "content_type": reference.get("t")}
    path = descriptor.get("path") or ""
    if not path.startswith(f"tenants/{connection.schema_name}/") or ".." in path.split("/"):  # type: ignore[attr-defined]
        raise _missing()
    if not default_storage.exists(path):
        raise _missing()
    return Download(path, descriptor.get("name") or os.path.basename(path),
                    descriptor.get("content_type") or "application/octet-stream")


def _missing() -> NotFound:
    return NotFound(_("No such file."), code="unknown_file")
