"""Adding a field is O(1) at any record count: no record is rewritten, the table is not rebuilt."""

from __future__ import annotations

import pytest
from django.db import connection

from metadata.cache import get_meta
from metadata.services import add_field
from tessera.records import service
from tests.helpers.metadata_api import labels, picklist_values

pytestmark = pytest.mark.django_db

RECORDS = 2_000


def _row_locations(table: str) -> dict[int, str]:
    """id → ctid: an UPDATE always writes a new row version at a new ctid, even within one transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id, ctid::text FROM "{table}"')
        return dict(cursor.fetchall())


def _table_state(table: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s::regclass)", [table])
        filenode = cursor.fetchone()[0]
        # statistics of the current transaction only: exact, not sampled, not delayed
        cursor.execute("SELECT n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_xact_user_tables "
                       "WHERE relid = %s::regclass", [table])
        counters = cursor.fetchone()
    return filenode, counters


def test_adding_fields_to_an_object_with_many_records_rewrites_no_record(make_object, admin_a):
    obj = make_object("bulky", fields=[{"api_name": "code", "type": "text"}])
    for batch in range(RECORDS // 1_000):
        results = service.create_records(
            "bulky", [{"name": f"R{batch}-{i}", "code": f"{batch}-{i}"} for i in range(1_000)], admin_a)
        assert all(r.record is not None for r in results)
    locations = _row_locations(obj.table)
    assert len(locations) == RECORDS
    state = _table_state(obj.table)
    version = get_meta().version

    new_fields = [
        {"api_name": "plain", "type": "text"},
        {"api_name": "with_default", "type": "number", "default": 7},
        {"api_name": "flag", "type": "boolean", "default": True},
        {"api_name": "tier", "type": "picklist", "indexed": True,
         "options": {"values": picklist_values("gold", "silver")}},
        {"api_name": "account", "type": "lookup", "options": {"target": "account"}},  # a slot and an index
        {"api_name": "ref", "type": "text", "unique": True},
        {"api_name": "seq", "type": "auto_number", "options": {"format": "B-{00000}"}},
        {"api_name": "doubled", "type": "formula", "options": {"formula": "with_default * 2", "result_type": "number"}},
    ]
    for spec in new_fields:
        add_field("bulky", {"labels": labels(spec["api_name"]), **spec}, admin_a)

    assert get_meta().version == version + len(new_fields)
    assert _row_locations(obj.table) == locations  # not one row version was written
    assert _table_state(obj.table) == state  # same file (no rewrite), no insert/update/delete counted
    # old records simply have no value for the new fields; defaults are for new records
    old = service.get_record("bulky", min(locations), admin_a)
    assert old.values["code"] == "0-0"
    assert all(old.values.get(name) is None for name in ("plain", "with_default", "flag", "tier", "seq"))
    new = service.create_record("bulky", {"name": "New", "tier": "gold"}, admin_a)
    assert new.values["with_default"] == 7 and new.values["flag"] is True and new.values["seq"] == "B-00001"
    assert new.values["doubled"] == 14
    # the new indexed field works in filters at once
    page = service.list_records("bulky", admin_a, filters=[("tier", "gold")])
    assert [r.id for r in page.records] == [new.id]

    # control: the instruments do see a rewrite (one record updated → its ctid and the counters move)
    service.update_record("bulky", old.id, {"plain": "changed"}, admin_a)
    after = _row_locations(obj.table)
    assert after[old.id] != locations[old.id]
    assert _table_state(obj.table)[1][1] == state[1][1] + 1
