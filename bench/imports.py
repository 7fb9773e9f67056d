"""Import speed and memory: a CSV of N rows × 30 columns, as a Chinese sales team's spreadsheet has
it (GB18030, Chinese headers, picklist labels, ¥ amounts, 2024年3月5日 dates, 是/否), into a custom
object with 2 lookups named by their parent's name, upserted on an external id.

    .venv/bin/python bench/imports.py --rows 100000             # ~1 min
    .venv/bin/python bench/imports.py --rows 1000000            # the target: ~4-8 min

What runs is the import job itself (tessera.transfer.imports.import_job, called inline as a Celery
worker calls it): the first pass over the file (row count, keys repeated in the file), then batches
of 1,000 rows through cell parsing, the lookups' names resolved (cached), existing records found by
the key, the records service's bulk create, and the batch's bookkeeping, each batch in its own
transaction. Printed: rows/s end to end (the first pass included), the time of the first pass
alone, the process's peak resident memory, and its growth during the import over the memory
before it. `--again` imports the same file a second time (every row found and unchanged: skipped), then a
copy with one column changed in every row (every row an update, through the batched upsert).

Targets (issue 13): >= 5,000 rows/s, peak memory <= 300 MB at 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import threading
import time
from pathlib import Path

from _common import (
    check_bench_database_name,
    code_version,
    cpu_facts,
    database_cpu,
    database_name,
    drop_database,
    recreate_database,
    say,
    secs,
    server_label,
    with_database,
    write_settings,
)

TENANT_SLUG = "benchimports"
ADMIN_EMAIL = "admin@benchimports.test"
ACCOUNTS = 1_000
PRODUCTS = 500
STAGES = [("prospecting", "初步接洽"), ("proposal", "方案报价"), ("negotiation", "商务谈判"), ("won", "赢单")]
REGIONS = [("east", "华东"), ("south", "华南"), ("north", "华北"), ("west", "西部")]
CHANNELS = [("direct", "直销"), ("partner", "渠道"), ("online", "线上")]


def _labels(en: str, zh: str) -> dict:
    return {"zh-hans": zh, "en": en}


def _picklist(values: list[tuple[str, str]]) -> dict:
    return {"values": [{"key": k, "labels": _labels(k.title(), zh)} for k, zh in values]}


#: (api_name, type, zh label, options) of the 30 columns' fields besides the name.
FIELDS = [
    ("external_id", "text", "外部编号", {}),
    ("account", "lookup", "客户", {"target": "account"}),
    ("product", "lookup", "产品", {"target": "product"}),
    ("stage", "picklist", "阶段", _picklist(STAGES)),
    ("region", "picklist", "区域", _picklist(REGIONS)),
    ("channel", "picklist", "渠道", _picklist(CHANNELS)),
    *[(f"note_{i}", "text", f"备注{i}", {}) for i in range(1, 9)],
    *[(f"qty_{i}", "number", f"数量{i}", {}) for i in range(1, 4)],
    *[(f"amount_{i}", "currency", f"金额{i}", {}) for i in range(1, 4)],
    ("discount", "percent", "折扣", {}),
    *[(f"day_{i}", "date", f"日期{i}", {}) for i in range(1, 4)],
    *[(f"flag_{i}", "boolean", f"标记{i}", {}) for i in range(1, 3)],
    ("contact_email", "email", "邮箱", {}),
    ("contact_phone", "phone", "电话", {}),
    ("description", "long_text", "描述", {}),
]
HEADERS = ["订单名称", *[zh for _n, _t, zh, _o in FIELDS]]
assert len(HEADERS) == 30, len(HEADERS)


def write_csv(path: Path, rows: int, seed: int = 13, bump: int = 0) -> None:
    """N rows in spreadsheet forms, streamed to disk (memory stays flat); `bump` changes the first
    quantity of every row (the same rows otherwise)."""
    rng = random.Random(seed)
    first = dt.date(2022, 1, 1)
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADERS)
        for i in range(rows):
            day = first + dt.timedelta(days=rng.randrange(1500))
            writer.writerow([
                f"订单 {i:07d}", f"EXT-{i:08d}", f"客户 {rng.randrange(ACCOUNTS):04d}", f"产品 {rng.randrange(PRODUCTS):03d}",
                rng.choice(STAGES)[1], rng.choice(REGIONS)[1], rng.choice(CHANNELS)[0],
                *[f"说明文字 {rng.randrange(10**6)}" for _ in range(8)],
                *[f"{rng.randrange(1, 10**5) + (bump if q == 0 else 0):,}" for q in range(3)],
                *[f"¥{rng.randrange(10**7) / 100:,.2f}" for _ in range(3)],
                f"{rng.randrange(0, 5000) / 100}%",
                f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y/%m/%d"), day.isoformat(),
                rng.choice(["是", "否"]), rng.choice(["Y", "N", "✓", ""]),
                f"user{i}@example.cn", f"138{rng.randrange(10**8):08d}", "一段较长的描述文字，记录客户的需求与背景。",
            ])


def create_world() -> object:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from metadata.services import add_field, create_object
    from tenants.bootstrap import migrate_platform
    from tenants.provisioning import create_tenant
    from tessera.records import service
    from tessera.security.access import SYSTEM

    say("Migrating the benchmark database …")
    migrate_platform(verbosity=0)
    tenant = create_tenant(TENANT_SLUG, "Bench imports", admin_email=ADMIN_EMAIL, admin_password="bench-pass-1").tenant
    connection.set_tenant(tenant)
    create_object({"api_name": "product", "labels": {"zh-hans": {"singular": "产品"}, "en": {"singular": "Product"}},
                   "name_field": {"api_name": "name", "type": "text", "labels": _labels("Name", "产品名称")}}, SYSTEM)
    create_object({"api_name": "order_line", "labels": {"zh-hans": {"singular": "订单"}, "en": {"singular": "Order"}},
                   "name_field": {"api_name": "name", "type": "text", "labels": _labels("Order name", "订单名称")}},
                  SYSTEM)
    for api_name, type_key, zh, options in FIELDS:
        spec = {"api_name": api_name, "type": type_key, "labels": _labels(api_name.replace("_", " ").title(), zh)}
        if options:
            spec["options"] = options
        if api_name == "external_id":
            spec["unique"] = True
        add_field("order_line", spec, SYSTEM)
    say(f"Creating {ACCOUNTS:,} accounts and {PRODUCTS:,} products (the lookups' parents) …")
    for start in range(0, ACCOUNTS, 1000):
        service.create_records("account", [{"name": f"客户 {i:04d}"} for i in range(start, min(ACCOUNTS, start + 1000))],
                               SYSTEM, confirm_duplicates=True)
    service.create_records("product", [{"name": f"产品 {i:03d}"} for i in range(PRODUCTS)], SYSTEM)
    return get_user_model().objects.get(email=ADMIN_EMAIL)


def service_baseline(admin: object, rows: int) -> float:
    """Rows/s of the records service's bulk create alone, in this run: the same 30 fields given as
    the typed values an API client sends (ids for the lookups, keys for the picklists), batches of
    1,000. The import's speed over this is what the importer itself costs."""
    from tessera.records import service

    accounts = [r.id for r in service.list_records("account", admin, limit=200, sort=["id"]).records]
    products = [r.id for r in service.list_records("product", admin, limit=200, sort=["id"]).records]
    rng = random.Random(7)
    started = time.perf_counter()
    for start in range(0, rows, 1000):
        payloads = []
        for i in range(start, min(rows, start + 1000)):
            day = (dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(1500))).isoformat()
            payloads.append({
                "name": f"基准 {i:07d}", "external_id": f"BASE-{i:08d}", "account": rng.choice(accounts),
                "product": rng.choice(products), "stage": rng.choice(STAGES)[0], "region": rng.choice(REGIONS)[0],
                "channel": rng.choice(CHANNELS)[0], **{f"note_{n}": f"说明文字 {rng.randrange(10**6)}" for n in range(1, 9)},
                **{f"qty_{n}": str(rng.randrange(1, 10**5)) for n in range(1, 4)},
                **{f"amount_{n}": f"{rng.randrange(10**7) / 100:.2f}" for n in range(1, 4)},
                "discount": f"{rng.randrange(0, 5000) / 100}", "day_1": day, "day_2": day, "day_3": day,
                "flag_1": rng.random() < 0.5, "flag_2": rng.random() < 0.5, "contact_email": f"base{i}@example.cn",
                "contact_phone": f"138{rng.randrange(10**8):08d}", "description": "一段较长的描述文字，记录客户的需求与背景。"})
        service.create_records("order_line", payloads, admin, all_or_nothing=False)
    return rows / (time.perf_counter() - started)


