"""Reports in the browser: the list (`/app/reports/`) and a report's page (`/app/reports/<name>/`):
its chart, then its rows (tabular), groups expanded level by level (summary) or the grid of row ×
column groups with totals both ways (matrix). Every number links to the records behind it (the
list page with the same filters); a report runs as its viewer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import localize
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from metadata.cache import get_meta
from metadata.fieldtypes import field_types
from metadata.meta import pick_label
from reports_engine import prepared
from reports_engine import services as reports
from reports_engine.dashboards import exports, schedules
from reports_engine.dashboards import services as dashboards
from reports_engine.result import Column, Group, ReportResult
from tessera.core.models import Job
from tessera.errors import NotFound, TesseraError
from tessera.records import service
from tessera.security.services import directory

from ..messages import error_messages
from .dashboards import add_panel
from .navigation import nav_entries
from .pages import render_page
from .report_charts import VALUE_KINDS, chart_data, drill_url
from .widgets import CurrencyWidget, NumberWidget, PercentWidget, widget_for_type

WEEKDAYS = [(0, gettext_lazy("Monday")), (1, gettext_lazy("Tuesday")), (2, gettext_lazy("Wednesday")),
            (3, gettext_lazy("Thursday")), (4, gettext_lazy("Friday")), (5, gettext_lazy("Saturday")),
            (6, gettext_lazy("Sunday"))]
SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥", "GBP": "£"}


def format_value(value: Any, column: Column, currency: str) -> str:
    """A result value as text in the page's language: numbers grouped, money with the tenant's
    currency, asked of the widget of the column's type."""
    if value is None:
        return ""
    widget = widget_for_type(field_types.get(column.type)) if column.type in field_types else None
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        if isinstance(widget, CurrencyWidget):
            return f"{SYMBOLS.get(currency, currency + ' ')}{Decimal(value):,.2f}"
        if isinstance(widget, PercentWidget):
            return f"{localize(value)}%"
        if isinstance(widget, NumberWidget) or isinstance(value, Decimal | float):
            return f"{value:,}" if isinstance(value, int) else f"{Decimal(value).normalize():,f}"
        return f"{value:,}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or "")
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def _numbers(result: ReportResult, values: dict, currency: str, url: str | None) -> list[dict[str, Any]]:
    return [{"text": format_value(values.get(c.key), c, currency), "url": url}
            for c in result.columns if c.kind in VALUE_KINDS]


def _group_rows(result: ReportResult, groups: list[Group], currency: str, depth: int = 0) -> list[dict[str, Any]]:
    return [{"label": g.label or _("(blank)"), "count": g.count, "depth": depth,
             "url": drill_url(result, g.filters), "numbers": _numbers(result, g.values, currency, drill_url(result, g.filters)),
             "children": _group_rows(result, g.children, currency, depth + 1)} for g in groups]


def _matrix(result: ReportResult, currency: str) -> dict[str, Any]:
    matrix = result.matrix
    assert matrix is not None
    values = [c for c in result.columns if c.kind in VALUE_KINDS]
    rows = []
    for i, row in enumerate(matrix.rows):
        cells = [{"numbers": [{"text": format_value(matrix.cells[i][j].get(c.key), c, currency), "label": c.label}
                              for c in values],
                  "url": drill_url(result, row.filters, column.filters), "count": matrix.counts[i][j],
                  "column": " / ".join(column.labels)}
                 for j, column in enumerate(matrix.columns)]
        rows.append({"label": " / ".join(row.labels), "cells": cells,
                     "total": [format_value(row.totals.get(c.key), c, currency) for c in values],
                     "url": drill_url(result, row.filters)})
    return {"columns": [{"label": " / ".join(c.labels), "url": drill_url(result, c.filters),
                         "total": [format_value(c.totals.get(v.key), v, currency) for v in values]}
                        for c in matrix.columns],
            "rows": rows, "values": [c.label for c in values],
            "corner": " × ".join(c.label for c in result.columns if c.kind == "group")}


