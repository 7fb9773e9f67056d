"""A snapshot compiled from the previous one (metadata.compile reuses what it made of every row
version that has not changed) is never stale: after every kind of change, in this process and in
one whose last compile is several changes old, it equals a compile from nothing; whatever another
object derives from a changed field (a formula through a lookup, a roll-up) follows the change;
and the reuse is real (a save recompiles what it wrote, the compile under the lock reads no row)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from metadata import cache
from metadata.cache import get_meta
from metadata.compile import CompiledRows, compile_tenant_meta
from metadata.fieldtypes.base import FieldType
from metadata.formula_scope import MetaScope, checked_formula, fields_read
from metadata.meta import TenantMeta
from metadata.models import ObjectDef
from metadata.services import (
    add_field,
    create_category,
    create_layout,
    create_list_view,
    delete_field,
    delete_list_view,
    delete_object,
    restore_field,
    update_category,
    update_field,
    update_layout,
    update_object,
)
from metadata.services.fields import where_used
from metadata.services.objects import restore_object
from metadata.versioning import lock_metadata
from tessera.lru import SnapshotCache
from tessera.security.access import SYSTEM
from tests.helpers.metadata_api import labels

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def plain(value: Any) -> Any:
    """Everything a snapshot says, as plain data (its classes compare by identity)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, FieldType):
        return value.key
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(plain(v)) for v in value)
    return value


def from_nothing(meta: TenantMeta) -> TenantMeta:
    """The same version compiled without reusing anything: what any compile must give."""
    return compile_tenant_meta(meta.schema, meta.version, meta.token)[0]


def last_compile() -> CompiledRows:
    """What this process's last compile of the current schema made of each row version."""
    parts = cache._parts.get((connection.settings_dict["NAME"], connection.schema_name))  # noqa: SLF001
    assert parts is not None
    return parts


@pytest.fixture
def shop_and_orders(make_object):
    """shop (a rate, a roll-up of its orders' amounts) ← order (a lookup, a formula through it)."""
    make_object("shop", fields=[{"api_name": "rate", "type": "number", "options": {"scale": 2}}])
    make_object("order", fields=[
        {"api_name": "shop", "type": "lookup", "options": {"target": "shop"}},
        {"api_name": "amount", "type": "number", "options": {"scale": 2}},
        {"api_name": "doubled", "type": "formula", "options": {"formula": "shop.rate * 2", "result_type": "number"}},
    ])
    add_field("shop", {"api_name": "total", "type": "rollup", "labels": labels("Total"), "options": {
        "child_object": "order", "child_field": "shop", "function": "sum", "value_field": "amount"}}, SYSTEM)
    return get_meta()


