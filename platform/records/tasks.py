"""Celery tasks of the record runtime: they run in the schema of the tenant that queued them."""

from __future__ import annotations

from metadata.services.objects import purge_deleted_objects
from tessera.celery import app

from . import housekeeping


@app.task(name="tessera.records.tasks.housekeeping")
def run_housekeeping() -> dict:
    """Run by beat for every tenant (tenants.tasks.run_for_every_tenant): empty the recycle bin of
    what has been there too long, remove the objects deleted longer ago than they are kept (with
    their records), then remove the uploads no record holds (theirs too, from then on)."""
    purged = housekeeping.purge_recycle_bin()
    objects = purge_deleted_objects()
    removed = housekeeping.sweep_files()
    return {"records_purged": sum(purged.values()), "objects_purged": len(objects), "files_removed": len(removed)}