def result_context(request, result: ReportResult, chart: dict, *, chart_id: str = "chart-report") -> dict[str, Any]:
    """What the result templates draw, for the report page and the builder's preview."""
    currency = request.tenant.currency
    language = get_language()
    context: dict[str, Any] = {
        "result": result, "chart_id": chart_id,
        "chart": chart_data(result, chart, currency=currency, language=language, empty=_("No data")) if chart else None,
        "missing": [c for c in result.columns if c.missing],
        "value_labels": [c.label for c in result.columns if c.kind in VALUE_KINDS],
        "grand_total": _numbers(result, result.grand_total, currency, result.drill_down_url),
    }
    if result.shape == "tabular":
        shown = [c for c in result.columns if c.kind not in VALUE_KINDS]
        context["headers"] = [c.label for c in shown]
        context["rows"] = [{"id": row.get("_id"), "cells": [format_value(row.get(c.key), c, currency) for c in shown]}
                           for row in result.rows]
        context["record_url"] = f"/app/{result.object}/"
    elif result.shape == "matrix" and result.matrix is not None:
        context["matrix"] = _matrix(result, currency)
    else:
        context["groups"] = _group_rows(result, result.groups, currency)
    return context


def _label(spec: dict, language: str | None) -> str:
    return pick_label(spec.get("labels") or {}, language) or spec["api_name"]


@login_required
def report_list(request):
    language = get_language()
    tenant = get_meta()
    found = []
    problems: list[str] = []
    try:
        specs = reports.list_reports(request.user)
    except TesseraError as exc:
        specs, problems = [], error_messages(exc)
    for spec in specs:
        obj = tenant.object(spec["object"])
        found.append({"api_name": spec["api_name"], "label": _label(spec, language), "shape": spec.get("shape"),
                      "object": obj.label(language, plural=True) if obj else spec["object"]})
    return render_page(request, "ui_builder/app/reports/list.html", {
        "reports": found, "problems": problems, "can_create": reports.can_create_reports(request.user),
        "objects": nav_entries(tenant, service.access_for(request.user), language)})


def _report_action(request, api_name: str):
    """The report page's forms: put its chart on a dashboard, e-mail it on a schedule, stop one."""
    action = request.POST.get("action", "")
    number = request.POST.get("id", "") or request.POST.get("dashboard", "")
    chosen = int(number) if number.isdigit() else 0
    if action == "dashboard":
        reports.get_report(api_name, request.user)
        added = add_panel(request.user, chosen, f"report_chart:report={api_name}")
        return HttpResponseRedirect(reverse("app:dashboard", args=[added.id]))
    if action == "export":
        job = exports.start_report_export(api_name, request.user, file_format=request.POST.get("format", ""),
                                          language=get_language())
        return HttpResponseRedirect(reverse("app:report_export", args=[api_name, job.pk]))
    if action == "schedule":
        def number_of(name: str, default: int) -> int:
            value = request.POST.get(name, "")
            return int(value) if value.isdigit() else default

        schedules.create_schedule(api_name, request.user, frequency=request.POST.get("frequency", ""),
                                  recipients=request.POST.getlist("recipients"), weekday=number_of("weekday", 0),
                                  day=number_of("day", 1), hour=number_of("hour", 8),
                                  base_url=request.build_absolute_uri("/"))
    elif action == "delete":
        reports.delete_report(api_name, request.user)
        return HttpResponseRedirect(reverse("app:reports"))
    elif action == "unschedule":
        schedules.delete_schedule(chosen, request.user)
    return HttpResponseRedirect(reverse("app:report", args=[api_name]) + "#schedules")


