from django.apps import AppConfig


class ReportsEngineConfig(AppConfig):
    name = "reports_engine"
    label = "reports_engine"
    verbose_name = "Reports"
