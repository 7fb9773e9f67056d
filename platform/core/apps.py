from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "tessera.core"
    label = "core"
    verbose_name = "Tessera core"

    def ready(self) -> None:
        # Each app's `registrations` module fills the shared registries with what the app brings
        # (job kinds, field users, history reverts, system checks, signal receivers). Those modules
        # import services and models, so they are loaded here, once every model is, in
        # INSTALLED_APPS order — the way Django's admin autodiscovers each app's `admin` module.
        autodiscover_modules("registrations")
