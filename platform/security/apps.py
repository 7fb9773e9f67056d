from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "tessera.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        from . import auth, signals  # noqa: F401  (signal receivers)

        signals.connect()
