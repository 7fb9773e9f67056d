from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecordsConfig(AppConfig):
    name = "tessera.records"
    label = "records"
    verbose_name = "Records"

    def ready(self) -> None:
        # Django imports this module before any model is loaded; what registers here imports models.
        from tessera.core.jobs import job_kinds  # noqa: PLC0415 - AppConfig.ready()

        from . import bulk_actions, indexing, sqlfunctions  # noqa: PLC0415 - AppConfig.ready()

        job_kinds.register("records.build_field_index", indexing.build_field_index_job)
        job_kinds.register("records.build_duplicate_index", indexing.build_duplicate_index_job)
        job_kinds.register(bulk_actions.KIND, bulk_actions.bulk_action_job)
        job_kinds.register("records.fill_search_keys", indexing.fill_search_keys_job)
        post_migrate.connect(sqlfunctions.install_after_migrate, sender=self)
