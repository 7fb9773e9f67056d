from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "tessera.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        # Django imports this module before any model is loaded; the receivers import models.
        from . import auth, signals  # noqa: PLC0415, F401 - AppConfig.ready(); signal receivers

        signals.connect()
