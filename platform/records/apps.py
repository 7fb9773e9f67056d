from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "tessera.records"
    label = "records"
    verbose_name = "Records"
