"""Auto-numbers under real concurrency: threads with their own connections, each committing.

Kept apart from test_autonumber.py, whose module-wide `django_db` mark would wrap this test in a
transaction: its cleanup (which must commit) would then be rolled back, leaving the threads'
records behind for later tests."""

from __future__ import annotations

import threading
import uuid

from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from metadata.cache import get_meta
from tessera.records import service
from tessera.records.models import RecordChange

THREADS = 6
PER_THREAD = 8


def test_numbers_are_unique_and_increasing_under_concurrent_inserts(committed):
    """Real concurrency: each thread has its own database connection and commits each record.

    No `tenant_a` fixture: it would wrap the test in a transaction, and the cleanup below (which must
    commit) would be rolled back, leaving the threads' records behind for later tests."""
    from django.contrib.auth import get_user_model

    from tenants.models import Tenant

    tenant_a = Tenant.objects.get(slug="alpha")

    with tenant_context(tenant_a):
        admin = get_user_model().objects.get(email="admin@alpha.test")
        account = get_meta().objects["account"]
    run = uuid.uuid4().hex[:8]
    barrier = threading.Barrier(THREADS)
    made: dict[int, list[tuple[int, str]]] = {}
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            connection.set_tenant(tenant_a)
            barrier.wait(timeout=30)
            mine = []
            for i in range(PER_THREAD):
                if i % 2:
                    batch = service.create_records("account", [{"name": f"Concurrent {run} {n}-{i}-{j}"}
                                                               for j in range(3)], admin, confirm_duplicates=True)
                    mine.extend((r.record.id, r.record.values["account_number"]) for r in batch)
                else:
                    record = service.create_record("account", {"name": f"Concurrent {run} {n}-{i}"}, admin,
                                                   confirm_duplicates=True)
                    mine.append((record.id, record.values["account_number"]))
            made[n] = mine
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failures, failures
        year = f"{timezone.localdate():%Y}"
        numbers_by_thread = []
        for mine in made.values():
            assert all(number.startswith(f"CUST-{year}-") for _id, number in mine)
            numbers_by_thread.append([int(number.rsplit("-", 1)[1]) for _id, number in mine])
        everything = sorted(n for numbers in numbers_by_thread for n in numbers)
        assert len(everything) == THREADS * PER_THREAD // 2 * 4  # singles and batches of three
        assert len(set(everything)) == len(everything)  # unique
        assert everything == list(range(everything[0], everything[0] + len(everything)))  # no gaps
        for numbers in numbers_by_thread:
            assert numbers == sorted(numbers)  # increasing in each writer's order
    finally:
        with tenant_context(tenant_a):
            with connection.cursor() as cursor:
                cursor.execute(f'DELETE FROM "{account.table}" WHERE name LIKE %s RETURNING id', [f"Concurrent {run} %"])
                ids = [row[0] for row in cursor.fetchall()]
            RecordChange.objects.filter(object_id=account.id, record_id__in=ids).delete()
            assert not RecordChange.objects.filter(object_id=account.id, record_id__in=ids).exists()
        connection.set_schema_to_public()
