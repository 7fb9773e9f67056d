from decimal import Decimal

import pytest

from tessera.records import service

pytestmark = pytest.mark.django_db


def test_create_read_list_update(make_object, admin_a):
    make_object("gadget", fields=[
        {"api_name": "price", "type": "currency", "indexed": True},
        {"api_name": "color", "type": "picklist", "options": {"values": [{"key": "red", "labels": {"en": "Red"}}]}},
    ])
    record = service.create_record("gadget", {"name": "G1", "price": "12.5", "color": "red"}, admin_a)
    assert record.values["price"] == Decimal("12.50")
    page = service.list_records("gadget", admin_a, filters=[("price__gte", "10")], sort=["-price"])
    assert [r.id for r in page.records] == [record.id]
    updated = service.update_record("gadget", record.id, {"price": "13"}, admin_a)
    assert updated.values["price"] == Decimal("13.00") and updated.version == 2


def test_standard_objects_work(admin_a):
    account = service.create_record("account", {"name": "Acme 有限公司", "country": "cn", "province": "guangdong",
                                                "city": "shenzhen"}, admin_a)
    assert account.values["account_number"].startswith("CUST-")
    opp = service.create_record("opportunity", {"name": "Deal", "account": account.id, "amount": "1000",
                                                "close_date": "2026-12-01"}, admin_a)
    assert opp.values["stage"] == "prospecting"
