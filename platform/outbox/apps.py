from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "tessera.outbox"
    label = "outbox"
    verbose_name = "Task outbox"
