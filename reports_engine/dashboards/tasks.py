"""Celery tasks of dashboards and scheduled reports (adapters: they call the services)."""

from tessera.celery import app

from . import schedules


@app.task(name="reports_engine.dashboards.tasks.send_scheduled_reports")
def send_scheduled_reports() -> int:
    """Beat runs this hourly in every tenant (tenants.tasks.run_for_every_tenant)."""
    return schedules.send_due()
