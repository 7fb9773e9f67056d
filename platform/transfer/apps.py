from django.apps import AppConfig
from django.utils.module_loading import import_string

#: Job kinds of imports and exports (stable keys, stored on Job rows) → their handlers. Named by
#: dotted path: Django imports apps.py before any model is loaded, and the handlers use models.
JOB_KINDS = {
    "transfer.import": "tessera.transfer.imports.import_job",
    "transfer.undo_import": "tessera.transfer.imports.undo_job",
    "transfer.export": "tessera.transfer.export.export_job",
}


class TransferConfig(AppConfig):
    name = "tessera.transfer"
    label = "transfer"
    verbose_name = "Import and export"

    def ready(self) -> None:
        jobs = import_string("tessera.core.jobs.job_kinds")
        for kind, handler in JOB_KINDS.items():
            jobs.register(kind, import_string(handler))
