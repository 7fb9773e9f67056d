"""Housekeeping of a tenant's records and files, run by Celery beat in every tenant's schema
(tessera.records.tasks.housekeeping).

- The recycle bin keeps a deleted record TESSERA_RECYCLE_BIN_DAYS days (default 30); after that it
  is removed for good, with its history rows. Live records need no work (a delete already applied
  each lookup's rule: restrict, set null, cascade); records still in the bin that point at a removed
  one have that lookup cleared, so restoring them later never shows a reference to nothing.
- Uploaded files that no record holds (never attached, replaced, or held by a purged record) are
  removed once they are older than an upload token can live plus a day, so a client still holding a
  valid token never attaches a file that is gone. Records of every object are searched, in the
  recycle bin too, and values of fields that were deleted (softly: restoring the field brings them
  back), so a file is kept while anything could still show it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import posixpath
from collections.abc import Iterator

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.utils import timezone

from metadata.cache import get_meta
from metadata.fieldtypes.files import TOKEN_MAX_AGE

from . import repository, uploads
from .service import lookups_to

logger = logging.getLogger(__name__)

#: How long an unattached upload is kept: an upload token's lifetime and a day's margin.
UPLOAD_GRACE = dt.timedelta(seconds=TOKEN_MAX_AGE) + dt.timedelta(days=1)

def recycle_bin_days() -> int:
    return int(getattr(settings, "TESSERA_RECYCLE_BIN_DAYS", 30))


def purge_recycle_bin(now: dt.datetime | None = None) -> dict[int, int]:
    """Remove for good the records deleted more than recycle_bin_days() ago; object id → count."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=recycle_bin_days())
    with transaction.atomic():
        gone = repository.purge_deleted_before(cutoff)
        if gone:
            _clear_references(gone)
    purged = {object_id: len(ids) for object_id, ids in gone.items()}
    if purged:
        logger.info("recycle bin: %d records deleted before %s removed for good", sum(purged.values()),
                    cutoff.isoformat(timespec="seconds"))
    return purged


def _clear_references(gone: dict[int, list[int]]) -> None:
    """Clear the lookups that point at removed records (from records in the recycle bin)."""
    tenant = get_meta()
    by_id = {obj.id: obj for obj in tenant.objects.values()}
    for object_id, ids in gone.items():
        target = by_id.get(object_id)
        if target is None:
            continue
        for child, lookup in lookups_to(tenant, target):
            pointing = repository.referencing(tenant, child, lookup, ids, include_deleted=True)
            if pointing:
                repository.clear_lookup(child, lookup, pointing, None)


def files_prefix() -> str:
    """Where this tenant's uploads live in the storage (tessera.records.api.files.store_upload)."""
    return f"tenants/{connection.schema_name}/files"  # type: ignore[attr-defined]


def sweep_files(now: dt.datetime | None = None, storage: Storage | None = None) -> list[str]:
    """Remove this tenant's stored files that no record holds and that are older than UPLOAD_GRACE;
    returns their paths."""
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - UPLOAD_GRACE
    held = repository.held_file_paths()
    removed = []
    for path in _walk(storage, files_prefix()):
        if path in held or storage.get_modified_time(path) >= cutoff:
            continue
        storage.delete(path)
        removed.append(path)
        _remove_empty_folder(storage, posixpath.dirname(path))
    uploads.forget_before(cutoff)
    if removed:
        logger.info("files: %d uploads no record holds removed", len(removed))
    return removed


def _remove_empty_folder(storage: Storage, folder: str) -> None:
    """Each upload has a folder of its own; on local storage, remove it once empty."""
    try:
        os.rmdir(storage.path(folder))
    except (NotImplementedError, OSError):
        pass  # not local storage, or not empty


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield posixpath.join(folder, name)
    for name in folders:
        yield from _walk(storage, posixpath.join(folder, name))
