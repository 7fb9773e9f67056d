"""Uploads waiting for a record: who uploaded each file, and whether its token was used.

An upload token (metadata.fieldtypes.files) is signed and short-lived; this table makes it single-use
and bound to its uploader: a write attaches it once, in the write's own transaction (a write that
rolls back gives it back), and only for the user who uploaded it (or SYSTEM: imports and
maintenance, an explicit actor of its own).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tessera.security.access import RecordAccess, user_id
from tessera.security.actor import Actor

from .models import Upload


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
