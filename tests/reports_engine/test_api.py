"""/api/v1/reports/: CRUD, running (now, or as a prepared report after the time limit), the builder's
preview, the records behind a number, errors in the one error shape."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal

import pytest

from reports_engine import prepared, services
from reports_engine.result import ReportResult
from tessera.core.jobs import run_job
from tests.helpers.reports import sleeping_before

pytestmark = pytest.mark.django_db

BY_STAGE = {"api_name": "by_stage", "object": "opportunity", "shape": "summary", "groups": [{"field": "stage"}],
            "aggregates": [{"key": "n", "function": "count"}]}


@pytest.fixture
def client(world, client_a, admin_a):
    client_a.force_login(admin_a)
    return client_a


def test_crud_run_and_drill_down(client):
    created = client.post("/api/v1/reports/", BY_STAGE, content_type="application/json")
    assert created.status_code == 201 and created.json()["api_name"] == "by_stage"
    assert [r["api_name"] for r in client.get("/api/v1/reports/?object=opportunity").json()] == ["by_stage"]
    run = client.get("/api/v1/reports/by_stage/run/?f.amount__gte=1000").json()
    assert run["status"] == "done"
    result = run["result"]
    assert result["grand_total"] == {"n": 4} and result["groups"][0]["cell"] == {"g0": "proposal"}
    assert result["drill_down_url"] == "/app/opportunity/?f.amount__gte=1000"
    cell = json.dumps(result["groups"][0]["cell"])
    records = client.get(f"/api/v1/reports/by_stage/records/?cell={cell}&f.amount__gte=1000").json()
    assert [r["name"] for r in records["results"]] == ["d3"] and records["next_after"] is None
    changed = client.patch("/api/v1/reports/by_stage/", {"labels": {"en": "Stages"}}, content_type="application/json")
    assert changed.json()["labels"] == {"en": "Stages"}
    assert client.delete("/api/v1/reports/by_stage/").status_code == 204
    assert client.get("/api/v1/reports/by_stage/").json()["non_field_errors"][0]["code"] == "unknown_report"


def test_preview_schema_and_errors_in_the_one_shape(client):
    preview = client.post("/api/v1/reports/run/", {"spec": {**BY_STAGE, "api_name": "draft"},
                                                    "filters": [["stage", "closed_won"]]},
                          content_type="application/json")
    assert preview.json()["result"]["grand_total"] == {"n": 3}
    bad = client.post("/api/v1/reports/run/", {"spec": {**BY_STAGE, "groups": [{"field": "nope"}]}},
                      content_type="application/json")
    assert bad.status_code == 400 and "groups" in json.dumps(bad.json()["errors"])
    assert client.get("/api/v1/reports/schema/").json()["$id"] == "report.json"
    bad_cell = client.get("/api/v1/reports/by_stage/records/?cell=[1]")
    assert bad_cell.status_code in (400, 404)


def test_a_slow_report_is_prepared_in_the_background(world, admin_a, monkeypatch):
    slow = services.run_report
    monkeypatch.setattr(prepared, "run_report", sleeping_before(slow))
    queued = prepared.run_or_prepare(BY_STAGE, admin_a, timeout_seconds=0.05)
    assert queued["status"] == "queued"
    assert prepared.prepared_result(queued["job"], admin_a)["status"] == "queued"
    monkeypatch.setattr(prepared, "run_report", slow)
    run_job(queued["job"])  # what the worker does
    done = prepared.prepared_result(queued["job"], admin_a)
    assert done["status"] == "done" and done["result"]["grand_total"] == {"n": 7}
    with pytest.raises(Exception):  # noqa: B017 - someone else's prepared report is not found
        prepared.prepared_result(queued["job"], world.org.rep)


@pytest.mark.parametrize("shape", ["tabular", "summary", "matrix"])
def test_a_prepared_result_reads_back_as_the_result_it_was(world, admin_a, shape):
    """What a prepared report's job keeps (the JSON) gives back the same result, numbers as
    Decimals again (the page formats them as money, not as text)."""
    spec = {**BY_STAGE, "shape": shape, "aggregates": [*BY_STAGE["aggregates"],
                                                        {"key": "total", "function": "sum", "of": "amount"}]}
    if shape == "matrix":
        spec["column_groups"] = [{"field": "close_date", "granularity": "year"}]
    if shape == "tabular":
        spec = {**spec, "groups": [], "columns": [{"field": "name"}, {"field": "amount"}]}
    result = services.run_report(spec, admin_a)
    again = ReportResult.from_json(result.to_json())
    assert again.to_json() == result.to_json()
    assert _types(asdict(again)) == _types(asdict(result))
    assert any(isinstance(v, Decimal) for v in _leaves(asdict(again)))


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def _types(value):
    """The result's shape with each number's type: what a page's formatting depends on."""
    return [type(v).__name__ for v in _leaves(value) if isinstance(v, int | Decimal | float) and not isinstance(v, bool)]
