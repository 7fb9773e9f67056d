"""Celery tasks of the record runtime: they run in the schema of the tenant that queued them."""

from __future__ import annotations

from tessera.celery import app

from . import housekeeping


@app.task(name="tessera.records.tasks.housekeeping")
def run_housekeeping() -> dict:
    """Run by beat for every tenant (tenants.tasks.run_for_every_tenant): empty the recycle bin of
    what has been there too long, then remove the uploads no record holds."""
    purged = housekeeping.purge_recycle_bin()
    removed = housekeeping.sweep_files()
    return {"records_purged": sum(purged.values()), "files_removed": len(removed)}
