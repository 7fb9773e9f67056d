"""The builder's live preview runs a report over the viewer's latest records (`sample`) and draws its
first rows (`ReportResult.cut`): both say so, and nothing else about the report changes."""

from __future__ import annotations

from collections import Counter

import pytest

from reports_engine import services
from tests.reports_engine.conftest import DEALS
from tests.reports_engine.test_shapes import SUMMARY, ids_behind

pytestmark = pytest.mark.django_db

BY_STAGE = {"api_name": "by_stage", "object": "opportunity", "shape": "summary", "groups": [{"field": "stage"}],
            "aggregates": [{"key": "n", "function": "count"}]}


def counts(result) -> dict:
    return {g.value: g.count for g in result.groups}


def test_a_sample_is_the_viewers_latest_records_and_says_so(world, admin_a):
    sampled = services.run_report(BY_STAGE, admin_a, sample=3)
    assert sampled.sample == 3
    assert counts(sampled) == Counter(stage for _n, _a, stage, *_rest in DEALS[-3:])  # d5, d6, d7
    assert sampled.total_rows == 3
    whole = services.run_report(BY_STAGE, admin_a, sample=len(DEALS))  # no more than that: exact, unmarked
    assert whole.sample is None and counts(whole) == counts(services.run_report(BY_STAGE, admin_a))
    # A viewer's sample is of the records they may read, not of everyone's.
    rep = world.org.rep
    readable = ids_behind(rep, [])
    assert len(readable) > 2
    mine = services.run_report(BY_STAGE, rep, sample=2)
    assert mine.sample == 2 and mine.total_rows == 2
    latest = [d for d in world.deals if d.id in readable[-2:]]
    assert counts(mine) == Counter(d.values["stage"] for d in latest)


def test_a_cut_result_keeps_its_first_rows_and_its_totals(world, admin_a):
    full = services.run_report(SUMMARY, admin_a)
    assert len(full.groups) == 3 and len(full.groups[0].children) == 3
    cut = services.run_report(SUMMARY, admin_a).cut(2)
    assert cut.cut_off
    assert [g.value for g in cut.groups] == [full.groups[0].value]
    assert [c.value for c in cut.groups[0].children] == [full.groups[0].children[0].value]
    assert cut.grand_total == full.grand_total and cut.total_rows == full.total_rows
    assert not services.run_report(SUMMARY, admin_a).cut(50).cut_off
    matrix = services.run_report({**BY_STAGE, "shape": "matrix", "column_groups": [{"field": "account.region"}]},
                                 admin_a).cut(1)
    assert matrix.cut_off and len(matrix.matrix.rows) == 1 and len(matrix.matrix.columns) == 1
    assert len(matrix.matrix.cells) == 1 and len(matrix.matrix.cells[0]) == 1
