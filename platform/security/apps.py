from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "tessera.security"
    label = "security"
    verbose_name = "Security"
