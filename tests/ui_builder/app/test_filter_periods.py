"""The filter builder offers the organisation's fiscal periods (setup's fiscal-year start) next to
the calendar ones, and only where the fiscal year does not start in January; the list's chips say
each filter's value as the list's cells show it."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from tenants.organization import update_organization
from tessera.records import service
from tessera.security.access import SYSTEM
from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("start", "offered"), [(1, False), (4, True)])
def test_fiscal_periods_follow_the_fiscal_year_start(in_tenant_a, admin_a, start, offered):
    update_organization({"fiscal_year_start_month": start}, admin_a)
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_a)
    page = client.get("/app/opportunity/filter-inputs/", {"fb_field": "close_date"}).content.decode()
    assert "this_quarter" in page
    assert ("this_fiscal_quarter" in page) is offered
    assert ("Last fiscal year" in page) is offered


def chips_of(page: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'<a class="chip"[^>]*>(.*?) ✕</a>', page)]


@pytest.mark.parametrize(("language", "shown", "as_typed"), [
    ("en", ["Amount ≥ ¥40,000.00", "Expected close date ≥ 2024-03-05", "Probability ≥ 60%", "Stage is one of Proposal"],
     ["Amount: ¥1,000.00 – ¥40,000.50", "Probability ≥ 12.5", "Expected close date ≤ 2024-02-30", "Amount ≥ abc"]),
    ("zh-hans", ["金额 ≥ ¥40,000.00", "预计成交日期 ≥ 2024-03-05", "赢率 ≥ 60%", "阶段 属于 报价"],
     ["金额：¥1,000.00 – ¥40,000.50", "赢率 ≥ 12.5", "预计成交日期 ≤ 2024-02-30", "金额 ≥ abc"]),
])
def test_chips_show_values_as_the_list_shows_them(in_tenant_a, admin_a, language, shown, as_typed):
    service.create_record("opportunity", {"name": "Chip deal", "stage": "proposal", "amount": "40000",
                                          "close_date": "2024-03-05", "probability": 60}, SYSTEM)
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(admin_a)
    page = client.get("/app/opportunity/", {"f.amount__range": "40000,", "f.close_date__gte": "2024/3/5",
                                            "f.probability__gte": "60", "f.stage__in": "proposal"}).content.decode()
    assert '<span class="num">¥40,000.00</span>' in page and 'class="cell">2024-03-05<' in page  # the cells
    assert chips_of(page) == shown
    # Both bounds of a range; what is no value of the field (more decimals than it holds, a day that
    # does not exist, no number) stays as typed, never turned into another value.
    page = client.get("/app/opportunity/", [("f.amount__range", "1000,40000.5"), ("f.probability__gte", "12.5"),
                                            ("f.close_date__lte", "2024-02-30"), ("f.amount__gte", "abc")])
    assert chips_of(page.content.decode()) == as_typed


def test_a_date_time_chip_is_in_the_tenants_time_zone(in_tenant_a, admin_a):
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_a)
    page = client.get("/app/activity/", {"f.due_date__gte": "2024-03-05T01:30:00Z"}).content.decode()
    assert chips_of(page) == ["Due ≥ 2024-03-05 09:30"]  # Asia/Shanghai, as the list's cells show it
