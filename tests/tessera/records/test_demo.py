import pytest

from tessera.records import service
from tessera.records.demo import load_sample_data

pytestmark = pytest.mark.django_db


def test_sample_data_loads_through_the_runtime(admin_a):
    messages = []
    load_sample_data(progress=messages.append)
    assert messages
    accounts = service.list_records("account", admin_a, limit=200)
    assert len(accounts.records) >= 14
    opportunities = service.list_records("opportunity", admin_a, filters=[("account.industry", "it")], limit=200)
    assert opportunities.records and all(r.values["account"] for r in opportunities.records)
