from django.apps import AppConfig


class UiBuilderConfig(AppConfig):
    name = "ui_builder"
    verbose_name = "UI builder"

    def ready(self) -> None:
        from . import checks  # noqa: F401, PLC0415 - registers the system checks once apps are loaded
