"""Uploads waiting for a record: who uploaded each file, and whether its token was used.

An upload token (metadata.fieldtypes.files) is signed and short-lived; this table makes it single-use
and bound to its uploader: a write attaches it once, in the write's own transaction (a write that
rolls back gives it back), and only for the user who uploaded it (or SYSTEM: imports and
maintenance, an explicit actor of its own).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from metadata.fieldtypes.files import DESCRIPTOR_KEYS, make_file_token
from tessera.security.access import RecordAccess, user_id
from tessera.security.actor import Actor

from .models import Upload


def new_upload_path(name: str) -> str:
    """Where a new upload named `name` (a clean file name) is stored: under the tenant's own prefix."""
    schema = connection.schema_name  # type: ignore[attr-defined]
    return f"tenants/{schema}/files/{dt.date.today():%Y/%m}/{uuid.uuid4().hex}/{name}"


def copy_as_upload(descriptor: Mapping, actor: Actor) -> str:
    """A copy of a file a record holds, as a new upload of `actor`; returns its token. (A merge
    gives the kept record the other one's file through the update path, which takes files only
    from uploads; the other record keeps its own file in the recycle bin.)"""
    with default_storage.open(descriptor["path"], "rb") as source:
        saved = default_storage.save(new_upload_path(descriptor.get("name") or "file"), source)
    copied = {**{k: descriptor[k] for k in DESCRIPTOR_KEYS if k in descriptor}, "path": saved}
    return make_file_token(copied, record_upload(saved, actor))


def record_upload(path: str, actor: Actor) -> int | None:
    """Remember a file just stored for `actor`; returns the uploader's id (None for SYSTEM)."""
    uploaded_by = user_id(actor)
    Upload.objects.create(path=path, uploaded_by=uploaded_by)
    return uploaded_by


def attach(path: str, uploaded_by: int | None, access: RecordAccess) -> bool:
    """Take the upload of `path` for a record being written by `access`'s actor: True once, for its
    uploader (whom the token names, and the table too); False if used already, or someone else's."""
    if not access.is_system and (uploaded_by is None or uploaded_by != access.user_id):
        return False
    unused = Upload.objects.filter(path=path, attached_at__isnull=True)
    if not access.is_system:
        unused = unused.filter(uploaded_by=access.user_id)
    return unused.update(attached_at=timezone.now()) == 1


def forget_before(cutoff: dt.datetime) -> int:
    """Drop the rows of uploads older than `cutoff` (their tokens expired long ago)."""
    return Upload.objects.filter(created_at__lt=cutoff).delete()[0]
