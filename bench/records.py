"""Benchmark: record storage and runtime at 1M records of one object, against a plain typed table.

What it measures, and why
-------------------------
Tessera keeps every object's records in one partitioned `record` table per tenant schema (a
partition per object), with typed projection "slot" columns for indexed fields and every value in
`data jsonb` (tessera.records.storage). Whether that design is fast enough is a set of numbers
measured side by side with the alternative it replaces: the same deals in a plain typed table
(`bench_typed_deal`, one column per field, btree indexes on stage, close_date, amount, account_id),
in the same database, in the same run.

The script
1. uses a database of its own (default `tessera_bench_records`, on the server of DATABASE_URL or of
   the embedded PostgreSQL), dropped and re-created first and dropped at the end unless --keep;
   migrates it, creates the tenant `bench` (with an administrator) and, in its schema, a custom
   object `deal` with 30 custom fields and a custom object `ticket`, through metadata.services;
2. loads N accounts (standard object), N tickets and N deals (--records N, default 1,000,000): a
   sample of deals through the runtime (service.create_records, batches of 1,000, SYSTEM actor:
   coercion, validation, lookups, auto-numbers, history) timed as (d), the rest with COPY in the
   runtime's own storage encoding (checked identical through service.get_record first), then a
   second runtime sample at full size; then VACUUM ANALYZE;
3. builds the typed baseline table from the loaded deals;
4. measures, warm, interleaving Tessera and typed runs: (a) the list page (stage = a value holding
   10%, sort -close_date, 50 per page) through the HTTP API when it exists (otherwise through
   service.list_records + JSON, and says so), its SQL alone vs the typed table, keyset pages 2+;
   (b) a numeric range count (5%); (c) GROUP BY a picklist with SUM of a currency (all rows, 25% by
   a date range); (d) runtime bulk insert rate; (e) single create; (f) add_field at full size; (g)
   memory while paging through 100k records with the cursor; (h) auto-numbers, sequence vs gap-free
   (20 concurrent writers on one object, and the bulk path; see _autonumbers.py); plus prototype
   variants of the storage (clearly labelled, measured on the same data) where a target is missed;
5. prints progress on stderr and, on stdout, the result table, machine facts and the EXPLAIN
   (ANALYZE, BUFFERS) plans.

Run it from the repository root:

    .venv/bin/python bench/records.py --records 20000          # a quick run (~2 min)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/records.py
    .venv/bin/python bench/records.py --keep ...; then --reuse   # measure again without reloading
    .venv/bin/python bench/records.py --autonumbers-only         # (h) alone, nothing loaded

(bench/ is on sys.path when a script runs, not the repository root, whose platform/ folder would
shadow the standard library's `platform`; Tessera is imported as the installed `tessera` package.)
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import json
import os
import random
import re
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import _records_data as data
from _autonumbers import measure_autonumbers
from _common import (
    check_bench_database_name,
    code_version,
    cpu_facts,
    database_cpu,
    database_name,
    drop_database,
    median,
    percentile,
    recreate_database,
    say,
    secs,
    server_label,
    with_database,
    write_settings,
)

TENANT_SLUG = "bench"
ADMIN_EMAIL = "admin@bench.example.com"
ADMIN_PASSWORD = "Bench-records-2026!"
TYPED_TABLE = "bench_typed_deal"
LOAD_CHUNK = 50_000
BATCH = 1_000

TARGET_API_P95 = 0.050
TARGET_SQL_RATIO = 2.0
TARGET_INSERT_RATE = 5_000
TARGET_CREATE_P95 = 0.030
TARGET_ADD_FIELD = 0.100
#: --profile: where the (d) samples' cProfile statistics go (None: not profiled).
PROFILE_TO: str | None = None
#: --statements: print the (d) samples' statements from pg_stat_statements (per 1,000 records).
STATEMENTS = False


# --- results --------------------------------------------------------------------------------------


@dataclass
class Row:
    measurement: str
    tessera: str
    baseline: str = "-"
    ratio: str = "-"
    target: str = "-"
    verdict: str = "-"


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    plans: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(self, *args, **kwargs) -> None:
        self.rows.append(Row(*args, **kwargs))

    def detail(self, line: str) -> None:
        self.details.append(line)
        say("  " + line)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms" if seconds < 0.1 else f"{seconds * 1000:,.0f} ms"


def p50_p95(values: list[float]) -> str:
    return f"{ms(median(values))} / {ms(percentile(values, 95))}"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/records.py",
        description="Record storage and runtime at N records of one object vs a plain typed table, in a "
                    "throw-away database.",
        epilog="Progress goes to stderr, the result table to stdout.",
    )
    parser.add_argument("--records", type=int, default=1_000_000, metavar="N",
                        help="deals to load; accounts and tickets N each as well (default 1,000,000)")
    parser.add_argument("--sample", type=int, default=50_000, metavar="S",
                        help="deals written through the runtime at the start, timed as (d) (default 50,000)")
    parser.add_argument("--late-sample", type=int, default=10_000, metavar="S",
                        help="deals written through the runtime once the partition is full (default 10,000)")
    parser.add_argument("--repeat", type=int, default=100, metavar="R",
                        help="repetitions of each fast measurement (default 100)")
    parser.add_argument("--slow-repeat", type=int, default=20, metavar="R",
                        help="repetitions of each aggregate over the whole object (default 20)")
    parser.add_argument("--page-walk", type=int, default=100_000, metavar="K",
                        help="records paged through for the memory measurement (g) (default 100,000)")
    parser.add_argument("--database", default="tessera_bench_records", metavar="NAME",
                        help="the benchmark's own database, dropped and re-created (default tessera_bench_records)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--reuse", action="store_true",
                        help="measure again in a database kept by an earlier --keep run (no reload)")
    parser.add_argument("--no-variants", action="store_true", help="skip the prototype storage variants")
    parser.add_argument("--writer-creates", type=int, default=50, metavar="K",
                        help="(h) single creates by each of the 20 concurrent writers, per object and round (default 50)")
    parser.add_argument("--autonumber-batches", type=int, default=10, metavar="B",
                        help="(h) bulk batches of 1,000 per object and round (default 10)")
    parser.add_argument("--autonumbers-only", action="store_true",
                        help="measure (h) alone, in a fresh tenant, without loading the deals")
    parser.add_argument("--insert-only", action="store_true",
                        help="load and measure (d) only (runtime bulk insert and the COPY reference), then stop")
    parser.add_argument("--statements", action="store_true",
                        help="print what PostgreSQL spent on each statement of the (d) runtime samples "
                             "(pg_stat_statements: the server must preload it)")
    parser.add_argument("--profile", metavar="FILE",
                        help="cProfile the (d) runtime samples into FILE (pstats); the timing then includes the "
                             "profiler's overhead")
    args = parser.parse_args(argv)
    if args.records < 2_000:
        parser.error("--records must be at least 2,000")
    args.sample = max(BATCH, min(args.sample, args.records // 4))
    args.late_sample = max(BATCH, min(args.late_sample, args.records // 10))
    return args


# --- database --------------------------------------------------------------------------------------


@contextmanager
def bench_database(name: str, keep: bool, reuse: bool) -> Iterator[str]:
    from tessera.embedded import DATABASE_NAME as EMBEDDED_DATABASE_NAME
    from tessera.embedded import EmbeddedServices

    with EmbeddedServices(database=True, broker=False):
        source_url = os.environ["DATABASE_URL"]
        check_bench_database_name(name, {EMBEDDED_DATABASE_NAME, database_name(source_url), "tessera", "postgres",
                                         "template0", "template1"})
        if name.startswith("test_"):
            raise SystemExit("error: test_* databases belong to the test suite")
        url = with_database(source_url, name)
        if reuse:
            say(f"Benchmark database: {name} on {server_label(url)} (reused)")
        else:
            say(f"Benchmark database: {name} on {server_label(url)} (dropped and re-created)")
            recreate_database(url)
        os.environ["DATABASE_URL"] = url
        try:
            yield url
        finally:
            os.environ["DATABASE_URL"] = source_url
            if "django.db" in sys.modules:
                from django.db import connections

                connections.close_all()
            if keep or reuse:
                say(f"Kept the benchmark database {name}.")
            else:
                drop_database(url)
                say(f"Dropped the benchmark database {name}.")


def raw_connection(url: str, schema: str):
    """A psycopg2 connection of our own, to time SQL alone (no Django in the way)."""
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'SET search_path TO "{schema}", public')
    return conn


# --- set-up and loading ------------------------------------------------------------------------------


@dataclass
class World:
    tenant: object
    admin: object
    url: str
    schema: str
    account_ids: list[int] = field(default_factory=list)

    def meta(self):
        from metadata.cache import get_meta

        return get_meta()

    def obj(self, name: str):
        return self.meta().objects[name]


def create_world(args: argparse.Namespace, url: str) -> World:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from metadata.services import add_field, create_object
    from tenants.bootstrap import migrate_platform
    from tenants.models import Tenant
    from tenants.provisioning import create_tenant
    from tessera.security.access import SYSTEM

    if args.reuse:
        tenant = Tenant.objects.get(slug=TENANT_SLUG)
        connection.set_tenant(tenant)
        return World(tenant, get_user_model().objects.get(email=ADMIN_EMAIL), url, tenant.schema_name)
    say("Migrating the benchmark database …")
    start = time.perf_counter()
    migrate_platform(verbosity=0)
    say(f"  migrated in {secs(time.perf_counter() - start)}")
    provisioned = create_tenant(TENANT_SLUG, "Bench records", admin_email=ADMIN_EMAIL, admin_password=ADMIN_PASSWORD)
    tenant = provisioned.tenant
    connection.set_tenant(tenant)
    say("Creating the objects `deal` (30 custom fields) and `ticket` …")
    create_object(data.DEAL_OBJECT, SYSTEM)
    for spec in data.DEAL_FIELDS:
        add_field("deal", spec, SYSTEM)
    create_object(data.TICKET_OBJECT, SYSTEM)
    for spec in data.TICKET_FIELDS:
        add_field("ticket", spec, SYSTEM)
    return World(tenant, get_user_model().objects.get(email=ADMIN_EMAIL), url, tenant.schema_name)


def load_world(world: World, args: argparse.Namespace, results: Results) -> None:
    from django.db import connection

    n = args.records
    account, deal, ticket = world.obj("account"), world.obj("deal"), world.obj("ticket")
    say(f"Loading {n:,} accounts with COPY …")
    accounts = data.account_factory(account, owner_id=world.admin.pk)
    world.account_ids = copy_in_chunks(account, accounts, n, "account")
    pick_account = _account_picker(world.account_ids)

    deals = data.deal_factory(deal, owner_id=world.admin.pk, account_ids=pick_account)
    tickets = data.ticket_factory(ticket, owner_id=world.admin.pk, account_ids=pick_account)
    verify_copy_encoding(world, deals, results)

    say(f"(d) {args.sample:,} deals through service.create_records, {BATCH:,} per call …")
    runtime_sample(deals, args.sample, "runtime-early", results, label="(d) runtime bulk insert, empty partition")

    remaining = n - args.sample - args.late_sample
    say(f"Loading {n:,} tickets and {remaining:,} more deals with COPY, interleaved …")
    done_t = done_d = 0
    chunk = 0
    copy_meter = CpuMeter()
    started = time.perf_counter()
    while done_t < n or done_d < remaining:
        for obj, factory, total, done, tag in ((ticket, tickets, n, done_t, "ticket"),
                                               (deal, deals, remaining, done_d, "deal")):
            count = min(LOAD_CHUNK, total - done)
            if count <= 0:
                continue
            rng = random.Random(f"{tag}-{chunk}")
            values = [factory.values(rng) for _ in range(count)]
            with copy_meter if tag == "deal" else contextlib.nullcontext():
                data.copy_records(obj, values)
            if tag == "ticket":
                done_t += count
            else:
                done_d += count
        chunk += 1
        if chunk % 4 == 0 or (done_t >= n and done_d >= remaining):
            rate = (done_t + done_d) / (time.perf_counter() - started)
            say(f"  tickets {done_t:>10,}/{n:,}  deals {done_d:>10,}/{remaining:,}  ({rate:,.0f} rows/s with generation)")

    if done_d:
        per_cpu = done_d / max(copy_meter.web + copy_meter.db, 1e-9)
        results.detail(f"(d) reference, no validation: COPY of {done_d:,} deals in the runtime encoding "
                       f"(storage_rows + jsonio + COPY, {LOAD_CHUNK:,} per statement): "
                       f"{done_d / copy_meter.wall:,.0f} records/s wall, {per_cpu:,.0f} per CPU-second; per 1,000 "
                       f"{copy_meter.per(done_d // 1000)}")
        results.rows.append(Row("(d)   reference: COPY in the runtime encoding, per CPU-s ***",
                                f"{per_cpu:,.0f} rec/s", target="-", verdict="-"))
        results.copy_rate, results.copy_per_cpu = done_d / copy_meter.wall, per_cpu
        results.rows.append(Row("(d)   reference: COPY in the runtime encoding, wall", f"{results.copy_rate:,.0f} rec/s"))
        for sample in ("runtime_early",):
            early = getattr(results, sample, None)
            if early:
                results.rows.append(Row("(d)   runtime bulk insert (empty partition) / COPY, wall",
                                        f"{early / results.copy_rate:.2f}",
                                        ratio=f"{results.runtime_early_per_cpu / per_cpu:.2f} per CPU-s"))
    say(f"(d) {args.late_sample:,} more deals through the runtime, partition full …")
    runtime_sample(deals, args.late_sample, "runtime-late", results, label="(d) runtime bulk insert, full partition")
    if getattr(results, "copy_rate", None):
        results.rows.append(Row("(d)   runtime bulk insert (full partition) / COPY, wall",
                                f"{results.runtime_late / results.copy_rate:.2f}",
                                ratio=f"{results.runtime_late_per_cpu / results.copy_per_cpu:.2f} per CPU-s"))

    say("VACUUM ANALYZE …")
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE record")
        cursor.execute("VACUUM ANALYZE records_recordchange")
    say(f"  done in {secs(time.perf_counter() - start)}")


def _account_picker(ids: list[int]) -> Callable[[random.Random], int]:
    def pick(rng: random.Random) -> int:
        return ids[rng.randrange(len(ids))]
    return pick


def copy_in_chunks(obj, factory, total: int, tag: str) -> list[int]:
    ids: list[int] = []
    started = time.perf_counter()
    for chunk, offset in enumerate(range(0, total, LOAD_CHUNK)):
        rng = random.Random(f"{tag}-{chunk}")
        count = min(LOAD_CHUNK, total - offset)
        ids += data.copy_records(obj, [factory.values(rng) for _ in range(count)])
        if (chunk + 1) % 4 == 0 or offset + count >= total:
            say(f"  {tag} {len(ids):>10,}/{total:,}  ({len(ids) / (time.perf_counter() - started):,.0f} rows/s "
                "with generation)")
    return ids


def verify_copy_encoding(world: World, deals, results: Results) -> None:
    """The same values written by the runtime and by COPY must read back identical."""
    from django.db import connection
    from psycopg2 import sql

    from tessera.records import service
    from tessera.records.storage import ALL_SLOTS
    from tessera.security.access import SYSTEM

    deal = world.obj("deal")
    rng = random.Random("verify")
    values = [deals.values(rng) for _ in range(25)]
    written = service.create_records("deal", [deals.payload(v) for v in values], SYSTEM)
    runtime_ids = [w.record.id for w in written]
    copied_ids = data.copy_records(deal, values)
    auto = deal.fields_by_name["deal_number"]
    ignore = {"deal_number", "created_at", "updated_at"}
    mismatches = []
    for a_id, b_id in zip(runtime_ids, copied_ids, strict=True):
        a = service.get_record("deal", a_id, SYSTEM).values
        b = service.get_record("deal", b_id, SYSTEM).values
        diff = sorted(k for k in a.keys() | b.keys() if k not in ignore and a.get(k) != b.get(k))
        if diff:
            mismatches.append((a_id, b_id, {k: (a.get(k), b.get(k)) for k in diff}))
        if not re.fullmatch(r"DL-\d{4}-\d{6,}", str(b.get("deal_number"))):
            mismatches.append((a_id, b_id, {"deal_number": (a.get("deal_number"), b.get("deal_number"))}))
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in ["owner_id", "created_by", "updated_by", "category",
                                                              "name", "version", *ALL_SLOTS])
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT id, {cols}, data - {auto} FROM {t} WHERE id = ANY(%s)").format(
            cols=columns, auto=sql.Literal(auto.key), t=sql.Identifier(deal.table)), [runtime_ids + copied_ids])
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
        raw_equal = sum(rows[a] == rows[b] for a, b in zip(runtime_ids, copied_ids, strict=True))
        # Leave no trace: the benchmark's counts stay exact.
        cursor.execute(sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(sql.Identifier(deal.table)),
                       [runtime_ids + copied_ids])
        cursor.execute("DELETE FROM records_recordchange WHERE record_id = ANY(%s)", [runtime_ids + copied_ids])
    if mismatches or raw_equal != len(runtime_ids):
        for mismatch in mismatches[:5]:
            say(f"  MISMATCH {mismatch}")
        raise SystemExit(f"error: COPY encoding differs from the runtime's ({len(mismatches)} records via get_record, "
                         f"{len(runtime_ids) - raw_equal} raw rows)")
    results.notes.append(f"COPY-loaded rows checked identical to runtime-written ones: {len(runtime_ids)} pairs of "
                         "the same values, through service.get_record and raw (slots, name, owner, data minus the "
                         "auto-number).")
    say(f"  COPY encoding checked: {len(runtime_ids)} runtime/COPY pairs identical")


def runtime_sample(deals, count: int, seed: str, results: Results, *, label: str) -> None:
    from tessera.records import service
    from tessera.security.access import SYSTEM

    rng = random.Random(seed)
    timings = []
    meter = CpuMeter()
    statements = StatementMeter() if STATEMENTS else contextlib.nullcontext()
    profiler = cProfile.Profile(time.process_time) if PROFILE_TO else None  # CPU: not the waits of a loaded machine
    for batch_no in range(count // BATCH):
        payloads = [deals.payload(deals.values(rng)) for _ in range(BATCH)]
        with statements:
            start = time.perf_counter()
            with meter:
                if profiler is not None:
                    profiler.enable()
                written = service.create_records("deal", payloads, SYSTEM)
                if profiler is not None:
                    profiler.disable()
            timings.append(time.perf_counter() - start)
        assert all(w.record is not None for w in written), "a runtime write failed"
        if (batch_no + 1) % 10 == 0:
            say(f"  {(batch_no + 1) * BATCH:>8,}/{count:,}  {BATCH * len(timings) / sum(timings):,.0f} records/s")
    rate = BATCH * len(timings) / sum(timings)
    results.detail(f"{label}: {rate:,.0f} records/s over {count:,} (per call of {BATCH:,}: "
                   f"{p50_p95(timings)} p50/p95; mean {meter.per(len(timings))}; records per CPU-second "
                   f"{count / max(meter.web + meter.db, 1e-9):,.0f})")
    results.rows.append(Row(label, f"{rate:,.0f} rec/s", target=f">= {TARGET_INSERT_RATE:,} rec/s",
                            verdict=verdict(rate >= TARGET_INSERT_RATE)))
    per_cpu = count / max(meter.web + meter.db, 1e-9)
    results.rows.append(Row("(d)   records per CPU-second, web + PostgreSQL ***", f"{per_cpu:,.0f} rec/s",
                            target=f"(>= {TARGET_INSERT_RATE:,} rec/s)",
                            verdict=f"({verdict(per_cpu >= TARGET_INSERT_RATE)})"))
    setattr(results, seed.replace("-", "_"), rate)
    setattr(results, seed.replace("-", "_") + "_per_cpu", per_cpu)
    if isinstance(statements, StatementMeter):
        results.details += statements.report(label, count)
    if profiler is not None:
        profiler.dump_stats(f"{PROFILE_TO}.{seed}")
        say(f"  profile of {seed} in {PROFILE_TO}.{seed} (python -m pstats)")


class StatementMeter:
    """What PostgreSQL spent per statement of this database during the timed blocks
    (--statements): pg_stat_statements read before and after each block, the differences added
    up by statement (the server's entries are shared with every other database on it and may be
    evicted between two reads far apart; read around each block of ~1 s they are not)."""

    QUERY = ("SELECT queryid, calls, total_exec_time + total_plan_time, rows, shared_blks_dirtied, wal_bytes, "
             "regexp_replace(query, '\\s+', ' ', 'g') FROM public.pg_stat_statements "
             "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public")
        self.totals: dict[int, list] = {}

    def _read(self) -> dict[int, tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(self.QUERY)
            return {row[0]: row[1:] for row in cursor.fetchall()}

    def __enter__(self) -> StatementMeter:
        self._before = self._read()
        return self

    def __exit__(self, *exc) -> None:
        for queryid, (calls, ms, rows, dirtied, wal, query) in self._read().items():
            old = self._before.get(queryid, (0, 0.0, 0, 0, 0, query))
            if calls == old[0]:
                continue
            total = self.totals.setdefault(queryid, [0.0, 0.0, 0.0, 0.0, 0.0, query])
            for i, (new_value, old_value) in enumerate(zip((calls, ms, rows, dirtied, wal), old[:5], strict=True)):
                total[i] += float(new_value) - float(old_value)

    def report(self, label: str, count: int) -> list[str]:
        """Per 1,000 records: planning + execution time, calls, rows, blocks dirtied, WAL."""
        per = max(count / 1000, 1e-9)
        rows = sorted(self.totals.values(), key=lambda t: -t[1])
        lines = [f"{label}: PostgreSQL per 1,000 records, by statement (pg_stat_statements, planning + execution; "
                 f"{sum(t[1] for t in rows) / per:,.1f} ms in all, the meter's own reads left out)",
                 "      ms    calls      rows   dirtied    WAL kB  statement"]
        for calls, ms_total, n, dirtied, wal, query in rows[:20]:
            if "pg_stat_statements" in query:
                continue
            lines.append(f"  {ms_total / per:7.1f} {calls / per:8.1f} {n / per:9.0f} {dirtied / per:9.0f} "
                         f"{wal / per / 1024:9.0f}  {query[:150]}")
        return lines


# --- the typed baseline ----------------------------------------------------------------------------


TYPED_INDEXES = {"stage": "stage", "close_date": "close_date", "amount": "amount", "account": "account_id"}


def typed_column(f) -> str:
    return "account_id" if f.api_name == "account" else f.api_name


def typed_sql_type(f) -> str:
    if f.type.key in ("number", "currency", "percent"):
        return f"numeric({f.type.precision(f)},{f.type.scale(f)})"
    return f.type.sql_type


def build_typed_table(world: World, pg) -> None:
    from psycopg2 import sql

    deal = world.obj("deal")
    custom = [f for f in deal.fields if not f.column and f.api_name in {s["api_name"] for s in data.DEAL_FIELDS}]
    cols = ["id bigint PRIMARY KEY", "name text", "owner_id bigint", "created_by bigint",
            "created_at timestamptz NOT NULL", "updated_by bigint", "updated_at timestamptz NOT NULL"]
    cols += [f"{typed_column(f)} {typed_sql_type(f)}" for f in custom]
    exprs = [sql.SQL(c) for c in ("id", "name", "owner_id", "created_by", "created_at", "updated_by", "updated_at")]
    exprs += [f.type.json_sql(sql.Identifier("data"), f.key) for f in custom]
    say(f"Building the typed baseline table {TYPED_TABLE} …")
    start = time.perf_counter()
    with pg.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TYPED_TABLE}")
        cursor.execute(f"CREATE TABLE {TYPED_TABLE} ({', '.join(cols)})")
        cursor.execute(sql.SQL("INSERT INTO {typed} SELECT {exprs} FROM {t} WHERE deleted_at IS NULL ORDER BY id").format(
            typed=sql.Identifier(TYPED_TABLE), exprs=sql.SQL(", ").join(exprs), t=sql.Identifier(deal.table)))
        for name, column in TYPED_INDEXES.items():
            cursor.execute(f"CREATE INDEX {TYPED_TABLE}_{name}_idx ON {TYPED_TABLE} ({column})")
        cursor.execute(f"VACUUM ANALYZE {TYPED_TABLE}")
    say(f"  built in {secs(time.perf_counter() - start)}")


# --- timing helpers --------------------------------------------------------------------------------


def time_calls(fn: Callable[[], object], repeat: int, warmup: int = 3, cpu: list[float] | None = None) -> list[float]:
    """Wall times of `repeat` calls after `warmup`; with `cpu`, this process's CPU time per call too."""
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        timings.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return timings


