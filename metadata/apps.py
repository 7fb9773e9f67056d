from django.apps import AppConfig


class MetadataConfig(AppConfig):
    name = "metadata"
    verbose_name = "Metadata"

    def ready(self) -> None:
        # Django imports this module before any model is loaded; what registers here imports models.
        from tessera.core.jobs import job_kinds  # noqa: PLC0415 - AppConfig.ready()

        from . import fieldtypes, services  # noqa: PLC0415 - AppConfig.ready()
        from .fieldtypes import checks  # noqa: PLC0415, F401 - AppConfig.ready(); registers the system checks

        fieldtypes.register_builtin_types()
        job_kinds.register("metadata.convert_field", services.conversion.convert_field_job)
