"""A board's column totals: how many records of each value the reader may see and the sum of an
amount over them, in one grouped statement under the reader's row predicate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tessera.errors import ValidationFailed
from tessera.records import service
from tessera.security.access import SYSTEM
from tessera.security.models import Profile
from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(in_tenant_a, admin_a):
    rep = get_user_model().objects.create_user("board-rep@alpha.test", None, full_name="Rep",
                                               profile=Profile.objects.get(api_name="salesperson"))
    close = dt.date(2030, 1, 1).isoformat()
    for owner, stage, amount in [(rep, "proposal", "100"), (rep, "proposal", "200.50"), (rep, "negotiation", None),
                                 (admin_a, "proposal", "1000"), (admin_a, "closed_won", "5000")]:
        service.create_record("opportunity", {"name": f"{stage} {amount}", "owner": owner.pk, "stage": stage,
                                              "amount": amount, "close_date": close}, SYSTEM)
    return rep


def test_counts_and_sums_are_of_what_the_reader_may_see(pipeline, admin_a):
    mine = service.group_totals("opportunity", pipeline, "stage", total="amount")
    assert {k: (v.count, v.total) for k, v in mine.items()} == {
        "proposal": (2, Decimal("300.50")), "negotiation": (1, None)}
    everything = service.group_totals("opportunity", admin_a, "stage", total="amount")
    assert everything["proposal"].count == 3 and everything["proposal"].total == Decimal("1300.50")
    assert everything["closed_won"].total == Decimal("5000")
    counted = service.group_totals("opportunity", pipeline, "stage", filters=[("amount__gte", "150")])
    assert {k: (v.count, v.total) for k, v in counted.items()} == {"proposal": (1, None)}


def test_only_a_readable_summable_field_is_summed(pipeline):
    with pytest.raises(ValidationFailed) as text:
        service.group_totals("opportunity", pipeline, "stage", total="next_step")
    assert [d.code for d in text.value.field_errors["total"]] == ["invalid"]
    with pytest.raises(ValidationFailed) as unknown:
        service.group_totals("opportunity", pipeline, "stage", total="nope")
    assert [d.code for d in unknown.value.field_errors["total"]] == ["unknown_field"]


def test_the_board_shows_count_sum_probability_and_weighted_total(pipeline, in_tenant_a):
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(pipeline)
    body = client.get("/app/opportunity/kanban/?by=stage").content.decode()  # amounts by default
    assert "¥300.50" in body and "¥180.30" in body  # proposal: 60%
    assert "Weighted forecast" in body and "¥1,000" not in body and "¥5,000" not in body
    plain = client.get("/app/opportunity/kanban/?by=stage&sum=").content.decode()
    assert "¥300.50" not in plain and "Weighted forecast" not in plain
