from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "tessera.transfer"
    label = "transfer"
    verbose_name = "Import and export"