class PeakMemory:
    """Samples this process's resident memory every 50 ms while the import runs."""

    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.baseline = self.process.memory_info().rss
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def import_once(path: Path, admin: object) -> dict:
    from django.db import connection

    from tessera.core import jobs
    from tessera.transfer import engine, imports

    with path.open("rb") as handle:
        run = imports.start_import("order_line", path.name, handle, admin)
    prepared = imports.prepare_import(run.pk, admin)
    unmapped = [c.header for c in prepared.columns if not c.field]
    if unmapped:
        raise SystemExit(f"columns not mapped by their labels: {unmapped}")
    imports.configure_import(run.pk, admin, columns=prepared.run.mapping,
                             settings={"mode": "upsert", "key": ["external_id"]})
    run = imports.start_run(run.pk, admin)
    timed: list[float] = []
    original = engine.first_pass

    def first_pass(plan):  # the job's first pass, timed
        started = time.perf_counter()
        try:
            return original(plan)
        finally:
            timed.append(time.perf_counter() - started)

    engine.first_pass = first_pass
    database = connection.settings_dict["NAME"]
    with PeakMemory() as memory:
        started, cpu, db_cpu = time.perf_counter(), time.process_time(), database_cpu(database)
        job = jobs.run_job(run.job.pk)
        elapsed = time.perf_counter() - started
        cpu, db_cpu = time.process_time() - cpu, database_cpu(database) - db_cpu
    engine.first_pass = original
    first_pass = timed[0] if timed else 0.0
    run.refresh_from_db()
    if job is None or job.status != "done":
        raise SystemExit(f"the import failed: {job and job.message}")
    return {"rows": run.rows_done, "inserted": run.inserted, "updated": run.updated, "skipped": run.skipped,
            "errors": run.errors, "seconds": elapsed, "first_pass": first_pass, "cpu": cpu, "db_cpu": db_cpu,
            "baseline_mb": memory.baseline / 2**20, "peak_mb": memory.peak / 2**20}


