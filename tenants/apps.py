from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        # Django imports this module before any model is loaded; the checks read models.
        from . import checks  # noqa: PLC0415, F401 - AppConfig.ready(); registers the system checks
