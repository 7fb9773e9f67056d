from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "tessera.records"
    label = "records"
    verbose_name = "Records"

    def ready(self) -> None:
        from tessera.core.jobs import job_kinds

        from . import indexing

        job_kinds.register("records.build_field_index", indexing.build_field_index_job)
        job_kinds.register("records.build_duplicate_index", indexing.build_duplicate_index_job)
