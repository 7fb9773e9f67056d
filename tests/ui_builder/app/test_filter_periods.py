"""The filter builder offers the organisation's fiscal periods (setup's fiscal-year start) next to
the calendar ones, and only where the fiscal year does not start in January."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.organization import update_organization
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
