"""The "report chart" panel (desktop and dashboards): a saved report's chart, run as the panel's
viewer with the dashboard's filters; a click on a segment opens the records behind it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from reports_engine import services as reports
from tessera.errors import TesseraError
from tessera.records import service

from .panels import Panel, PanelChoice, panel_filters, panels
from .report_charts import chart_data


def report_chart_context(request, report: str = "") -> dict | None:
    try:
        spec = reports.get_report(report, request.user)
        _tenant, obj = service.get_object_meta(spec["object"])
        result = reports.run_report(report, request.user, extra_filters=panel_filters(request, obj))
    except TesseraError:
        return None
    chart = chart_data(result, spec.get("chart") or {"kind": "table"}, currency=request.tenant.currency,
                       language=get_language(), empty=_("No data"))
    if chart is None:
        return None
    return {"title": result.label, "chart": chart, "scripts": ("charts",),
            "report_url": reverse("app:report", args=[report])}


def report_chart_choices(request) -> list[PanelChoice]:
    try:
        found = reports.list_reports(request.user)
    except TesseraError:
        return []
    language = get_language()
    return [PanelChoice({"report": spec["api_name"]},
                        (spec.get("labels") or {}).get(language or "") or next(iter((spec.get("labels") or {}).values()), "")
                        or spec["api_name"])
            for spec in found if spec.get("shape") in ("summary", "matrix")]


panels.register("report_chart", Panel(gettext_lazy("Report chart"), "ui_builder/app/panels/report_chart.html",
                                      report_chart_context, order=40, width=2, default=False,
                                      choices=report_chart_choices, scripts=("charts",)))
