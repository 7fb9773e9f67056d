"""Sales funnel and forecast views: stage progress from the stage history (entered, days in stage,
conversion to the next stage) and grouping by the owner's department."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports_engine import services
from tessera.records.service import update_record
from tessera.security.access import SYSTEM

pytestmark = pytest.mark.django_db


def test_stage_progress_from_the_stage_history(world, admin_a):
    d3 = next(d for d in world.deals if d.name == "d3")
    for stage in ("negotiation", "closed_won"):
        update_record("opportunity", d3.id, {"stage": stage}, SYSTEM)
    spec = {"api_name": "progress", "object": "opportunity", "shape": "stage_progress", "groups": [{"field": "stage"}]}
    result = services.run_report(spec, admin_a)
    rows = {g.value: g.values for g in result.groups}
    assert [g.value for g in result.groups] == ["prospecting", "proposal", "negotiation", "closed_won", "closed_lost"]
    assert {k: (v["entered"], v["current"]) for k, v in rows.items()} == {
        "prospecting": (1, 1), "proposal": (1, 0), "negotiation": (2, 1), "closed_won": (4, 4), "closed_lost": (1, 1)}
    assert rows["negotiation"]["conversion"] == Decimal(2)  # 4 entered closed won for 2 that were negotiating
    assert rows["proposal"]["avg_days"] < 1  # d3 left proposal at once
    assert [c.key for c in result.columns] == ["g0", "entered", "avg_days", "current", "conversion"]
    rep = services.run_report(spec, world.org.rep)  # the viewer's records only
    assert sum(g.values["current"] for g in rep.groups) == 3


def test_forecast_by_owner_department(world, admin_a):
    spec = {"api_name": "by_department", "object": "opportunity", "shape": "summary",
            "groups": [{"field": "owner.department"}],
            "aggregates": [{"key": "n", "function": "count"}, {"key": "amount", "function": "sum", "of": "amount"}]}
    result = services.run_report(spec, admin_a)
    by_label = {g.label: (g.count, g.values["amount"]) for g in result.groups}
    assert by_label == {"d_rep": (2, Decimal("1500")), "d_mgr": (1, Decimal("3000")), "d_peers": (2, Decimal("2000")),
                        "(blank)": (2, Decimal("4250.50"))}
    for group in result.groups:
        assert len(services.drill_down(spec, admin_a, cell=group.cell).records) == group.count
