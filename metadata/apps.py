from django.apps import AppConfig


class MetadataConfig(AppConfig):
    name = "metadata"
    verbose_name = "Metadata"

    def ready(self) -> None:
        from tessera.core.jobs import job_kinds

        from .fieldtypes import checks, register_builtin_types  # noqa: F401  (checks: registers the system checks)
        from .services.conversion import convert_field_job

        register_builtin_types()
        job_kinds.register("metadata.convert_field", convert_field_job)
