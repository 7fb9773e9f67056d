"""What the reports app registers once Django's apps are loaded (see ReportsEngineConfig.ready):
the prepared-report job kind."""

from tessera.core.jobs import job_kinds

from . import prepared

job_kinds.register("reports.prepare", prepared.prepare_report_job)