class CpuMeter:
    """CPU used by this process and by our PostgreSQL backends while the block runs. On a busy
    machine wall time includes waiting for a CPU; the sum of the two CPU times is what the work
    costs (and about what it would take, run serially, on an idle machine)."""

    def __init__(self):
        from django.conf import settings

        self.database = settings.DATABASES["default"]["NAME"]
        self.web = self.db = self.wall = 0.0

    def __enter__(self) -> CpuMeter:
        self._start = (time.perf_counter(), time.process_time(), database_cpu(self.database))
        return self

    def __exit__(self, *exc) -> None:
        wall, web, db = self._start
        self.wall += time.perf_counter() - wall
        self.web += time.process_time() - web
        self.db += database_cpu(self.database) - db

    def per(self, n: int) -> str:
        return (f"wall {ms(self.wall / n)}, CPU {ms((self.web + self.db) / n)} "
                f"(web process {ms(self.web / n)} + PostgreSQL {ms(self.db / n)})")


def time_sql_pair(pg, statements: list[str], baseline: list[str], repeat: int,
                  warmup: int = 3) -> tuple[list[float], list[float]]:
    """Time statements alternately (Tessera, typed, Tessera…) so drift hits both alike. Each list may
    hold several statements (e.g. successive keyset pages), cycled through."""
    cursor = pg.cursor()

    def run(text: str) -> float:
        start = time.perf_counter()
        cursor.execute(text)
        cursor.fetchall()
        return time.perf_counter() - start

    for i in range(warmup):
        run(statements[i % len(statements)])
        run(baseline[i % len(baseline)])
    ours, theirs = [], []
    for i in range(repeat):
        ours.append(run(statements[i % len(statements)]))
        theirs.append(run(baseline[i % len(baseline)]))
    cursor.close()
    return ours, theirs


