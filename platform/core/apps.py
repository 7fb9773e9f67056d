from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tessera.core"
    label = "core"
    verbose_name = "Tessera core"

    def ready(self) -> None:
        # Django imports this module before any model is loaded; what registers here imports models.
        from tessera.api import spectacular  # noqa: PLC0415, F401 - AppConfig.ready(); registers the authentication schemes

        from . import jobs, tasks  # noqa: PLC0415 - AppConfig.ready()

        jobs.job_kinds.register("core.clear_expired_sessions", tasks.clear_expired_sessions_job)