def test_every_kind_of_change_gives_the_snapshot_a_fresh_compile_gives(shop_and_orders, make_object, admin_a):
    """In this process (its last compile one change old) and in another one whose last compile
    predates every change: the same snapshot as compiling from nothing, change after change. The
    field delete also rewrites another object's layout (a related list's column): a change that
    writes rows of an object it is not recorded against."""
    other_process = last_compile()
    order_list = [{"object": "order", "field": "shop", "columns": ["name", "amount"], "sort": ["-amount"]}]

    def rolled_back():
        with pytest.raises(Boom), transaction.atomic():
            update_field("order", "amount", {"help_text": {"en": "never"}}, admin_a)
            raise Boom

    steps = [
        lambda: update_field("order", "amount", {"help_text": {"en": "Net amount"}}, admin_a),
        lambda: update_field("shop", "rate", {}, admin_a, options_patch={"scale": 4}),
        lambda: update_object("order", {"labels": {"en": {"singular": "Purchase"}}}, admin_a),
        lambda: create_layout("shop", {"api_name": "with_orders", "kind": "view", "labels": labels("With orders"),
                                       "sections": [{"items": [{"field": "name"}]}], "related_lists": order_list},
                              admin_a),
        lambda: update_layout("shop", "with_orders", {"labels": labels("Orders")}, admin_a),
        lambda: create_category("order", {"api_name": "big", "labels": labels("Big")}, admin_a),
        lambda: update_category("order", "big", {"required_fields": ["amount"]}, admin_a),
        lambda: create_list_view("order", {"api_name": "recent", "columns": ["name", "amount"], "shared": True},
                                 admin_a),
        rolled_back,
        lambda: delete_field("order", "doubled", admin_a),
        lambda: delete_list_view("order", "recent", admin_a),
        lambda: restore_field("order", "doubled", admin_a),
        lambda: add_field("order", {"api_name": "note", "type": "text", "labels": labels("Note")}, admin_a),
        lambda: make_object("scratch", fields=[{"api_name": "memo", "type": "text"}]),
        lambda: delete_object("scratch", admin_a, confirm_name="scratch"),  # soft: its rows stay
        lambda: restore_object(ObjectDef.with_deleted.get(api_name="scratch").pk, admin_a),
        lambda: delete_object("scratch", admin_a, confirm_name="scratch"),
    ]
    for n, step in enumerate(steps):
        step()
        meta = get_meta()
        expected = plain(from_nothing(meta))
        assert plain(meta) == expected, n
        late, _parts = compile_tenant_meta(meta.schema, meta.version, meta.token, other_process)
        assert plain(late) == expected, n
    meta = get_meta()
    assert meta.objects["order"].field("amount").help_text["en"] == "Net amount"
    assert meta.objects["shop"].layouts["with_orders"].labels["en"] == "Orders"
    assert meta.objects["order"].categories["big"].required_fields == {"amount"}
    assert "recent" not in {v.api_name for v in meta.objects["order"].list_views}
    assert meta.objects["order"].field("note") is not None
    assert "scratch" not in meta.objects


def test_a_field_delete_reaches_the_other_objects_layout_it_rewrites(shop_and_orders, make_object, admin_a):
    """Deleting order.amount takes it off shop's related list of orders (a row of shop, the change
    recorded against order): the next snapshot's shop follows, and so does another process's."""
    make_object("note_pad", fields=[{"api_name": "shop", "type": "lookup", "options": {"target": "shop"}},
                                    {"api_name": "body", "type": "text"}])
    create_layout("shop", {"api_name": "with_pads", "kind": "view", "labels": labels("Pads"), "sections": [],
                           "related_lists": [{"object": "note_pad", "field": "shop", "columns": ["name", "body"]}]},
                  admin_a)
    before = get_meta()
    other_process = last_compile()
    delete_field("note_pad", "body", admin_a)
    after = get_meta()
    assert before.objects["shop"].layouts["with_pads"].related_lists[0].columns == ("name", "body")
    assert after.objects["shop"].layouts["with_pads"].related_lists[0].columns == ("name",)
    late, _parts = compile_tenant_meta(after.schema, after.version, after.token, other_process)
    assert late.objects["shop"].layouts["with_pads"].related_lists[0].columns == ("name",)
    assert after.objects["note_pad"].field("body") is None and late.objects["note_pad"].field("body") is None


def test_a_save_recompiles_what_it_wrote_and_nothing_else(shop_and_orders, admin_a):
    before = get_meta()
    update_field("order", "amount", {"help_text": {"en": "Net"}}, admin_a)
    after = get_meta()
    assert after is not before and after.version == before.version + 1
    assert after.objects["shop"] is before.objects["shop"]  # none of its rows changed
    assert after.objects["account"] is before.objects["account"]
    assert after.objects["order"] is not before.objects["order"]
    assert after.objects["order"].field("amount").help_text == {"en": "Net"}
    assert before.objects["order"].field("amount").help_text == {}  # a snapshot never changes
    assert after.objects["order"].field("shop") is before.objects["order"].field("shop")
    assert all(after.objects["order"].layouts[k] is v for k, v in before.objects["order"].layouts.items())


