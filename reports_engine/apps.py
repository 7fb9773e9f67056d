from importlib import import_module

from django.apps import AppConfig


class ReportsEngineConfig(AppConfig):
    name = "reports_engine"
    label = "reports_engine"
    verbose_name = "Reports"

    def ready(self) -> None:
        # Django imports this module before any model is loaded; `registrations` imports the
        # services (and through them the models), so it is loaded once the apps are ready, the way
        # Django's own autodiscover_modules() loads each app's admin module.
        import_module(f"{self.name}.registrations")
