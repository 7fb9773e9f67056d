from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecordsConfig(AppConfig):
    name = "tessera.records"
    label = "records"
    verbose_name = "Records"

    def ready(self) -> None:
        from tessera.core.jobs import job_kinds

        from . import indexing, sqlfunctions

        job_kinds.register("records.build_field_index", indexing.build_field_index_job)
        job_kinds.register("records.build_duplicate_index", indexing.build_duplicate_index_job)
        post_migrate.connect(sqlfunctions.install_after_migrate, sender=self)