def test_what_another_object_derives_from_a_changed_field_follows_it(shop_and_orders, admin_a):
    """order.doubled reads shop.rate through the lookup; shop.total rolls up order.amount. Changing
    shop.rate (its scale) or order.amount changes none of the other object's rows, so its compiled
    metadata is reused; what it derives from the changed field is checked against the new snapshot."""
    before = get_meta()
    order, source = before.objects["order"], before.objects["order"].field("doubled").options["formula"]
    old_check = checked_formula(before, order, source, "number")
    update_field("shop", "rate", {}, admin_a, options_patch={"scale": 4})
    after = get_meta()
    assert after.objects["order"] is order  # nothing of order changed
    rate = after.objects["shop"].field("rate")
    assert rate.options["scale"] == 4 and before.objects["shop"].field("rate").options["scale"] == 2
    assert MetaScope(after, order).resolve(("shop", "rate")).scale == 4
    assert MetaScope(before, order).resolve(("shop", "rate")).scale == 2
    assert checked_formula(after, order, source, "number") is not old_check
    read = fields_read(after, order, source, "number")
    assert read is not None and any(field is rate for _obj, field in read)

    update_field("order", "amount", {"labels": labels("Amount due")}, admin_a)
    latest = get_meta()
    assert latest.objects["shop"] is after.objects["shop"]  # the roll-up's own row did not change
    amount = latest.objects["order"].field("amount")
    assert amount.labels["en"] == "Amount due"
    assert any("shop.total" in where for where in where_used(latest, latest.objects["order"], amount))


def test_the_compile_under_the_lock_reads_only_the_row_stamps(shop_and_orders, make_object, admin_a):
    """Before a change writes anything, its checks' snapshot reuses every compiled row (the rows
    of a deleted object, kept for its restore, are not read again either)."""
    make_object("gone", fields=[{"api_name": "memo", "type": "text"}])
    delete_object("gone", admin_a, confirm_name="gone")
    get_meta()
    with transaction.atomic():
        lock_metadata()
        with CaptureQueriesContext(connection) as queries:
            locked = get_meta()
        read = [q["sql"] for q in queries.captured_queries if "metadata_fielddef" in q["sql"]
                or "metadata_layout" in q["sql"] or "metadata_objectdef" in q["sql"]]
        assert len(read) == 1 and "UNION ALL" in read[0], read
        assert locked.objects["order"] is get_meta().objects["order"]


def test_tenants_never_share_compiled_rows(tenant_a, tenant_b, admin_a):
    """Each schema's compile starts from its own last compile: tenant B's account is B's."""
    connection.set_tenant(tenant_a)
    add_field("account", {"api_name": "only_in_a", "type": "text", "labels": labels("Only A")}, admin_a)
    a = get_meta()
    connection.set_tenant(tenant_b)
    b = get_meta()
    assert a.objects["account"].field("only_in_a") is not None
    assert b.objects["account"].field("only_in_a") is None
    assert b.objects["account"] is not a.objects["account"]
    assert not {id(f) for f in b.objects["account"].fields} & {id(f) for f in a.objects["account"].fields}
    assert plain(b) == plain(from_nothing(b))
    cache.clear()
    assert plain(get_meta()) == plain(b)


def test_a_save_is_seen_by_the_next_read_of_another_process(shop_and_orders, admin_a, monkeypatch):
    """Two processes' caches (each its snapshots and its compiled rows): B has compiled and cached
    the snapshot before A saves; B's next read serves A's change, and equals a compile from nothing."""
    process_a = (cache._entries, cache._parts)  # noqa: SLF001
    process_b = (SnapshotCache(cache.MAX_ENTRIES), SnapshotCache(cache.MAX_ENTRIES))

    def become(process):
        monkeypatch.setattr(cache, "_entries", process[0])
        monkeypatch.setattr(cache, "_parts", process[1])

    become(process_b)
    seen_by_b = get_meta()
    assert get_meta() is seen_by_b  # cached in B
    become(process_a)
    update_field("order", "amount", {"help_text": {"en": "Gross"}}, admin_a)
    delete_field("order", "doubled", admin_a)
    become(process_b)
    after = get_meta()
    assert after.version == seen_by_b.version + 2
    assert after.objects["order"].field("amount").help_text == {"en": "Gross"}
    assert after.objects["order"].field("doubled") is None
    assert seen_by_b.objects["order"].field("doubled") is not None
    assert after.objects["shop"] is seen_by_b.objects["shop"]  # B reused its own compile of shop
    assert plain(after) == plain(from_nothing(after))
