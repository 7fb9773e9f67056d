"""(h) The cost of gap-free auto-numbers against sequences, for bench/records.py.

Two objects alike but for their auto-number: `seq_doc` numbered by a sequence (the default) and
`gap_doc` by a gap-free counter (one locked row per field, held from numbering to commit). Measured
in the same run, alternating:
- 20 concurrent writers on one object: processes (forked, as web workers are) with a database
  connection each, each creating single records through service.create_record (committed one by
  one); creates per second and the p50/p95 of one create;
- the bulk path: service.create_records in batches of 1,000, one writer; rows per second.
The ratio is gap-free / sequence (throughput: below 1 costs; latency: above 1 costs). A gap-free
counter is locked from numbering (the last step before the insert) to the commit, so its writers
commit one after the other: the throughput of 20 writers is about one commit (with its WAL flush)
per lock holder at a time.
"""

from __future__ import annotations

import multiprocessing
import time

from _common import median, percentile, say

WRITERS = 20
OBJECTS = {"seq_doc": False, "gap_doc": True}


def create_objects() -> None:
    from metadata.services import add_field, create_object
    from tessera.security.access import SYSTEM

    for api_name, gap_free in OBJECTS.items():
        create_object({"api_name": api_name, "labels": {"en": {"singular": api_name}}}, SYSTEM)
        add_field(api_name, {"api_name": "number", "type": "auto_number", "labels": {"en": "Number"},
                             "options": {"format": "D-{000000}", "gap_free": gap_free}}, SYSTEM)
        add_field(api_name, {"api_name": "amount", "type": "currency", "labels": {"en": "Amount"}}, SYSTEM)
        add_field(api_name, {"api_name": "note", "type": "text", "labels": {"en": "Note"}}, SYSTEM)


def concurrent_creates(tenant, api_name: str, per_writer: int) -> tuple[float, list[float]]:
    """(creates per second, latency of each create) with WRITERS processes at once."""
    from django.db import connections

    connections.close_all()  # each forked writer opens its own connection
    context = multiprocessing.get_context("fork")
    start_gate = context.Barrier(WRITERS + 1)
    results = context.Queue()
    writers = [context.Process(target=_writer, args=(tenant.pk, api_name, n, per_writer, start_gate, results))
               for n in range(WRITERS)]
    for writer in writers:
        writer.start()
    start_gate.wait()
    start = time.perf_counter()
    latencies: list[float] = []
    for _ in writers:
        outcome = results.get()
        if isinstance(outcome, str):
            raise RuntimeError(f"a writer failed: {outcome}")
        latencies.extend(outcome)
    elapsed = time.perf_counter() - start
    for writer in writers:
        writer.join()
    return len(latencies) / elapsed, latencies


def _writer(tenant_id: int, api_name: str, n: int, per_writer: int, start_gate, results) -> None:
    from django.db import connection

    from tenants.models import Tenant
    from tessera.records import service
    from tessera.security.access import SYSTEM

    try:
        connection.set_tenant(Tenant.objects.get(pk=tenant_id))
        start_gate.wait()
        mine = []
        for i in range(per_writer):
            start = time.perf_counter()
            service.create_record(api_name, {"name": f"w{n}-{i}", "amount": "12.50", "note": "x"}, SYSTEM)
            mine.append(time.perf_counter() - start)
        results.put(mine)
    except BaseException as exc:  # the parent reports it
        results.put(repr(exc))
    finally:
        connection.close()


def bulk_rate(api_name: str, batches: int) -> float:
    from tessera.records import service
    from tessera.security.access import SYSTEM

    rows = [{"name": f"b{i}", "amount": "3.00", "note": "bulk"} for i in range(1_000)]
    start = time.perf_counter()
    for _ in range(batches):
        service.create_records(api_name, rows, SYSTEM)
    return batches * len(rows) / (time.perf_counter() - start)


def check_gap_free(api_name: str) -> tuple[int, bool]:
    """(records, whether their numbers are exactly 1…N)."""
    from django.db import connection

    from metadata.cache import get_meta

    obj = get_meta().objects[api_name]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT data ->> %s FROM "{obj.table}"', [obj.fields_by_name["number"].key])
        numbers = sorted(int(row[0].split("-")[1]) for row in cursor.fetchall())
    return len(numbers), numbers == list(range(1, len(numbers) + 1))


def measure_autonumbers(world, results, *, per_writer: int, batches: int, rounds: int = 3) -> None:
    from django.db import connection

    say(f"(h) auto-numbers: {WRITERS} concurrent writers x {per_writer} creates, and {batches} bulk batches "
        f"of 1,000, sequence vs gap-free, {rounds} alternating rounds …")
    connection.set_tenant(world.tenant)
    create_objects()
    rates: dict[str, list[float]] = {name: [] for name in OBJECTS}
    latencies: dict[str, list[float]] = {name: [] for name in OBJECTS}
    bulk: dict[str, list[float]] = {name: [] for name in OBJECTS}
    for round_number in range(rounds):
        order = list(OBJECTS) if round_number % 2 == 0 else list(reversed(OBJECTS))  # neither always first
        for api_name in order:
            rate, times = concurrent_creates(world.tenant, api_name, per_writer)
            connection.set_tenant(world.tenant)
            rates[api_name].append(rate)
            latencies[api_name].extend(times)
            bulk[api_name].append(bulk_rate(api_name, batches))
            say(f"  {api_name}: {rate:,.0f} creates/s with {WRITERS} writers, bulk {bulk[api_name][-1]:,.0f} rows/s")
    seq_rate, gap_rate = median(rates["seq_doc"]), median(rates["gap_doc"])
    seq_bulk, gap_bulk = median(bulk["seq_doc"]), median(bulk["gap_doc"])
    results.row(f"(h) {WRITERS} concurrent writers, one object: creates/s, gap-free (sequence)",
                f"{gap_rate:,.0f}/s", f"{seq_rate:,.0f}/s (sequence)", f"{gap_rate / seq_rate:.2f}x")
    for pct in (50, 95):
        gap_ms = percentile(latencies["gap_doc"], pct) * 1000
        seq_ms = percentile(latencies["seq_doc"], pct) * 1000
        results.row(f"(h)   one create under {WRITERS} writers, p{pct}", f"{gap_ms:,.1f} ms",
                    f"{seq_ms:,.1f} ms (sequence)", f"{gap_ms / seq_ms:.2f}x")
    results.row("(h) bulk create_records, 1,000 per batch: rows/s", f"{gap_bulk:,.0f}/s",
                f"{seq_bulk:,.0f}/s (sequence)", f"{gap_bulk / seq_bulk:.2f}x")
    count, exact = check_gap_free("gap_doc")
    seq_count, seq_exact = check_gap_free("seq_doc")
    results.detail(f"(h) gap-free numbers after the run: {count:,} records numbered 1..{count:,} exactly: {exact}; "
                   f"sequence: {seq_count:,} records, 1..N exactly: {seq_exact}")