def explain(pg, statement: str) -> tuple[str, str]:
    """(full text plan, one-line summary) of EXPLAIN (ANALYZE, BUFFERS)."""
    with pg.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement)
        doc = cursor.fetchone()[0][0]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement)
        text = "\n".join(row[0] for row in cursor.fetchall())
    nodes = []

    def walk(node: dict) -> None:
        label = node["Node Type"]
        if node.get("Index Name"):
            label += f" {node['Index Name']}"
        elif node.get("Relation Name"):
            label += f" {node['Relation Name']}"
        if node.get("Rows Removed by Filter"):
            label += f" (filter removed {node['Rows Removed by Filter']:,})"
        if node.get("Heap Fetches") is not None:
            label += f" (heap fetches {node['Heap Fetches']:,})"
        if node.get("Workers Launched"):
            label += f" ({node['Workers Launched']} workers)"
        nodes.append(label)
        for child in node.get("Plans", ()):
            walk(child)

    top = doc["Plan"]
    walk(top)
    hit, read = top.get("Shared Hit Blocks", 0), top.get("Shared Read Blocks", 0)
    summary = (f"{' > '.join(nodes)}; buffers hit {hit:,} read {read:,}; "
               f"execution {doc['Execution Time']:.2f} ms")
    return text, summary


# --- (a) list pages ----------------------------------------------------------------------------


def api_available() -> bool:
    from django.conf import settings
    from django.urls import Resolver404, resolve

    try:
        resolve("/api/v1/records/deal/", urlconf=settings.ROOT_URLCONF)
    except Resolver404:
        return False
    return True


def serialize_page(page) -> bytes:
    """What the records API answers for a page, approximated from the service's Page (used only
    while the HTTP API does not exist): every value in its API form, JSON-encoded."""
    items = []
    for record in page.records:
        item = {"id": record.id, "version": record.version}
        for f in page.fields:
            value = record.values.get(f.api_name)
            item[f.api_name] = None if value is None else f.type.to_api(value, f)
        items.append(item)
    return json.dumps({"results": items, "next_cursor": page.next_cursor}, default=str).encode()


