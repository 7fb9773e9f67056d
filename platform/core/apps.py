from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tessera.core"
    label = "core"
    verbose_name = "Tessera core"

    def ready(self) -> None:
        from tessera.api import spectacular  # noqa: F401  (registers the authentication schemes)

        from .jobs import job_kinds
        from .tasks import clear_expired_sessions_job

        job_kinds.register("core.clear_expired_sessions", clear_expired_sessions_job)
