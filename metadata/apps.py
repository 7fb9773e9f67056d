from django.apps import AppConfig


class MetadataConfig(AppConfig):
    name = "metadata"
    verbose_name = "Metadata"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .fieldtypes import register_builtin_types

        register_builtin_types()