class ListPath:
    """The list endpoint, over HTTP (Django test client) when it exists, else the service + JSON."""

    def __init__(self, world: World):
        from django.conf import settings
        from django.test import Client

        self.world = world
        self.http = api_available()
        self.label = "HTTP (Django test client)" if self.http else "service.list_records + JSON (no HTTP API yet)"
        if self.http:
            self.client = Client(HTTP_HOST=f"{TENANT_SLUG}.{settings.TESSERA_BASE_DOMAIN}")
            self.client.force_login(world.admin)

    def page(self, params: dict) -> tuple[int, str | None]:
        """One page: (records on it, next cursor)."""
        if self.http:
            response = self.client.get("/api/v1/records/deal/", params)
            if response.status_code != 200:
                raise SystemExit(f"error: GET /api/v1/records/deal/ answered {response.status_code}: "
                                 f"{response.content[:300]!r}")
            body = json.loads(response.content)  # not response.json(): it keeps the parsed body on the response
            return len(_records_of(body)), _cursor_of(body)
        from tessera.records import service

        filters = [(k, v) for k, v in params.items() if k not in ("sort", "limit", "cursor")]
        page = service.list_records("deal", self.world.admin, filters=filters,
                                    sort=[params["sort"]] if params.get("sort") else (),
                                    limit=int(params.get("limit", 50)), cursor=params.get("cursor"))
        serialize_page(page)
        return len(page.records), page.next_cursor

    def create(self, payload: dict) -> None:
        if self.http:
            response = self.client.post("/api/v1/records/deal/", payload, content_type="application/json")
            if response.status_code not in (200, 201):
                raise SystemExit(f"error: POST /api/v1/records/deal/ answered {response.status_code}: "
                                 f"{response.content[:300]!r}")
            return
        from tessera.records import service

        record = service.create_record("deal", payload, self.world.admin)
        json.dumps({f.api_name: (None if (v := record.values.get(f.api_name)) is None else f.type.to_api(v, f))
                    for f in record.object.fields}, default=str)


def _records_of(body) -> list:
    if isinstance(body, list):
        return body
    for key in ("results", "records", "data", "items"):
        if isinstance(body.get(key), list):
            return body[key]
    raise SystemExit(f"error: cannot find the records in the API's answer (keys: {sorted(body)})")


def _cursor_of(body) -> str | None:
    if isinstance(body, list):
        return None
    for holder in (body, body.get("meta") or {}, body.get("links") or {}, body.get("page") or {}):
        for key in ("next_cursor", "cursor", "next"):
            value = holder.get(key)
            if isinstance(value, str) and value:
                if value.startswith(("http", "/")) or "cursor=" in value:
                    from urllib.parse import parse_qs, urlsplit

                    return parse_qs(urlsplit(value).query).get("cursor", [None])[0]
                return value
    return None


def captured_sql(fn: Callable[[], object]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries]


def measure_list(world: World, pg, args, results: Results, path: ListPath) -> dict:
    from tessera.records import service

    stage = data.LIST_STAGE
    params = {"stage": stage, "sort": "-close_date", "limit": "50"}
    say(f"(a) list page: stage={stage}, sort -close_date, 50 per page, via {path.label} …")
    meter = CpuMeter()
    for _ in range(5):
        path.page(params)
    with meter:
        api = time_calls(lambda: path.page(params), args.repeat, warmup=0)
    results.detail(f"(a) page 1 via {path.label}: {p50_p95(api)} p50/p95 over {len(api)}; mean {meter.per(len(api))}")
    cpu = (meter.web + meter.db) / len(api)
    results.row(f"(a) list page 1, {'API' if path.http else 'service+JSON'} p50/p95", p50_p95(api),
                target="p95 <= 50 ms", verdict=verdict(percentile(api, 95) <= TARGET_API_P95))
    results.row("(a)   CPU per page 1 request, web + PostgreSQL (mean) ***", ms(cpu), target="(p95 <= 50 ms)",
                verdict=f"({verdict(cpu <= TARGET_API_P95)})")

    # Keyset pages 2+: walk 40 pages deep, timing each page (cursor from the previous one).
    walk = []
    _n, cursor = path.page(params)
    for _ in range(3):  # warm the walk
        path.page({**params, "cursor": cursor})
    for _ in range(40):
        start = time.perf_counter()
        _n, cursor = path.page({**params, "cursor": cursor})
        walk.append(time.perf_counter() - start)
        if cursor is None:
            break
    results.detail(f"(a) pages 2..{len(walk) + 1} via {path.label}: {p50_p95(walk)} p50/p95")
    results.row(f"(a) keyset pages 2+, {'API' if path.http else 'service+JSON'} p50/p95", p50_p95(walk),
                target="p95 <= 50 ms", verdict=verdict(percentile(walk, 95) <= TARGET_API_P95))

    # The SQL alone: the statement RecordQuery produced for page 1 and for pages 2..21, and the same
    # pages of the typed table (same boundary values: the data are the same).
    deal_table = world.obj("deal").table
    ours: list[str] = []
    typed: list[str] = []
    after: tuple[str, int] | None = None
    next_cursor: str | None = None
    for _ in range(21):
        pages: list = []

        def one_page(cursor=next_cursor, pages=pages) -> None:
            pages.append(service.list_records("deal", world.admin, filters=[("stage", stage)], sort=["-close_date"],
                                              limit=50, cursor=cursor))

        queries = captured_sql(one_page)
        ours.append(next(q for q in queries if f'"{deal_table}"' in q and "ORDER BY" in q))
        keyset = "" if after is None else f"AND (close_date, id) < ('{after[0]}'::date, {after[1]}) "
        typed.append(f"SELECT * FROM {TYPED_TABLE} WHERE stage = '{stage}' {keyset}"
                     "ORDER BY close_date DESC, id DESC LIMIT 51")
        last = pages[0].records[-1]
        after = (last.values["close_date"].isoformat(), last.id)
        next_cursor = pages[0].next_cursor
    first_ours, first_typed = time_sql_pair(pg, ours[:1], typed[:1], args.repeat)
    results.row("(a) page 1 SQL p50/p95", p50_p95(first_ours), p50_p95(first_typed),
                f"{median(first_ours) / median(first_typed):.2f}x", "<= 2x typed",
                verdict(median(first_ours) <= TARGET_SQL_RATIO * median(first_typed)))
    later_ours, later_typed = time_sql_pair(pg, ours[1:], typed[1:], args.repeat)
    results.row("(a) pages 2..21 SQL p50/p95", p50_p95(later_ours), p50_p95(later_typed),
                f"{median(later_ours) / median(later_typed):.2f}x", "<= 2x typed",
                verdict(median(later_ours) <= TARGET_SQL_RATIO * median(later_typed)))
    for label, statement in (("(a) page 1, Tessera", ours[0]), ("(a) page 1, typed", typed[0]),
                             ("(a) page 2, Tessera", ours[1]), ("(a) page 2, typed", typed[1])):
        results.plans.append((label, statement, *explain(pg, statement)))
    return {"page1": ours[0], "page2": ours[1], "typed_page1": typed[0], "typed_page2": typed[1]}


# --- (b) and (c) -------------------------------------------------------------------------------------


def measure_aggregates(world: World, pg, args, results: Results) -> dict:
    from django.db import connection
    from psycopg2 import sql

    from tessera.errors import ErrorCollector
    from tessera.records import service
    from tessera.records.filters import filter_conditions
    from tessera.records.query import RecordQuery

    deal = world.obj("deal")
    with pg.cursor() as cursor:
        cursor.execute(f"SELECT percentile_disc(ARRAY[0.40, 0.45]) WITHIN GROUP (ORDER BY amount), count(*) "
                       f"FROM {TYPED_TABLE}")
        (low, high), total = cursor.fetchone()
    say(f"(b) count of deals with amount in [{low}, {high}] …")
    queries = captured_sql(lambda: service.list_records("deal", world.admin, filters=[("amount__range", f"{low},{high}")],
                                                        count=True, limit=1))
    count_sql = next(q for q in queries if q.lstrip().upper().startswith("SELECT COUNT(*)") and f'"{deal.table}"' in q)
    typed_count = f"SELECT count(*) FROM {TYPED_TABLE} WHERE amount >= {low} AND amount <= {high}"
    with pg.cursor() as cursor:
        cursor.execute(count_sql)
        matched = cursor.fetchone()[0]
        cursor.execute(typed_count)
        assert cursor.fetchone()[0] == matched, "typed and Tessera counts differ"
    ours, typed = time_sql_pair(pg, [count_sql], [typed_count], args.repeat)
    results.detail(f"(b) {matched:,} of {total:,} deals ({matched / total:.1%})")
    results.row(f"(b) amount range count ({matched / total:.0%}) SQL", p50_p95(ours), p50_p95(typed),
                f"{median(ours) / median(typed):.2f}x", "<= 2x typed", verdict(median(ours) <= 2 * median(typed)))
    results.plans.append(("(b) range count, Tessera", count_sql, *explain(pg, count_sql)))
    results.plans.append(("(b) range count, typed", typed_count, *explain(pg, typed_count)))

    statements = {"count": count_sql, "typed_count": typed_count}
    date_low, date_high = "2023-01-01", "2024-03-31"
    for label, filters, typed_where in (
        ("all rows", [], ""),
        ("25% by close_date", [("close_date__range", f"{date_low},{date_high}")],
         f" WHERE close_date >= '{date_low}'::date AND close_date <= '{date_high}'::date"),
    ):
        query = RecordQuery(world.meta(), deal)
        errors = ErrorCollector()
        where = filter_conditions(query, filters, errors)
        errors.raise_if_any()
        stage, amount = query.field_sql(deal.field("stage")), query.field_sql(deal.field("amount"))
        conditions = [sql.SQL("r.deleted_at IS NULL"), *where]
        statement = sql.SQL("SELECT {s} AS stage, sum({a}) AS amount, count(*) FROM {t} r WHERE {w} "
                            "GROUP BY 1 ORDER BY 1").format(
            s=stage, a=amount, t=sql.Identifier(deal.table), w=sql.SQL(" AND ").join(conditions))
        with connection.cursor() as cursor:
            ours_sql = statement.as_string(cursor.cursor)
        typed_sql = f"SELECT stage, sum(amount) AS amount, count(*) FROM {TYPED_TABLE}{typed_where} GROUP BY 1 ORDER BY 1"
        with pg.cursor() as cursor:
            cursor.execute(ours_sql)
            a = cursor.fetchall()
            cursor.execute(typed_sql)
            b = cursor.fetchall()
        assert a == b, f"group by results differ: {a[:2]} vs {b[:2]}"
        say(f"(c) GROUP BY stage, SUM(amount), {label} …")
        ours, typed = time_sql_pair(pg, [ours_sql], [typed_sql], args.slow_repeat, warmup=2)
        results.row(f"(c) group by stage sum(amount), {label}", p50_p95(ours), p50_p95(typed),
                    f"{median(ours) / median(typed):.2f}x", "<= 2x typed", verdict(median(ours) <= 2 * median(typed)))
        results.plans.append((f"(c) group by, {label}, Tessera", ours_sql, *explain(pg, ours_sql)))
        results.plans.append((f"(c) group by, {label}, typed", typed_sql, *explain(pg, typed_sql)))
        statements[f"group_{'all' if not filters else '25'}"] = ours_sql
        statements[f"typed_group_{'all' if not filters else '25'}"] = typed_sql
    return statements


