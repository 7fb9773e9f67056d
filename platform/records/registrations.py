"""What the records app registers once Django's apps are loaded (see CoreConfig.ready): its job
kinds, and the SQL functions installed after each migration."""

from django.apps import apps
from django.db.models.signals import post_migrate

from tessera.core.jobs import job_kinds

from . import bulk_actions, indexing, sqlfunctions

job_kinds.register("records.build_field_index", indexing.build_field_index_job)
job_kinds.register("records.build_duplicate_index", indexing.build_duplicate_index_job)
job_kinds.register(bulk_actions.KIND, bulk_actions.bulk_action_job)
job_kinds.register("records.fill_search_keys", indexing.fill_search_keys_job)
post_migrate.connect(sqlfunctions.install_after_migrate, sender=apps.get_app_config("records"))
