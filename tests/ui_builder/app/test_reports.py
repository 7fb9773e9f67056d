"""Report pages: built through the builder's form (the same requests the page's buttons send),
saved, shown as a matrix with drill-down links to exactly the records behind each cell, charted,
put on a dashboard; each viewer sees their own numbers."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from metadata.services import add_field
from reports_engine import services as reports
from tessera.records import service
from tessera.security.access import SYSTEM
from tessera.security.models import Profile
from tests.helpers.reports import sleeping_before
from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db

REGIONS = [{"key": "east", "labels": {"en": "East", "zh-hans": "华东"}},
           {"key": "north", "labels": {"en": "North", "zh-hans": "华北"}}]


@pytest.fixture
def world(in_tenant_a, admin_a):
    rep = get_user_model().objects.create_user("rpt-rep@alpha.test", None, full_name="Report Rep",
                                               profile=Profile.objects.get(api_name="salesperson"))
    add_field("opportunity", {"api_name": "region", "type": "picklist", "labels": {"en": "Region"},
                              "options": {"values": REGIONS}}, admin_a)
    for name, region, stage, amount, close, owner in [
        ("w1", "east", "closed_won", "1000", "2026-01-15", rep), ("w2", "east", "closed_won", "2000", "2026-05-02", admin_a),
        ("w3", "north", "closed_won", "400", "2026-02-20", rep), ("l1", "east", "closed_lost", "900", "2026-01-10", rep),
    ]:
        service.create_record("opportunity", {"name": name, "region": region, "stage": stage, "amount": amount,
                                              "close_date": close, "owner": owner.pk}, SYSTEM)
    clients = {}
    for who, user in (("rep", rep), ("admin", admin_a)):
        clients[who] = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
        clients[who].force_login(user)
    return clients, rep, admin_a


FORM = {"object": "opportunity", "name": "Won by region", "shape": "matrix", "scope": "all",
        "group": ["region"], "group_period": [""], "colgroup": ["close_date"], "colgroup_period": ["quarter"],
        "calc_label": ["Commission"], "calc_formula": ["amount * 0.1"], "calc_type": ["currency"],
        "agg_function": ["sum", "sum"], "agg_of": ["amount", "calc1"], "filter": ["stage__in=closed_won"],
        "chart_kind": "column", "chart_stacked": "1"}


def test_the_builder_previews_saves_and_the_report_drills_down(world):
    clients, rep, admin = world
    admin_client = clients["admin"]
    page = admin_client.get("/app/reports/new/?object=opportunity").content.decode()
    assert 'data-field-palette' in page and "Region" in page
    # Structural changes re-render the form; "add" puts the chosen field into a list.
    response = admin_client.post("/app/reports/new/", {"object": "opportunity", "shape": "matrix", "op": "add:group",
                                                        "add_group": "region"}, HTTP_HX_REQUEST="true")
    assert 'name="group" value="region"' in response.content.decode()
    response = admin_client.post("/app/reports/new/", {**FORM, "op": "add_filter", "fb_field": "region",
                                                        "fb_op": "in", "fb_value": "east"}, HTTP_HX_REQUEST="true")
    assert 'name="filter" value="region__in=east"' in response.content.decode()
    # The live preview runs the definition as it stands.
    preview = admin_client.post("/app/reports/preview/opportunity/", FORM).content.decode()
    assert "report-matrix" in preview and "¥3,400.00" in preview and "¥340.00" in preview
    bad = admin_client.post("/app/reports/preview/opportunity/", {**FORM, "calc_formula": ["amount *"]}).content.decode()
    assert "cannot run yet" in bad
    # Save, then the report's page.
    response = admin_client.post("/app/reports/new/", {**FORM, "op": "save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    url = response["Location"]
    html = admin_client.get(url).content.decode()
    assert 'data-chart="chart-report"' in html and "echarts.min.js" in html
    links = re.findall(r'<a href="(/app/opportunity/\?[^"]+)" aria-label="[^"]* · East · [^"]* · Sum: Amount"', html)
    assert links
    filters = [(k[2:], v) for k, v in parse_qsl(urlsplit(links[0].replace("&amp;", "&")).query) if k.startswith("f.")]
    behind = service.list_records("opportunity", admin, filters=filters, limit=50).records
    assert {r.values["name"] for r in behind} == {"w1"}  # east × the first quarter, won only
    api_name = url.rstrip("/").rsplit("/", 1)[1]
    assert reports.get_report(api_name, admin)["chart"] == {"kind": "column", "stacked": True}
    # Edit: the saved definition comes back into the form.
    edit = admin_client.get(url + "edit/").content.decode()
    assert 'name="colgroup" value="close_date"' in edit and "amount * 0.1" in edit


def test_a_report_chart_on_a_dashboard_shows_each_viewer_their_numbers(world):
    clients, rep, admin = world
    spec = {"api_name": "won_matrix", "object": "opportunity", "shape": "matrix", "labels": {"en": "Won matrix"},
            "groups": [{"field": "region"}], "column_groups": [{"field": "close_date", "granularity": "quarter"}],
            "aggregates": [{"key": "value1", "function": "sum", "of": "amount"}],
            "filters": [{"field": "stage", "op": "in", "value": "closed_won"}], "chart": {"kind": "table"},
            "shared": {"everyone": True}}
    reports.create_report(spec, admin)
    response = clients["admin"].post("/app/dashboards/", {"name": "Sales", "shared": "1"})
    board = response["Location"].split("?")[0]
    response = clients["admin"].post("/app/reports/won_matrix/", {"action": "dashboard",
                                                                  "dashboard": board.rstrip("/").rsplit("/", 1)[1]})
    assert response["Location"] == board
    admin_view = clients["admin"].get(board).content.decode()
    rep_view = clients["rep"].get(board).content.decode()
    assert "echarts.min.js" in admin_view and "Won matrix" in rep_view

    def chart_json(html):
        return re.search(r'<script id="chart-[^"]+" type="application/json">(.*?)</script>', html, re.S).group(1)

    assert "2000" in chart_json(admin_view) and "2000" not in chart_json(rep_view)
    assert "1000" in chart_json(rep_view)


def test_a_scheduled_report_mails_each_recipient_what_they_may_read(world, mailoutbox):
    import datetime as dt

    from django.utils import timezone

    from reports_engine.dashboards import schedules
    from reports_engine.dashboards.models import ReportSchedule

    clients, rep, admin = world
    reports.create_report({"api_name": "won_by_region", "object": "opportunity", "shape": "summary",
                           "labels": {"en": "Won by region"}, "groups": [{"field": "region"}],
                           "aggregates": [{"key": "value1", "function": "sum", "of": "amount"}],
                           "filters": [{"field": "stage", "op": "in", "value": "closed_won"}],
                           "shared": {"everyone": True}}, admin)
    response = clients["admin"].post("/app/reports/won_by_region/", {
        "action": "schedule", "frequency": "weekly", "weekday": "0", "hour": "8",
        "recipients": [str(rep.pk), str(admin.pk)]})
    assert response.status_code == 302
    page = clients["admin"].get("/app/reports/won_by_region/").content.decode()
    assert "Weekly" in page and "Report Rep" in page
    schedule = ReportSchedule.objects.get(report="won_by_region")
    monday = timezone.make_aware(dt.datetime(2030, 1, 7, 9, 0))  # a Monday, after 8:00
    schedule.created_at = monday - dt.timedelta(days=10)
    schedule.save()
    assert schedules.send_due(monday - dt.timedelta(days=1)) == 1 + 1  # the Monday before (Dec 31st)
    mailoutbox.clear()
    assert schedules.send_due(monday) == 2
    assert schedules.send_due(monday + dt.timedelta(hours=3)) == 0  # once per week
    by_to = {m.to[0]: m for m in mailoutbox}
    assert "3,000" in by_to[admin.email].body and "1,400" in by_to[rep.email].body
    assert "3,000" not in by_to[rep.email].body and "2,000" not in by_to[rep.email].body
    assert "/app/reports/won_by_region/" in by_to[rep.email].body
    # A salesperson may not schedule for others through an administrator's report they cannot change:
    response = clients["rep"].post("/app/reports/won_by_region/", {"action": "schedule", "frequency": "yearly",
                                                                    "recipients": [str(rep.pk)]})
    assert response.status_code == 400


def assets_gzipped(html: str) -> int:
    """Bytes of JS and CSS the page loads, gzipped (read from the static files themselves)."""
    import gzip

    from django.contrib.staticfiles import finders

    total = 0
    for url in re.findall(r'(?:src|href)="/static/([^"]+\.(?:js|css))"', html):
        with open(finders.find(url), "rb") as handle:
            total += len(gzip.compress(handle.read()))
    return total


def test_chart_pages_stay_within_their_budget_and_others_load_no_echarts(world):
    clients, rep, admin = world
    reports.create_report({"api_name": "budget", "object": "opportunity", "shape": "summary",
                           "groups": [{"field": "region"}], "chart": {"kind": "pie"},
                           "aggregates": [{"key": "value1", "function": "sum", "of": "amount"}]}, admin)
    board = clients["admin"].post("/app/dashboards/", {"name": "Budget", "shared": "1"})["Location"].split("?")[0]
    clients["admin"].post("/app/reports/budget/", {"action": "dashboard", "dashboard": board.rstrip("/").rsplit("/", 1)[1]})
    for url in (board, "/app/reports/budget/", "/app/reports/new/?object=opportunity"):
        html = clients["admin"].get(url).content.decode()
        assert "echarts.min.js" in html
        assert assets_gzipped(html) <= 500 * 1024, url  # UI.md: chart pages and dashboards
    for url in ("/app/", "/app/reports/", "/app/dashboards/", "/app/opportunity/"):
        assert "echarts" not in clients["admin"].get(url).content.decode(), url


def test_a_report_exports_to_xlsx_and_csv_in_the_background(world):
    import io

    import openpyxl

    from tessera.core.jobs import run_job

    clients, rep, admin = world
    reports.create_report({"api_name": "won_export", "object": "opportunity", "shape": "summary",
                           "labels": {"en": "Won export"}, "groups": [{"field": "region"}],
                           "aggregates": [{"key": "value1", "function": "sum", "of": "amount", "labels": {"en": "Won"}}],
                           "filters": [{"field": "stage", "op": "in", "value": "closed_won"}]}, admin)
    for file_format in ("xlsx", "csv"):
        response = clients["admin"].post("/app/reports/won_export/", {"action": "export", "format": file_format})
        assert response.status_code == 302
        job_url = response["Location"]
        job_id = int(job_url.rstrip("/").rsplit("/", 1)[1])
        assert "progress" in clients["admin"].get(job_url).content.decode()  # queued: the progress bar
        assert run_job(job_id).status == "done"  # what the worker does
        assert "Download" in clients["admin"].get(job_url).content.decode()
        download = clients["admin"].get(job_url + "?download=1")
        body = b"".join(download.streaming_content)
        if file_format == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(body)).active
            rows = [[c.value for c in row] for row in sheet.iter_rows()]
            assert rows[0] == ["Region", "Won"] and ["East", 3000] in [r[:2] for r in rows]
        else:
            assert "Grand total" in body.decode("utf-8-sig") and "3400" in body.decode("utf-8-sig")
    assert clients["rep"].get(job_url).status_code == 404  # another user's export


def test_a_report_chart_on_the_desktop_loads_echarts_there_only(world):
    clients, rep, admin = world
    reports.create_report({"api_name": "my_pipeline", "object": "opportunity", "shape": "summary",
                           "labels": {"en": "My pipeline"}, "groups": [{"field": "stage"}], "chart": {"kind": "funnel"},
                           "aggregates": [{"key": "value1", "function": "sum", "of": "amount"}]}, rep)
    arrange = clients["rep"].get("/app/?arrange=1").content.decode()
    assert 'value="report_chart:report=my_pipeline"' in arrange
    clients["rep"].post("/app/dashboards/desktop/", {"op": "add", "add": "report_chart:report=my_pipeline"})
    home = clients["rep"].get("/app/").content.decode()
    assert "echarts.min.js" in home and '"kind": "funnel"' in home and ">My pipeline<" in home
    assert "echarts" not in clients["admin"].get("/app/").content.decode()  # their desktop has no chart


def test_a_summary_formula_in_the_builder(world):
    clients, rep, admin = world
    form = {"object": "opportunity", "name": "Win rate", "shape": "summary", "group": ["region"], "group_period": [""],
            "agg_function": ["sum", "sum"], "agg_of": ["amount", "amount"],
            "ratio_label": ["Share"], "ratio_formula": ["value1 / total.value1"], "ratio_type": ["percent"]}
    preview = clients["admin"].post("/app/reports/preview/opportunity/", form).content.decode()
    assert "Share" in preview and "cannot run yet" not in preview
    response = clients["admin"].post("/app/reports/new/", {**form, "op": "save"})
    api_name = response["Location"].rstrip("/").rsplit("/", 1)[1]
    saved = reports.get_report(api_name, admin)
    assert saved["summary_formulas"] == [{"key": "ratio1", "formula": "value1 / total.value1", "type": "percent",
                                          "labels": {"en": "Share"}}]
    assert "value1 / total.value1" in clients["admin"].get(f"/app/reports/{api_name}/edit/").content.decode()


def test_only_who_may_change_a_report_deletes_it(world):
    clients, rep, admin = world
    reports.create_report({"api_name": "to_delete", "object": "opportunity", "shape": "summary",
                           "groups": [{"field": "region"}], "shared": {"everyone": True}}, admin)
    assert clients["rep"].post("/app/reports/to_delete/", {"action": "delete"}).status_code == 400
    assert clients["admin"].post("/app/reports/to_delete/", {"action": "delete"})["Location"] == "/app/reports/"
    assert clients["admin"].get("/app/reports/to_delete/").status_code == 404


def test_a_slow_report_page_is_prepared_in_the_background_and_picked_up(world, monkeypatch):
    """A report over the time limit does not hold the page: it redirects to the prepared job's URL
    (a reload finds it again), polls while the job runs, then shows the same numbers, formatted as
    a report run at once; the job is the viewer's own."""
    from reports_engine import prepared
    from tessera.core.jobs import run_job

    clients, rep, admin = world
    reports.create_report({"api_name": "won_by_region", "object": "opportunity", "shape": "summary",
                           "groups": [{"field": "region"}], "aggregates": [{"key": "won", "function": "sum", "of": "amount"}],
                           "filters": [{"field": "stage", "op": "eq", "value": "closed_won"}]}, admin)
    at_once = clients["admin"].get("/app/reports/won_by_region/").content.decode()
    monkeypatch.setattr(prepared, "PREPARE_AFTER_SECONDS", 0.05)  # and the statement takes 0.2 s
    slow = prepared.run_report
    monkeypatch.setattr(prepared, "run_report", sleeping_before(slow))
    first = clients["admin"].get("/app/reports/won_by_region/")
    assert first.status_code == 302 and "?prepared=" in first["Location"]
    waiting = clients["admin"].get(first["Location"]).content.decode()
    assert "being prepared in the background" in waiting and 'hx-trigger="every 2s"' in waiting
    assert clients["rep"].get(first["Location"]).status_code == 404  # not someone else's job
    monkeypatch.setattr(prepared, "run_report", slow)
    ran = run_job(int(first["Location"].split("=")[1]))  # what the worker does
    assert ran is not None and ran.status == "done", (ran and ran.status, ran and ran.message)
    poll = clients["admin"].get(first["Location"], HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    ready = clients["admin"].get(first["Location"]).content.decode()
    assert "Prepared in the background" in ready

    def numbers(body: str) -> list[str]:
        return re.findall(r"¥[\d,]+\.\d\d", body)

    assert numbers(ready) and numbers(ready) == numbers(at_once)
