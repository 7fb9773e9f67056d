"""What the reports app registers once Django's apps are loaded (see tessera.core's AppConfig):
the prepared-report job kind, and how the metadata history reverts a report's change."""

from metadata.services import fields, history
from tessera.core.jobs import job_kinds

from . import prepared, services

job_kinds.register("reports.prepare", prepared.prepare_report_job)
fields.field_users.register("reports", services.reports_using)
for action in ("create", "update", "delete"):
    history.REVERTS[("report", action)] = lambda obj, change, actor: services.revert_change(change, actor)
