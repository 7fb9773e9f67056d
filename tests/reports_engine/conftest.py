"""The world the report tests read: in tenant A, accounts with a region and a parent account,
opportunities across stages, amounts, close dates and owners (the security tests' organisation),
activities on some of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from tests.tessera.security.conftest import make_record, org  # noqa: F401 - fixtures used here

REGIONS = [{"key": "east", "labels": {"en": "East"}}, {"key": "west", "labels": {"en": "West"}},
           {"key": "north", "labels": {"en": "North"}}]


@dataclass
class World:
    org: object
    accounts: dict = field(default_factory=dict)
    deals: list = field(default_factory=list)
    activities: list = field(default_factory=list)


#: (name, account, stage, amount, close date, owner)
DEALS = [
    ("d1", "acme", "closed_won", "1000", dt.date(2026, 1, 15), "rep"),
    ("d2", "acme", "closed_lost", "500", dt.date(2026, 2, 10), "rep"),
    ("d3", "acme_sub", "proposal", "2000", dt.date(2026, 4, 1), "rep_peer"),
    ("d4", "globex", "closed_won", "3000", dt.date(2026, 3, 31), "mgr"),
    ("d5", "globex", "prospecting", None, dt.date(2026, 7, 4), "intern"),
    ("d6", "initech", "closed_won", "250.50", dt.date(2025, 12, 31), "other"),
    ("d7", "initech", "negotiation", "4000", dt.date(2026, 10, 1), "other"),
]


@pytest.fixture
def world(org, make_record, admin_a):  # noqa: F811 - the imported fixtures
    from metadata.services import add_field

    add_field("account", {"api_name": "region", "type": "picklist", "labels": {"en": "Region"},
                          "options": {"values": REGIONS}}, admin_a)
    add_field("account", {"api_name": "parent", "type": "lookup", "labels": {"en": "Parent account"},
                          "options": {"target": "account"}}, admin_a)
    built = World(org=org)
    built.accounts["acme"] = make_record("account", org.rep, name="Acme", region="east")
    built.accounts["acme_sub"] = make_record("account", org.rep, name="Acme Sub", region="east",
                                             parent=built.accounts["acme"].id)
    built.accounts["globex"] = make_record("account", org.mgr, name="Globex", region="west")
    built.accounts["initech"] = make_record("account", org.other, name="Initech")
    for name, account, stage, amount, close, owner in DEALS:
        built.deals.append(make_record("opportunity", getattr(org, owner), name=name,
                                       account=built.accounts[account].id, stage=stage,
                                       amount=Decimal(amount) if amount else None, close_date=close.isoformat()))
    by_name = {d.name: d for d in built.deals}
    for deal in ("d1", "d1", "d4"):
        built.activities.append(make_record("activity", org.rep, name=f"call {deal}", type="call",
                                            opportunity=by_name[deal].id))
    return built
