from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """Its own app (label `dashboards`) inside reports_engine, so its table and migrations are
    independent of the report engine's."""

    name = "reports_engine.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
    default_auto_field = "django.db.models.BigAutoField"