@login_required
def report_page(request, api_name: str):
    problems: list[str] = []
    if request.method == "POST":
        try:
            return _report_action(request, api_name)
        except NotFound:
            raise Http404(api_name) from None
        except TesseraError as exc:
            problems = error_messages(exc)
    try:
        spec = reports.get_report(api_name, request.user)
        job = _prepared_job(request, api_name)
        if job is not None and request.headers.get("HX-Request"):
            return _preparing(request, api_name, spec, job)  # the page polling its job
        outcome = prepared.run_within(api_name, request.user) if job is None else prepared.prepared_report(job)
    except NotFound:
        raise Http404(api_name) from None
    except TesseraError as exc:
        return render_page(request, "ui_builder/app/reports/report.html",
                           {"label": api_name, "problems": error_messages(exc)}, status=400)
    if isinstance(outcome, Job):  # too slow to wait for: its own URL, which a reload finds again
        return HttpResponseRedirect(f"{reverse('app:report', args=[api_name])}?prepared={outcome.pk}")
    if outcome is None:
        assert job is not None
        return _preparing(request, api_name, spec, job)
    result = outcome
    language = get_language()
    context = result_context(request, result, spec.get("chart") or {})
    may_create = reports.can_create_reports(request.user)
    user_names = dict(directory.user_choices(request.user, "")) if may_create else {}
    context.update({
        "label": result.label, "api_name": api_name, "spec": spec, "problems": problems, "prepared": job,
        "edit_url": reverse("app:report_edit", args=[api_name]) if may_create else None,
        "dashboards": [{"id": d.id, "label": d.label(language)} for d in dashboards.dashboards_for(request.user)
                       if dashboards.can_change(d, request.user)] if context["chart"] else [],
        "can_schedule": may_create,
        "can_export": service.access_for(request.user).can_export(service.get_object_meta(result.object)[1]), "users": sorted(user_names.items(), key=lambda u: u[1]),
        "schedules": [{"id": s.id, "frequency": s.frequency, "weekday": s.weekday, "day": s.day, "hour": s.hour,
                       "recipients": ", ".join(user_names.get(r, str(r)) for r in s.recipients)}
                      for s in schedules.schedules_for(api_name, request.user)] if may_create else [],
        "weekdays": WEEKDAYS, "hours": range(24), "days": range(1, 29),
    })
    return render_page(request, "ui_builder/app/reports/report.html", context, status=400 if problems else 200)


def _prepared_job(request, api_name: str) -> Job | None:
    """The prepared report `?prepared=<job>` names: the viewer's own, of this report."""
    raw = request.GET.get("prepared", "")
    if not raw:
        return None
    job = prepared.prepared_job(int(raw) if raw.isdigit() else 0, request.user)
    if job.params.get("report") != api_name:
        raise NotFound(_("No such prepared report."), code="unknown_job")
    return job


def _preparing(request, api_name: str, spec: dict, job: Job):
    """A report too slow to wait for, while its job runs (polled by htmx; the whole page is drawn
    again once the job has ended), or why it failed."""
    active = job.status in (Job.Status.QUEUED, Job.Status.RUNNING)
    if request.headers.get("HX-Request") and not active:
        response = HttpResponse("")  # the page is drawn again whole, with the result
        response["HX-Refresh"] = "true"
        return response
    language = get_language()
    return render_page(request, "ui_builder/app/reports/report.html", {
        "label": _label(spec, language), "api_name": api_name, "preparing": job, "active": active,
        "problems": [job.message or _("The report could not be prepared.")] if job.status == Job.Status.FAILED else [],
    })


@login_required
def report_export(request, api_name: str, job_id: int):
    """A report export's progress (polled by htmx), then its download."""
    try:
        job = exports.get_report_export(job_id, request.user)
        if request.GET.get("download"):
            exported = exports.finished_report_export(job_id, request.user)
            response = FileResponse(default_storage.open(exported.stored, "rb"), as_attachment=True,
                                    filename=exported.name, content_type=exported.content_type)
            response["X-Content-Type-Options"] = "nosniff"
            return response
    except TesseraError:
        raise Http404(api_name) from None
    active = job.status in (Job.Status.QUEUED, Job.Status.RUNNING)
    response = render_page(request, "ui_builder/app/reports/export_job.html",
                           {"job": job, "active": active, "api_name": api_name})
    if request.headers.get("HX-Request") and not active:
        response["HX-Refresh"] = "true"  # finished: the whole page shows the download
    return response
