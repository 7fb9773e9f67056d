"""Benchmark: a list page filtered and sorted on a formula field, at 1M records.

What it measures, and why
-------------------------
A formula field has no stored value by default: the records API compiles its formula to SQL
(metadata.formulas, the same tree the Python evaluator walks), so a filter or sort on it evaluates
the formula for every candidate row. A formula over the record's own fields can instead be *stored*
(`materialized: true`): the write path computes it in Python on every write, existing records get it
from the compiled SQL, and it lives in an indexed typed column (a slot). This script measures both
against the same list page on a stored, indexed field:

- formula: `weighted = amount * probability` (currency: the expected revenue), filter
  `weighted__gte=<the 90th percentile>` (~10% of the deals), sort `-weighted`, 50 rows;
- stored formula: the same formula with `materialized: true`;
- baseline: `amount__gte=<its 90th percentile>`, sort `-amount`, 50 rows (amount is an indexed
  currency field).

For each: p50/p95 of the service call (tessera.records.service.list_records: compile, SQL, rows →
Records) and of its SQL alone, first page and a keyset page; the ratio against the baseline; and the
time the stored formula took to be computed for every existing record (the background job that
adding it queues on a large object, run inline here).

The script uses a database of its own (default `tessera_bench_formulas`, dropped and re-created,
dropped at the end unless --keep), the records benchmark's `deal` object and data (bench/_records_data.py),
loaded with COPY in the runtime's storage encoding.

    .venv/bin/python bench/formulas.py                    # 1,000,000 deals
    .venv/bin/python bench/formulas.py --records 50000    # a quick run
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable

import _records_data as data
from _common import (
    check_bench_database_name,
    cpu_facts,
    database_name,
    drop_database,
    median,
    percentile,
    recreate_database,
    say,
    secs,
    server_label,
    with_database,
)

LOAD_CHUNK = 20_000
ACCOUNTS = 20_000
FORMULA = "amount * probability"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="deals to load (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=60, help="timed repetitions per case")
    parser.add_argument("--database", default="tessera_bench_formulas")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    return parser.parse_args(argv)


def timed(fn: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return runs


def p50_p95(runs: list[float]) -> str:
    return f"{ms(median(runs))} / {ms(percentile(runs, 95))}"


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    # It measures the sort on a computed formula that lists refuse at this size (no index).
    os.environ.setdefault("TESSERA_SORT_UNINDEXED_LIMIT", str(10**12))
    from tessera.embedded import EmbeddedServices

    with EmbeddedServices(database=True, broker=False):
        source = os.environ["DATABASE_URL"]
        check_bench_database_name(args.database, {"tessera", "postgres", database_name(source)})
        url = with_database(source, args.database)
        say(f"Benchmark database: {args.database} on {server_label(url)} (dropped and re-created)")
        recreate_database(url)
        os.environ["DATABASE_URL"] = url
        try:
            import django

            django.setup()
            print(run(args, url))
        finally:
            from django.db import connections

            connections.close_all()
            os.environ["DATABASE_URL"] = source
            if args.keep:
                say(f"Kept {args.database}.")
            else:
                drop_database(url)
    return 0


def run(args, url: str) -> str:
    import psycopg2
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from metadata.cache import get_meta
    from metadata.services import add_field, create_object
    from tenants.bootstrap import migrate_platform
    from tenants.provisioning import create_tenant
    from tessera.core import jobs, tasks
    from tessera.records import service
    from tessera.security.access import SYSTEM

    say("Migrating …")
    migrate_platform(verbosity=0)
    tenant = create_tenant("bench", "Bench formulas").tenant
    connection.set_tenant(tenant)
    create_object(data.DEAL_OBJECT, SYSTEM)
    for spec in data.DEAL_FIELDS:
        add_field("deal", spec, SYSTEM)
    meta = get_meta()
    account, deal = meta.objects["account"], meta.objects["deal"]
    say(f"Loading {ACCOUNTS:,} accounts and {args.records:,} deals with COPY …")
    accounts = data.account_factory(account, owner_id=None)
    account_ids = data.copy_records(account, [accounts.values(random.Random(f"a{i}")) for i in range(ACCOUNTS)])
    deals = data.deal_factory(deal, owner_id=None, account_ids=lambda rng: account_ids[rng.randrange(len(account_ids))])
    started = time.perf_counter()
    for chunk, offset in enumerate(range(0, args.records, LOAD_CHUNK)):
        rng = random.Random(f"deal-{chunk}")
        data.copy_records(deal, [deals.values(rng) for _ in range(min(LOAD_CHUNK, args.records - offset))])
        done = min(offset + LOAD_CHUNK, args.records)
        say(f"  {done:>10,}/{args.records:,} ({done / (time.perf_counter() - started):,.0f}/s)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE record")

    say("Adding the formula field (computed on read) …")
    started = time.perf_counter()
    add_field("deal", {"api_name": "weighted", "type": "formula", "labels": {"en": "Weighted"},
                       "options": {"formula": FORMULA, "result_type": "currency"}}, SYSTEM)
    add_plain = time.perf_counter() - started
    say("Adding the stored formula field; its job computes it for every deal …")
    queued = []
    original = tasks.run_job.apply_async
    tasks.run_job.apply_async = lambda args, countdown=None: queued.append(args[0])
    try:
        started = time.perf_counter()
        add_field("deal", {"api_name": "weighted_stored", "type": "formula", "labels": {"en": "Weighted (stored)"},
                           "options": {"formula": FORMULA, "result_type": "currency", "materialized": True}}, SYSTEM)
        add_stored = time.perf_counter() - started
        started = time.perf_counter()
        for job_id in queued:
            job = jobs.run_job(job_id)
            assert job.status == "done", job.message
        backfill = time.perf_counter() - started
    finally:
        tasks.run_job.apply_async = original
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {deal.table}")
    deal = get_meta().objects["deal"]
    stored = deal.fields_by_name["weighted_stored"]
    assert stored.slot and stored.slot_ready, "the stored formula did not get its indexed column"

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY {stored.slot}), "
                       f"percentile_disc(0.9) WITHIN GROUP (ORDER BY {deal.fields_by_name['amount'].slot}) "
                       f"FROM {deal.table}")
        weighted_cut, amount_cut = cursor.fetchone()
    cases = {
        "formula (computed)": ([("weighted__gte", str(weighted_cut))], ["-weighted"]),
        "formula (stored)": ([("weighted_stored__gte", str(weighted_cut))], ["-weighted_stored"]),
        "baseline: amount": ([("amount__gte", str(amount_cut))], ["-amount"]),
    }
    raw = psycopg2.connect(url)
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute(f'SET search_path TO "{tenant.schema_name}", public')

    rows = []
    for label, (filters, sort) in cases.items():
        first = service.list_records("deal", SYSTEM, filters=filters, sort=sort, limit=50)
        cursor_token = first.next_cursor
        with CaptureQueriesContext(connection) as captured:
            service.list_records("deal", SYSTEM, filters=filters, sort=sort, limit=50)
        statement = next(q["sql"] for q in captured.captured_queries if "LIMIT 51" in q["sql"])

        def run_sql(statement=statement):
            with raw.cursor() as cursor:
                cursor.execute(statement)
                cursor.fetchall()

        repeat = args.repeat if "computed" not in label else max(5, args.repeat // 10)
        service_runs = timed(lambda f=filters, s=sort: service.list_records("deal", SYSTEM, filters=f, sort=s,
                                                                            limit=50), repeat)
        sql_runs = timed(run_sql, repeat)
        page2 = timed(lambda f=filters, s=sort, c=cursor_token: service.list_records(
            "deal", SYSTEM, filters=f, sort=s, limit=50, cursor=c), repeat)
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
            plan = "\n".join("    " + r[0] for r in cursor.fetchall()[:12])
        rows.append((label, service_runs, sql_runs, page2, plan, len(first.records)))
    raw.close()

    base = rows[-1]
    lines = [
        "", f"Formula list page at {args.records:,} deals (filter >= 90th percentile, sort desc, 50 rows)",
        f"Server: {server_label(url)}; {cpu_facts()}", "",
        f"{'case':<22} {'service p50/p95':>24} {'SQL p50/p95':>24} {'page 2 p50':>12} {'SQL ratio':>10}",
    ]
    for label, service_runs, sql_runs, page2, _plan, _count in rows:
        ratio = median(sql_runs) / median(base[2])
        lines.append(f"{label:<22} {p50_p95(service_runs):>24} {p50_p95(sql_runs):>24} {ms(median(page2)):>12} "
                     f"{ratio:>9.2f}x")
    lines += ["", f"add the computed formula field: {ms(add_plain)} (metadata only)",
              f"add the stored formula field: {ms(add_stored)} (then its job filled {args.records:,} records in "
              f"{secs(backfill)} and built the index CONCURRENTLY)", "", "Plans (first lines):"]
    for label, *_rest, plan, _count in [(r[0], r[4], r[5]) for r in rows]:
        lines += [f"  {label}:", plan]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