# --- (d) details: where the runtime's time goes, and a raw typed insert ------------------------------


class Phases:
    """Wall time spent in named module functions while the block runs (patched in, then restored).

    Cheaper and less distorting than a profiler for steps that take milliseconds; nested steps are
    counted in both (list them as such)."""

    def __init__(self, targets: list[tuple[object, str, str]]):
        self.targets = targets
        self.totals: dict[str, float] = {label: 0.0 for _m, _a, label in targets}
        self.cpu: dict[str, float] = {label: 0.0 for _m, _a, label in targets}
        self.calls: dict[str, int] = {label: 0 for _m, _a, label in targets}
        self._saved: list[tuple[object, str, object]] = []

    def __enter__(self) -> Phases:
        for module, attr, label in self.targets:
            original = getattr(module, attr)
            self._saved.append((module, attr, original))

            def timed(*args, __original=original, __label=label, **kwargs):
                start, start_cpu = time.perf_counter(), time.process_time()
                try:
                    return __original(*args, **kwargs)
                finally:
                    self.totals[__label] += time.perf_counter() - start
                    self.cpu[__label] += time.process_time() - start_cpu
                    self.calls[__label] += 1

            setattr(module, attr, timed)
        return self

    def __exit__(self, *exc) -> None:
        for module, attr, original in reversed(self._saved):
            setattr(module, attr, original)
        self._saved.clear()


def write_phases() -> list[tuple[object, str, str]]:
    from tessera.records import history, pipeline, repository, service

    return [
        (service, "get_object_meta", "service.get_object_meta (metadata snapshot)"),
        (pipeline, "read_new_inputs", "pipeline.read_new_inputs (coercion, access)"),
        (pipeline, "apply_defaults", "pipeline.apply_defaults"),
        (pipeline, "validate_values", "pipeline.validate_values"),
        (pipeline, "check_lookups", "pipeline.check_lookups (1 query/target)"),
        (pipeline, "check_unique", "pipeline.check_unique"),
        (pipeline, "check_validation_rules", "pipeline.check_validation_rules"),
        (pipeline, "assign_auto_numbers", "pipeline.assign_auto_numbers"),
        (pipeline, "storage_rows", "pipeline.storage_rows"),
        (repository, "_copy_text", "repository._copy_text (the rows' COPY text)"),
        (repository._BackgroundCopy, "wait", "waiting for the rows' COPY (after the work beside it)"),
        (history, "creations", "history.creations"),
        (history, "write", "history.write (INSERT, or COPY for many)"),
        (service, "_reload", "service._reload (SELECT back + decode)"),
    ]


def breakdown_create(world: World, results: Results, batches: int = 3) -> None:
    """Where create_records spends its time, per 1,000 deals (separate pass, SYSTEM actor)."""
    from tessera.records import service
    from tessera.security.access import SYSTEM

    deal = world.obj("deal")
    deals = data.deal_factory(deal, owner_id=world.admin.pk, account_ids=_account_picker(world.account_ids))
    rng = random.Random("breakdown")
    meter = CpuMeter()
    with Phases(write_phases()) as phases:
        for _ in range(batches):
            payloads = [deals.payload(deals.values(rng)) for _ in range(BATCH)]
            with meter:
                service.create_records("deal", payloads, SYSTEM)
    total = meter.wall
    results.details.append(f"(d) where create_records spends its time, per call of {BATCH:,} deals (mean of {batches}; "
                           f"{meter.per(batches)}):")
    results.details.append(f"      {'step':<48} {'wall':>10}  {'share':>6}  {'CPU (web)':>10}")
    for label, seconds in sorted(phases.totals.items(), key=lambda item: -item[1]):
        results.details.append(f"      {label:<48} {ms(seconds / batches):>10}  {seconds / total:6.1%}  "
                               f"{ms(phases.cpu[label] / batches):>10}")
    accounted = sum(phases.totals.values())
    results.details.append(f"      {'(rest: transaction, duplicates loop, glue)':<48} "
                           f"{ms(max(total - accounted, 0) / batches):>10}")
    results.create_breakdown = {label: seconds / batches for label, seconds in phases.totals.items()}


def breakdown_requests(world: World, results: Results, path: ListPath, repeat: int = 30) -> None:
    """Where a list page and a single create spend their time (separate pass, wrapped functions)."""
    from tessera.records import repository, service

    deal = world.obj("deal")
    deals = data.deal_factory(deal, owner_id=world.admin.pk, account_ids=_account_picker(world.account_ids))
    rng = random.Random("breakdown-requests")
    list_targets = [(service, "list_records", "service.list_records (all of it)"),
                    (service, "get_object_meta", "  service.get_object_meta (metadata snapshot)"),
                    (repository, "fetch_records", "  repository.fetch_records (SQL + decode rows)"),
                    (repository, "row_to_record", "    repository.row_to_record (decode, per row)")]
    create_targets = [(service, "create_record", "service.create_record (all of it)"),
                      *[(m, a, "  " + label) for m, a, label in write_phases()]]
    if path.http:
        from tessera.records.api import views

        list_targets.append((views, "records_json", "api records_json (serialise)"))
        create_targets.append((views, "_record_response", "api _record_response (serialise)"))
    params = {"stage": data.LIST_STAGE, "sort": "-close_date", "limit": "50"}
    for what, targets, call in (
        ("list page 1 (50 deals)", list_targets, lambda: path.page(params)),
        ("create one deal", create_targets, lambda: path.create(deals.payload(deals.values(rng)))),
    ):
        call()
        total = 0.0
        with Phases(targets) as phases:
            for _ in range(repeat):
                start = time.perf_counter()
                call()
                total += time.perf_counter() - start
        results.details.append(f"{'(a)' if what.startswith('list') else '(e)'} where a {what} request spends its "
                               f"time via {path.label} (mean of {repeat}: {ms(total / repeat)}):")
        results.details.append(f"      {'step':<52} {'wall':>10}  {'share':>6}  {'CPU (web)':>10}")
        for _m, _a, label in targets:
            seconds = phases.totals[label]
            results.details.append(f"      {label:<52} {ms(seconds / repeat):>10}  {seconds / total:6.1%}  "
                                   f"{ms(phases.cpu[label] / repeat):>10}")
        outer = phases.totals[targets[0][2]]
        results.details.append(f"      {'outside the service (HTTP, middleware, auth, DRF, JSON)':<52} "
                               f"{ms((total - outer - sum(phases.totals[t[2]] for t in targets if t[2].startswith('api'))) / repeat):>10}")