def render(results: list[tuple[str, dict]], args: argparse.Namespace, file_mb: float, baseline: float,
           settings: str) -> str:
    lines = [f"bench/imports.py — {args.rows:,} rows × 30 columns ({file_mb:,.0f} MB of GB18030 CSV), 2 lookups by "
             f"name, upsert on a unique key; CPU {cpu_facts()}; {code_version()}", f"PostgreSQL: {settings}", "",
             "| run | rows | created | updated | unchanged | errors | time | rows/s | CPU: import / PostgreSQL "
             "| rows per CPU-s | first pass | peak RSS | growth |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, r in results:
        lines.append(f"| {label} | {r['rows']:,} | {r['inserted']:,} | {r['updated']:,} | {r['skipped']:,} | "
                     f"{r['errors']:,} | {secs(r['seconds'])} | {r['rows'] / r['seconds']:,.0f} | "
                     f"{secs(r['cpu'])} / {secs(r['db_cpu'])} | {r['rows'] / max(r['cpu'] + r['db_cpu'], 1e-9):,.0f} | "
                     f"{secs(r['first_pass'])} | {r['peak_mb']:,.0f} MB | {r['peak_mb'] - r['baseline_mb']:,.0f} MB |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first = results[0][1]
    lines += ["", f"Same run, the records service's bulk create alone ({args.baseline:,} rows of typed API values): "
                  f"{baseline:,.0f} rows/s; the first import ran at {first['rows'] / first['seconds'] / baseline:.2f}x "
                  "of it (the rest is the importer: reading, parsing, names, keys, bookkeeping).",
              f"Process peak (ru_maxrss, set-up included): {peak:,.0f} MB. Targets: >= 5,000 rows/s, <= 300 MB.",
              "CPU: of the import process and of its PostgreSQL backends (from /proc) while the job ran; rows per "
              "CPU-second is what the import costs without the waits of a loaded machine."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="tessera_bench_imports")
    parser.add_argument("--again", action="store_true", help="import the same file a second time")
    parser.add_argument("--baseline", type=int, default=10_000, help="rows of the service-alone baseline")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    os.environ.setdefault("TESSERA_LOG_LEVEL", "WARNING")
    source_url = os.environ.get("DATABASE_URL")
    if not source_url:
        raise SystemExit("Set DATABASE_URL (the benchmark makes a database of its own on that server).")
    check_bench_database_name(args.database, {database_name(source_url), "tessera", "postgres"})
    url = with_database(source_url, args.database)
    say(f"Benchmark database: {args.database} on {server_label(url)} (dropped and re-created)")
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    media = Path("var/bench-imports")
    media.mkdir(parents=True, exist_ok=True)
    os.environ["TESSERA_MEDIA_ROOT"] = str(media.resolve())
    try:
        import django

        django.setup()
        from django.db import connection

        admin = create_world()
        path = media / f"orders-{args.rows}.csv"
        say(f"Writing {args.rows:,} rows to {path} …")
        write_csv(path, args.rows)
        file_mb = path.stat().st_size / 2**20
        say(f"Baseline: {args.baseline:,} rows through the records service alone …")
        baseline = service_baseline(admin, args.baseline)
        say("Importing …")
        results = [("first import (all new)", import_once(path, admin))]
        if args.again:
            say("Importing the same file again …")
            results.append(("the same file again (all unchanged)", import_once(path, admin)))
            changed = media / f"orders-{args.rows}-changed.csv"
            write_csv(changed, args.rows, bump=1)
            say("Importing it with one column changed in every row …")
            results.append(("one column changed in every row (all updated)", import_once(changed, admin)))
        with connection.cursor() as cursor:
            settings = write_settings(cursor)
        print(render(results, args, file_mb, baseline, settings))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
