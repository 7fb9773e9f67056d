"""Gap-free auto-numbers under real concurrency: writer threads with their own database
connections, each committing, some of their writes failing after taking numbers (a unique
collision at the insert, a rollback of the surrounding use case). The committed numbers are
exactly 1…N: unique and without a gap. Transactions numbering two objects' counters in opposite
orders never deadlock (counters are locked in field id order).

In a tenant of its own, committed (not the test transaction), removed afterwards.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from metadata.cache import get_meta
from metadata.services import add_field, create_object
from tenants.provisioning import create_tenant, delete_tenant
from tessera.errors import ValidationFailed
from tessera.records import pipeline, service
from tessera.records.autonumbers import take_numbers
from tessera.security.access import SYSTEM

THREADS = 6
ROUNDS = 8


@pytest.fixture
def scratch_tenant(committed):
    tenant = create_tenant("gapfree", "Gap-free").tenant
    try:
        with tenant_context(tenant):
            for api_name in ("contract", "invoice"):
                create_object({"api_name": api_name, "labels": {"en": {"singular": api_name.title()}}}, SYSTEM)
                add_field(api_name, {"api_name": "number", "type": "auto_number", "labels": {"en": "Number"},
                                     "options": {"format": "N-{0000}", "gap_free": True}}, SYSTEM)
            add_field("contract", {"api_name": "code", "type": "text", "unique": True, "labels": {"en": "Code"}},
                      SYSTEM)
        yield tenant
    finally:
        connection.set_schema_to_public()
        delete_tenant("gapfree")


def _run_threads(work) -> list[BaseException]:
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=60)
            work(n)
        except BaseException as exc:  # reported in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return failures


def test_committed_numbers_have_no_gap_under_concurrent_failing_writes(scratch_tenant, monkeypatch):
    # Collisions reach the unique index (as when two writers race past the pre-check).
    monkeypatch.setattr(pipeline, "check_unique", lambda tenant, obj, drafts: None)
    written = []

    def work(n: int) -> None:
        connection.set_tenant(scratch_tenant)
        for i in range(ROUNDS):
            kind = i % 4
            if kind == 0:
                service.create_record("contract", {"name": f"{n}-{i}"}, SYSTEM)
                written.append(1)
            elif kind == 1:
                service.create_records("contract", [{"name": f"{n}-{i}-{j}"} for j in range(3)], SYSTEM,
                                       all_or_nothing=False)
                written.append(3)
            elif kind == 2:  # a unique collision inside the batch: refused at the insert
                try:
                    service.create_records("contract", [{"name": "x", "code": f"{n}-{i}"},
                                                        {"name": "y", "code": f"{n}-{i}"}], SYSTEM)
                except ValidationFailed:
                    pass
                else:
                    raise AssertionError("the colliding batch was written")
            else:  # the surrounding use case fails after the record was numbered
                try:
                    with transaction.atomic():
                        service.create_record("contract", {"name": f"{n}-{i} rolled back"}, SYSTEM)
                        raise RuntimeError("a later step failed")
                except RuntimeError:
                    pass

    failures = _run_threads(work)
    assert not failures, failures
    with tenant_context(scratch_tenant):
        table = get_meta().objects["contract"].table
        key = get_meta().objects["contract"].fields_by_name["number"].key
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT data ->> %s FROM \"{table}\"", [key])
            numbers = sorted(int(row[0].split("-")[1]) for row in cursor.fetchall())
    assert len(numbers) == sum(written) == THREADS * ROUNDS // 4 * 4
    assert numbers == list(range(1, len(numbers) + 1))  # unique, and no gap


def test_numbering_two_objects_in_opposite_orders_never_deadlocks(scratch_tenant):
    with tenant_context(scratch_tenant):
        meta = get_meta()
        contract = meta.objects["contract"].fields_by_name["number"]
        invoice = meta.objects["invoice"].fields_by_name["number"]
    taken: list[dict] = []

    def work(n: int) -> None:
        connection.set_tenant(scratch_tenant)
        for i in range(ROUNDS):
            order = [(contract, 1), (invoice, 2)] if (n + i) % 2 else [(invoice, 2), (contract, 1)]
            with transaction.atomic():
                numbers = take_numbers(order)
                if i % 3 == 2:
                    transaction.set_rollback(True)  # given back
                else:
                    taken.append(numbers)

    failures = _run_threads(work)
    assert not failures, failures  # a deadlock would surface here as an error
    committed_contract = sorted(n for numbers in taken for n in numbers[contract.id])
    committed_invoice = sorted(n for numbers in taken for n in numbers[invoice.id])
    assert committed_contract == list(range(1, len(taken) + 1))
    assert committed_invoice == list(range(1, 2 * len(taken) + 1))
