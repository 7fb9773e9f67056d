"""What the dashboards app registers once Django's apps are loaded: the report export job kind."""

from tessera.core.jobs import job_kinds

from . import exports

job_kinds.register(exports.KIND, exports.report_export_job)