def measure_request_overheads(world: World, results: Results, path: ListPath, repeat: int) -> None:
    """SQL statements per request, and a PROTOTYPE setting: django-tenants' TENANT_LIMIT_SET_CALLS
    (SET search_path once per request instead of before every cursor), timed alternately."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    deal = world.obj("deal")
    deals = data.deal_factory(deal, owner_id=world.admin.pk, account_ids=_account_picker(world.account_ids))
    rng = random.Random("overheads")
    params = {"stage": data.LIST_STAGE, "sort": "-close_date", "limit": "50"}
    calls = (("(a) list page 1", lambda: path.page(params)),
             ("(e) create one deal", lambda: path.create(deals.payload(deals.values(rng)))))
    for label, call in calls:
        call()
        with CaptureQueriesContext(connection) as captured:
            call()
        statements = [q["sql"] for q in captured.captured_queries]
        sets = sum(1 for q in statements if q.startswith("SET search_path"))
        with override_settings(TENANT_LIMIT_SET_CALLS=True), CaptureQueriesContext(connection) as limited_capture:
            call()
        limited_sets = sum(1 for q in limited_capture.captured_queries if q["sql"].startswith("SET search_path"))
        results.details.append(f"{label}: {len(statements)} SQL statements through Django's cursor per request, "
                               f"{sets} of them SET search_path ({limited_sets} with TENANT_LIMIT_SET_CALLS=True; "
                               "execute_values on the raw cursor not counted)")
        default, limited = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            call()
            default.append(time.perf_counter() - start)
            with override_settings(TENANT_LIMIT_SET_CALLS=True):
                start = time.perf_counter()
                call()
                limited.append(time.perf_counter() - start)
        line = (f"{'V3 ' + label + ', TENANT_LIMIT_SET_CALLS=True':<58} current {p50_p95(default):>21}  "
                f"variant {p50_p95(limited):>21}  (p95 {percentile(limited, 95) / percentile(default, 95):.2f}x)")
        results.variants.append(line)
        say("  " + line)


def typed_insert_rate(world: World, pg, results: Results, count: int) -> float:
    """A raw multi-row INSERT of the same deals into a copy of the typed table (no app logic)."""
    from psycopg2.extras import execute_values

    deal = world.obj("deal")
    deals = data.deal_factory(deal, owner_id=world.admin.pk, account_ids=_account_picker(world.account_ids))
    custom = [deal.fields_by_name[s["api_name"]] for s in data.DEAL_FIELDS]
    columns = ["name", "owner_id", "created_at", "updated_at", *[typed_column(f) for f in custom]]
    rng = random.Random("typed-insert")
    with pg.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_typed_insert")
        cursor.execute(f"CREATE TABLE bench_typed_insert (LIKE {TYPED_TABLE} INCLUDING ALL)")
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS bench_typed_insert_seq")
        cursor.execute("ALTER TABLE bench_typed_insert ALTER id SET DEFAULT nextval('bench_typed_insert_seq')")
        timings = []
        for n in range(count // BATCH):
            rows = []
            for _ in range(BATCH):
                v = deals.values(rng)
                v["deal_number"] = f"DL-2026-{n:06d}"
                rows.append((v.get("name"), v.get("owner"), "now", "now", *[v.get(f.api_name) for f in custom]))
            start = time.perf_counter()
            execute_values(cursor, f"INSERT INTO bench_typed_insert ({', '.join(columns)}) VALUES %s RETURNING id",
                           rows, page_size=BATCH, fetch=True)
            timings.append(time.perf_counter() - start)
        cursor.execute("DROP TABLE bench_typed_insert")
        cursor.execute("DROP SEQUENCE bench_typed_insert_seq")
    return BATCH * len(timings) / sum(timings)


# --- (e), (f), (g) ------------------------------------------------------------------------------------


def measure_create(world: World, pg, args, results: Results, path: ListPath) -> None:
    deal = world.obj("deal")
    deals = data.deal_factory(deal, owner_id=world.admin.pk, account_ids=_account_picker(world.account_ids))
    rng = random.Random("create")
    payloads = [deals.payload(deals.values(rng)) for _ in range(args.repeat * 2 + 10)]
    say(f"(e) {args.repeat * 2} single creates via {'HTTP POST' if path.http else 'service.create_record'} …")
    it = iter(payloads)
    for _ in range(10):
        path.create(next(it))
    meter = CpuMeter()
    with meter:
        timings = time_calls(lambda: path.create(next(it)), args.repeat * 2, warmup=0)
    results.detail(f"(e) create via {path.label}: {p50_p95(timings)} p50/p95 over {len(timings)}; "
                   f"mean {meter.per(len(timings))}")
    cpu_per_create = (meter.web + meter.db) / len(timings)
    custom = [deal.fields_by_name[s["api_name"]] for s in data.DEAL_FIELDS if s["type"] != "auto_number"]
    cols = ", ".join(["name", "owner_id", "created_at", "updated_at", *[typed_column(f) for f in custom]])
    typed_times = []
    with pg.cursor() as cursor:
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {TYPED_TABLE}_seq START 900000000000")
        for _ in range(args.repeat):
            v = deals.values(rng)
            row = (v.get("name"), v.get("owner"), "now", "now", *[v.get(f.api_name) for f in custom])
            start = time.perf_counter()
            cursor.execute(f"INSERT INTO {TYPED_TABLE} (id, {cols}) VALUES (nextval('{TYPED_TABLE}_seq'), "
                           f"{', '.join(['%s'] * len(row))}) RETURNING id", row)
            cursor.fetchone()
            typed_times.append(time.perf_counter() - start)
        cursor.execute(f"DELETE FROM {TYPED_TABLE} WHERE id >= 900000000000")
    results.row(f"(e) create one deal, {'API' if path.http else 'service+JSON'} p50/p95", p50_p95(timings),
                f"{p50_p95(typed_times)} *", "-", "p95 <= 30 ms", verdict(percentile(timings, 95) <= TARGET_CREATE_P95))
    results.row("(e)   CPU per create request, web + PostgreSQL (mean) ***", ms(cpu_per_create), target="(p95 <= 30 ms)",
                verdict=f"({verdict(cpu_per_create <= TARGET_CREATE_P95)})")


def measure_add_field(world: World, pg, args, results: Results) -> None:
    from tessera.core.jobs import run_job
    from tessera.core.models import Job
    from tessera.records import service

    suffix = time.strftime("%H%M%S")
    plain, indexed, jobs, first_reads = [], [], [], []
    say("(f) add_field at full size: plain text, indexed number …")
    import metadata.cache
    import metadata.services.fields as field_services
    from tessera.core import tasks
    from tessera.records import indexing

    def steps() -> Phases:
        return Phases([
            (field_services, "add_field", "add_field (all of it)"),
            (metadata.cache, "compile_tenant_meta", "  metadata compile_tenant_meta (whole tenant)"),
            (field_services, "_check_spec", "  _check_spec (validation)"),
            (field_services, "sync_storage", "  sync_storage (slot, index or job)"),
            (indexing, "estimated_rows", "    indexing.estimated_rows"),
            (indexing, "indexes_complete", "    indexing.indexes_complete"),
            (field_services, "queue_job", "    queue_job (job row)"),
            (field_services, "record_change", "  record_change (version bump)"),
            (tasks.run_job, "apply_async", "  job sent to the broker (on commit)"),
        ])

    text_steps, number_steps = steps(), steps()
    for i in range(3):
        with text_steps:
            start = time.perf_counter()
            field_services.add_field("deal", {"api_name": f"note_{suffix}_{i}", "type": "text",
                                              "labels": {"en": "Note"}}, world.admin)
            plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        service.list_records("deal", world.admin, limit=50)
        first_reads.append(time.perf_counter() - start)
    for i in range(3):
        with number_steps:
            start = time.perf_counter()
            field_services.add_field("deal", {"api_name": f"score_{suffix}_{i}", "type": "number", "indexed": True,
                                              "labels": {"en": "Score"}}, world.admin)
            indexed.append(time.perf_counter() - start)
        job = Job.objects.filter(kind="records.build_field_index").order_by("-id").first()
        if job is not None and job.status == Job.Status.QUEUED:
            start = time.perf_counter()
            finished = run_job(job.pk)
            jobs.append(time.perf_counter() - start)
            if finished.status != Job.Status.DONE:
                results.notes.append(f"(f) index job {job.pk} ended {finished.status}: {finished.message}")
    for what, phases, total in (("text", text_steps, sum(plain)), ("indexed number", number_steps, sum(indexed))):
        results.details.append(f"(f) where add_field ({what}) spends its time, mean of 3 (wall; calls per add_field):")
        for _m, _a, label in phases.targets:
            results.details.append(f"      {label:<48} {ms(phases.totals[label] / 3):>10}  "
                                   f"{phases.totals[label] / total:6.1%}  x{phases.calls[label] / 3:.0f}")
    typed_alter, typed_index = [], []
    with pg.cursor() as cursor:
        for i in range(3):
            start = time.perf_counter()
            cursor.execute(f"ALTER TABLE {TYPED_TABLE} ADD COLUMN note_{suffix}_{i} text")
            typed_alter.append(time.perf_counter() - start)
        start = time.perf_counter()
        cursor.execute(f"ALTER TABLE {TYPED_TABLE} ADD COLUMN score_{suffix} numeric(18,0)")
        cursor.execute(f"CREATE INDEX CONCURRENTLY {TYPED_TABLE}_score_{suffix} ON {TYPED_TABLE} (score_{suffix})")
        typed_index.append(time.perf_counter() - start)
    results.row("(f) add_field text (sync), median of 3", ms(median(plain)), f"{ms(median(typed_alter))} **", "-",
                "<= 100 ms", verdict(max(plain) <= TARGET_ADD_FIELD))
    results.row("(f) add_field indexed number (sync), median of 3", ms(median(indexed)), "-", "-", "<= 100 ms",
                verdict(max(indexed) <= TARGET_ADD_FIELD))
    if jobs:
        results.row("(f)   its background index job (CONCURRENTLY)", secs(median(jobs)), f"{secs(typed_index[0])} **")
    results.detail(f"(f) text: {', '.join(ms(t) for t in plain)}; indexed number: {', '.join(ms(t) for t in indexed)}; "
                   f"jobs: {', '.join(secs(t) for t in jobs)}; first list_records after each text field (meta "
                   f"recompiled): {', '.join(ms(t) for t in first_reads)}")


def read_proc_status() -> dict[str, int]:
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS", "VmHWM")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0]) * 1024
    return values


def measure_memory(world: World, args, results: Results, path: ListPath) -> None:
    pages = max(1, args.page_walk // 200)
    params = {"sort": "-close_date", "limit": "200"}
    say(f"(g) paging through {pages * 200:,} records, 200 per page, via {path.label} …")

    def walk() -> tuple[int, list[float]]:
        cursor, seen, timings = None, 0, []
        for _ in range(pages):
            start = time.perf_counter()
            n, cursor = path.page({**params, **({"cursor": cursor} if cursor else {})})
            timings.append(time.perf_counter() - start)
            seen += n
            if cursor is None:
                break
        return seen, timings

    path.page(params)  # imports, meta cache: not part of the walk
    gc.collect()
    before = read_proc_status()
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # reset VmHWM to the current RSS
        hwm_reset = True
    except OSError:
        hwm_reset = False
    seen, timings = walk()
    after = read_proc_status()
    peak_delta = (after["VmHWM"] - before["VmRSS"]) if hwm_reset else (after["VmHWM"] - before["VmHWM"])
    tracemalloc.start()
    tracemalloc.reset_peak()
    walk()
    current, peak = tracemalloc.get_traced_memory()
    gc.collect()
    collected, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results.details.append(f"(g) traced memory after the walk {current / 2**20:,.1f} MiB, after gc.collect() "
                           f"{collected / 2**20:,.1f} MiB (what stays is not growing with pages; the peak includes "
                           "request/response reference cycles awaiting the cyclic GC)")
    results.row(f"(g) paging {seen:,} records (200/page): peak RSS delta", f"{peak_delta / 2**20:,.1f} MiB")
    results.row("(g)   tracemalloc peak / per-page p50/p95", f"{peak / 2**20:,.1f} MiB",
                p50_p95(timings))
    results.detail(f"(g) RSS {before['VmRSS'] / 2**20:,.0f} MiB before, {after['VmRSS'] / 2**20:,.0f} MiB after, "
                   f"peak {after['VmHWM'] / 2**20:,.0f} MiB; {len(timings)} pages {p50_p95(timings)} p50/p95"
                   + ("" if hwm_reset else " (VmHWM could not be reset: delta of peaks)"))


# --- prototype variants ----------------------------------------------------------------------------


def measure_variants(world: World, pg, args, results: Results, statements: dict) -> None:
    """Storage changes prototyped on the same data, each measured against the current design."""
    deal = world.obj("deal")
    table = deal.table
    slot = {name: deal.fields_by_name[name].slot for name in ("stage", "close_date", "amount", "account")}

    def compare(label: str, current: str, variant: str, repeat: int, typed: str | None = None) -> None:
        ours, theirs = time_sql_pair(pg, [current], [variant], repeat, warmup=2)
        line = (f"{label:<58} current {ms(median(ours)):>10}  variant {ms(median(theirs)):>10}  "
                f"({median(theirs) / median(ours):.2f}x of current")
        if typed:
            with pg.cursor() as cursor:
                typed_times = time_calls(lambda: (cursor.execute(typed), cursor.fetchall()), repeat, warmup=2)
            line += f", {median(theirs) / median(typed_times):.2f}x of typed"
        results.variants.append(line + ")")
        say("  " + results.variants[-1])
        results.plans.append((f"variant: {label}", variant, *explain(pg, variant)))

    # V1: slot indexes partial to live records: index-only scans for counts under deleted_at IS NULL.
    say("Variant V1: partial slot index on amount WHERE deleted_at IS NULL …")
    with pg.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(f"CREATE INDEX bench_v1_amount ON {table} ({slot['amount']}) WHERE deleted_at IS NULL")
        built = time.perf_counter() - start
        cursor.execute(f"VACUUM ANALYZE {table}")
    # The current index still exists, so the planner chooses; compare against a session that cannot see V1.
    with pg.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("DROP INDEX bench_v1_amount")  # rolled back: timing the current design in the same state
        t_current = time_calls(lambda: (cursor.execute(statements["count"]), cursor.fetchall()), args.repeat)
        cursor.execute("ROLLBACK")
    with pg.cursor() as cursor:
        t_variant = time_calls(lambda: (cursor.execute(statements["count"]), cursor.fetchall()), args.repeat)
        t_typed = time_calls(lambda: (cursor.execute(statements["typed_count"]), cursor.fetchall()), args.repeat)
    results.variants.append(
        f"{'V1 (b) partial index (amount) WHERE deleted_at IS NULL':<58} current {ms(median(t_current)):>10}  "
        f"variant {ms(median(t_variant)):>10}  ({median(t_variant) / median(t_current):.2f}x of current, "
        f"{median(t_variant) / median(t_typed):.2f}x of typed; built in {secs(built)})")
    say("  " + results.variants[-1])
    results.plans.append(("variant V1: (b) with the partial index", statements["count"],
                          *explain(pg, statements["count"])))
    with pg.cursor() as cursor:
        cursor.execute("DROP INDEX bench_v1_amount")

    # V2: the JSON out of the record heap. (toast_tuple_target cannot do it: PostgreSQL only starts
    # toasting rows above ~2 kB, and a deal row is ~1 kB.) Prototyped as a side table (id, data)
    # joined by id when values are read, so scans and aggregates over slots read a narrow heap.
    # V0 is a plain copy of the partition made the same way, so V2 is compared with V0.
    say("Variant V0: a plain copy of the partition …")
    start = time.perf_counter()
    v0 = copy_partition(pg, table, "bench_v0_copy", split=False)
    say(f"  copied in {secs(time.perf_counter() - start)}; {v0}")
    say("Variant V2: the partition split into a narrow heap + (id, data) side table …")
    start = time.perf_counter()
    v2 = copy_partition(pg, table, "bench_v2_narrow", split=True)
    say(f"  copied in {secs(time.perf_counter() - start)}; {v2}")
    source = re.compile(rf'FROM "{table}" ("r"|r)(?=\s|$)')
    for key, what, repeat in (("page1", "(a) page 1", args.repeat), ("page2", "(a) page 2", args.repeat),
                              ("count", "(b) range count", args.repeat),
                              ("group_all", "(c) group by, all rows", args.slow_repeat),
                              ("group_25", "(c) group by, 25% by date", args.slow_repeat)):
        current = source.sub(r'FROM "bench_v0_copy" \1', statements[key])
        variant = source.sub(r'FROM "bench_v2_narrow" \1 JOIN "bench_v2_narrow_data" "d" ON "d"."id" = "r"."id"',
                             statements[key]).replace('"r"."data"', '"d"."data"') if '"r"."data"' in statements[key] \
            else source.sub(r'FROM "bench_v2_narrow" \1', statements[key])
        compare(f"V2 vs V0: {what}", current, variant, repeat, statements.get(f"typed_{key}"))
    results.variants.append(f"V0 plain copy: {v0}")
    results.variants.append(f"V2 narrow heap + side table: {v2}")
    with pg.cursor() as cursor:
        cursor.execute("DROP TABLE bench_v0_copy, bench_v2_narrow, bench_v2_narrow_data")


def measure_index_variants(world: World, pg, args, results: Results, statements: dict) -> None:
    """PROTOTYPES for the list page: slot indexes ending with id (every RecordQuery sort ends with the
    id), and one matching the filter too, both partial to live records. Warm page 1, and cold keyset
    walks (40 pages from a boundary no earlier walk read; current and variant on different, equally
    deep regions, then swapped)."""
    deal = world.obj("deal")
    table = deal.table
    stage_slot, date_slot = deal.fields_by_name["stage"].slot, deal.fields_by_name["close_date"].slot
    boundary = re.compile(r"\('\d{4}-\d{2}-\d{2}'::date, \d+\)")
    page_after = statements["page2"]

    def walk(cursor, start_date: str, pages: int = 40) -> list[float]:
        timings, after = [], (start_date, 2**62)
        for _ in range(pages):
            text = boundary.sub(f"('{after[0]}'::date, {after[1]})", page_after)
            start = time.perf_counter()
            cursor.execute(text)
            rows = cursor.fetchall()
            timings.append(time.perf_counter() - start)
            if len(rows) < 51:
                break  # the end (small runs)
            cursor.execute(f'SELECT {date_slot}, id FROM "{table}" WHERE id = %s', [rows[-2][0]])
            day, last_id = cursor.fetchone()
            after = (day.isoformat(), last_id)
        return timings

    regions = iter(["2026-06-30", "2025-06-30", "2024-06-30", "2023-06-30", "2026-03-31", "2025-03-31",
                    "2024-03-31", "2023-03-31"])
    for name, columns, label in (
        ("bench_v4a", f"({date_slot}, id)", "V4a index (close_date slot, id) WHERE deleted_at IS NULL"),
        ("bench_v4b", f"({stage_slot}, {date_slot}, id)",
         "V4b index (stage slot, close_date slot, id) WHERE deleted_at IS NULL"),
    ):
        say(f"Variant {label} …")
        with pg.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(f'CREATE INDEX {name} ON "{table}" {columns} WHERE deleted_at IS NULL')
            built = time.perf_counter() - start
            cursor.execute(f'ANALYZE "{table}"')
        current_first, variant_first, current_walk, variant_walk = [], [], [], []
        for order in ("current first", "variant first"):
            for which in (("current", "variant") if order == "current first" else ("variant", "current")):
                with pg.cursor() as cursor:
                    if which == "current":
                        cursor.execute("BEGIN")
                        cursor.execute(f"DROP INDEX {name}")  # rolled back below
                    first = time_calls(lambda c=cursor: (c.execute(statements["page1"]), c.fetchall()),
                                       args.repeat // 2, warmup=3)
                    walked = walk(cursor, next(regions))
                    if which == "current":
                        cursor.execute("ROLLBACK")
                        current_first += first
                        current_walk += walked
                    else:
                        variant_first += first
                        variant_walk += walked
        with pg.cursor() as cursor:
            results.plans.append((f"variant {label}: (a) page 2", page_after, *explain(pg, page_after)))
            cursor.execute(f"DROP INDEX {name}")
        for what, current, variant in (("(a) page 1, warm", current_first, variant_first),
                                       ("(a) cold keyset walk, per page", current_walk, variant_walk)):
            line = (f"{label.split(' index')[0] + ' ' + what:<58} current {p50_p95(current):>21}  "
                    f"variant {p50_p95(variant):>21}  (p50 {median(variant) / median(current):.2f}x)")
            results.variants.append(line)
            say("  " + line)
        results.variants.append(f"{label}: built in {secs(built)}")


def copy_partition(pg, source: str, name: str, *, split: bool) -> str:
    """A standalone copy of a partition (rows in id order, the same indexes), VACUUM ANALYZEd; with
    `split`, without `data`, which goes to `<name>_data (id primary key, data)`. Returns its sizes."""
    with pg.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}, {name}_data")
        cursor.execute("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
                       "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'data'",
                       [f'"{source}"'])
        columns = cursor.fetchone()[0] + ("" if split else ", data")
        cursor.execute(f'CREATE TABLE {name} (LIKE "{source}" INCLUDING DEFAULTS INCLUDING STORAGE)')
        if split:
            cursor.execute(f"ALTER TABLE {name} DROP COLUMN data")
            cursor.execute(f"CREATE TABLE {name}_data (id bigint PRIMARY KEY, data jsonb NOT NULL)")
            cursor.execute(f'INSERT INTO {name}_data SELECT id, data FROM "{source}" ORDER BY id')
        cursor.execute(f'INSERT INTO {name} ({columns}) SELECT {columns} FROM "{source}" ORDER BY id')
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                       [source])
        for i, (definition,) in enumerate(cursor.fetchall()):
            cursor.execute(re.sub(r"INDEX \S+ ON \S+", f"INDEX {name}_{i} ON {name}", definition, count=1))
        sizes = []
        for table in ([name, f"{name}_data"] if split else [name]):
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("SELECT pg_size_pretty(pg_relation_size(c.oid)), "
                           "pg_relation_size(c.oid) / greatest(c.reltuples, 1), "
                           "pg_size_pretty(pg_total_relation_size(c.oid) - pg_relation_size(c.oid) "
                           "- pg_indexes_size(c.oid)), pg_size_pretty(pg_indexes_size(c.oid)) "
                           "FROM pg_class c WHERE c.oid = %s::regclass", [table])
            heap, per_row, toast, indexes = cursor.fetchone()
            sizes.append(f"{table} heap {heap} ({per_row:,.0f} B/row), TOAST {toast}, indexes {indexes}")
    return "; ".join(sizes)


# --- facts and report ---------------------------------------------------------------------------------


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def collect_facts(world: World, pg, url: str, results: Results) -> None:
    from importlib.metadata import version as package_version


    deal = world.obj("deal")
    with pg.cursor() as cursor:
        def setting(name: str) -> str:
            cursor.execute("SELECT current_setting(%s)", [name])
            return cursor.fetchone()[0]

        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_relation_size(c.oid)), pg_size_pretty(pg_total_relation_size(c.oid) "
            "- pg_relation_size(c.oid) - pg_indexes_size(c.oid)), pg_size_pretty(pg_indexes_size(c.oid)), "
            "c.reltuples::bigint, pg_relation_size(c.oid) / greatest(c.reltuples, 1) "
            "FROM pg_class c WHERE c.oid = to_regclass(%s)", [deal.table])
        heap, toast, indexes, rows, per_row = cursor.fetchone()
        cursor.execute(
            "SELECT pg_size_pretty(pg_relation_size(c.oid)), pg_size_pretty(pg_indexes_size(c.oid)), "
            "pg_relation_size(c.oid) / greatest(c.reltuples, 1) FROM pg_class c WHERE c.oid = to_regclass(%s)",
            [TYPED_TABLE])
        t_heap, t_indexes, t_per_row = cursor.fetchone()
        cursor.execute(f"SELECT avg(pg_column_size(data))::int, avg(pg_column_size(r.*))::int FROM {deal.table} r "
                       "TABLESAMPLE SYSTEM (1)")
        avg_data, avg_row = cursor.fetchone()
        cursor.execute("SELECT c.relname, c.reltuples::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = 'record'::regclass ORDER BY 1")
        partitions = ", ".join(f"{name} {int(n):,}" for name, n in cursor.fetchall() if n > 0)
        facts = {
            "PostgreSQL": f"{version} ({server_label(url)}, database {database_name(url)})",
            "Settings": ", ".join(f"{n} {setting(n)}" for n in (
                "shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather", "jit",
                "random_page_cost", "autovacuum", "max_wal_size", "checkpoint_timeout", "wal_compression")),
        }
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    facts["Machine"] = f"CPUs {cpu_facts()}; RAM {total_kb / 2**20:.1f} GiB"
    facts["Code"] = code_version()
    facts["Software"] = (f"Python {sys.version.split()[0]}, Django {package_version('django')}, "
                         f"django-tenants {package_version('django-tenants')}")
    facts["Record table"] = f"partitions (rows): {partitions}"
    facts["Deal partition"] = (f"heap {heap} ({per_row:,.0f} B/row; avg row {avg_row} B, of which data jsonb "
                               f"{avg_data} B), TOAST {toast}, indexes {indexes}")
    facts["Typed table"] = f"heap {t_heap} ({t_per_row:,.0f} B/row), indexes {t_indexes}"
    results.facts.update(facts)


def render(results: Results, args: argparse.Namespace, path_label: str) -> str:
    lines: list[str] = []
    add = lines.append
    if args.autonumbers_only:
        add("Tessera auto-number benchmark (h) alone: sequence vs gap-free, in a fresh tenant")
    else:
        add(f"Tessera record storage benchmark: {args.records:,} deals (+ {args.records:,} accounts, "
            f"{args.records:,} tickets) in one tenant")
    add("")
    for key, value in results.facts.items():
        add(f"  {key:<15} {value}")
    add(f"  {'List/create via':<15} {path_label}")
    add("")
    headers = ("measurement", "Tessera", "typed baseline", "ratio", "target", "verdict")
    widths = [max(len(h), *(len(getattr(r, a)) for r in results.rows))
              for h, a in zip(headers, ("measurement", "tessera", "baseline", "ratio", "target", "verdict"),
                              strict=True)]
    add("  " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    add("  " + "-+-".join("-" * w for w in widths))
    for r in results.rows:
        cells = (r.measurement, r.tessera, r.baseline, r.ratio, r.target, r.verdict)
        add("  " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    add("")
    if args.autonumbers_only:
        add("  ratio = gap-free / sequence, medians of alternating rounds in the same run; see bench/_autonumbers.py.")
        add("  Details")
        for line in results.details:
            add(f"    {line}")
        return "\n".join(line.rstrip() for line in lines)
    add(f"  SQL rows: p50 / p95 of {args.repeat} runs (aggregates: {args.slow_repeat}), Tessera and typed alternated, "
        "warm, timed in a psycopg2 client (execute + fetchall); ratio = p50 / p50.")
    add("  *  a raw single-row INSERT into the typed table (no application logic), for scale only.")
    add("  ** ALTER TABLE ADD COLUMN (needs an ACCESS EXCLUSIVE lock) / + CREATE INDEX CONCURRENTLY on the typed table.")
    add("  *** CPU time of the web process + of its PostgreSQL backends (from /proc), per request or per record: what "
        "the work costs, without the waiting for a CPU that a loaded machine adds (see Load average); on an idle "
        "machine the wall time would be about this. Verdicts in brackets are indicative.")
    for note in results.notes:
        add(f"  note: {note}")
    if results.details:
        add("")
        add("Details")
        for line in results.details:
            add(f"  {line}")
    if getattr(results, "variants", None):
        add("")
        add("Prototype variants (same data, same run; NOT the current design)")
        for line in results.variants:
            add(f"  {line}")
    add("")
    add("EXPLAIN (ANALYZE, BUFFERS) summaries")
    for label, _statement, _text, summary in results.plans:
        add(f"  {label}: {summary}")
    add("")
    add("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF), full")
    for label, statement, text, _summary in results.plans:
        add(f"--- {label}")
        add(f"    {statement}")
        for line in text.splitlines():
            add(f"    {line}")
    return "\n".join(line.rstrip() for line in lines)


def measure(args: argparse.Namespace, url: str) -> tuple[Results, str]:
    from django.db import connection

    results = Results()
    world = create_world(args, url)
    if args.autonumbers_only:
        results.facts["Code"] = code_version()
        results.facts["Load average"] = load_average()
        measure_autonumbers(world, results, per_writer=args.writer_creates, batches=args.autonumber_batches)
        results.facts["Load average"] += f" at the start, {load_average()} at the end ({os.cpu_count()} CPUs)"
        connection.set_schema_to_public()
        return results, "service.create_record / create_records (forked writer processes)"
    if not args.reuse:
        load_world(world, args, results)
        if args.insert_only:
            results.facts["Code"] = code_version()
            results.facts["Load average"] = load_average()
            with connection.cursor() as cursor:
                results.facts["PostgreSQL"] = write_settings(cursor)
            connection.set_schema_to_public()
            return results, "service.create_records"
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {world.obj('account').table}")
            world.account_ids = [row[0] for row in cursor.fetchall()]
    pg = raw_connection(url, world.schema)
    if not args.reuse:
        build_typed_table(world, pg)
    else:
        with pg.cursor() as cursor:
            cursor.execute(f"SELECT to_regclass('{TYPED_TABLE}') IS NOT NULL")
            if not cursor.fetchone()[0]:
                build_typed_table(world, pg)
    collect_facts(world, pg, url, results)
    load_at_start = load_average()
    path = ListPath(world)
    statements = measure_list(world, pg, args, results, path)
    statements.update(measure_aggregates(world, pg, args, results))
    measure_memory(world, args, results, path)
    say("(d) raw INSERT rate into a typed table, for scale …")
    rate = typed_insert_rate(world, pg, results, min(args.sample, 20_000))
    for row in results.rows:
        if row.measurement.startswith("(d)") and "reference" not in row.measurement:
            row.baseline = f"{rate:,.0f} rows/s *"
    say("(d) where create_records spends its time …")
    breakdown_create(world, results)
    measure_create(world, pg, args, results, path)
    say("(a)/(e) where a request spends its time …")
    breakdown_requests(world, results, path)
    results.variants = []
    if not args.no_variants:
        say("Variant V3: TENANT_LIMIT_SET_CALLS …")
        measure_request_overheads(world, results, path, args.repeat)
        measure_index_variants(world, pg, args, results, statements)
        measure_variants(world, pg, args, results, statements)
    measure_add_field(world, pg, args, results)
    measure_autonumbers(world, results, per_writer=args.writer_creates, batches=args.autonumber_batches)
    results.facts["Load average"] = (f"1/5 min {load_at_start} when measurements started, {load_average()} at the "
                                     f"end ({os.cpu_count()} CPUs; other work on this machine shows up here)")
    # The (d) rows first in the table, after (a)-(c): order by the letter.
    results.rows.sort(key=lambda r: r.measurement[:3])
    pg.close()
    connection.set_schema_to_public()
    return results, path.label


def main(argv: list[str] | None = None) -> int:
    global PROFILE_TO, STATEMENTS
    args = parse_args(argv)
    PROFILE_TO = args.profile
    STATEMENTS = args.statements
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    os.environ.setdefault("TESSERA_LOG_LEVEL", "WARNING")
    started = time.perf_counter()
    with bench_database(args.database, args.keep, args.reuse) as url:
        import django

        django.setup()
        results, label = measure(args, url)
    print(render(results, args, label))
    say(f"Benchmark finished in {secs(time.perf_counter() - started)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
