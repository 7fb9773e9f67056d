"""What import/export registers once Django's apps are loaded (see tessera.core's AppConfig): the
job kinds of imports and exports (stable keys, stored on Job rows)."""

from tessera.core.jobs import job_kinds

from . import export, imports

job_kinds.register("transfer.import", imports.import_job)
job_kinds.register("transfer.undo_import", imports.undo_job)
job_kinds.register("transfer.export", export.export_job)
