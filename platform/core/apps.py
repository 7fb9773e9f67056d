import gc

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
        # What the process loaded to start lives as long as it does: Django, every app's modules,
        # pypinyin's dictionaries — some 300,000 objects the cyclic garbage collector would walk
        # at each full collection (~70 ms each, several per batch of a bulk import as its records
        # come and go). Frozen, they are out of its sight (and, in a forked worker, never copied
        # by it).
        gc.freeze()
