"""Benchmark: how long it takes to provision a tenant, and to run a no-op `tessera migrate`.

What it measures, and why
-------------------------
Tessera gives every tenant its own PostgreSQL schema, and creates it by cloning the base schema
(TENANT_BASE_SCHEMA, `tenants.provisioning.create_tenant`) instead of running every migration, the
way django-tenants does without a base schema. Whether the clone is worth its complexity, and how it
scales as the base schema grows, is a number, not an opinion; so is the cost of `tessera migrate`
over thousands of tenant schemas, for which `tessera.core.migrations_executor` skips the schemas
already up to date (django-tenants' standard executor runs Django's whole `migrate` per schema, even
when there is nothing to do). The target for the no-op is at most 60 s per 1,000 schemas.

The script
1. uses a database of its own (default `tessera_bench`, on the server of DATABASE_URL, or of the
   embedded PostgreSQL started as `tessera` does when DATABASE_URL is not set): it drops and
   re-creates it first and drops it at the end unless --keep. It never touches the database
   `tessera run` uses;
2. migrates it (`tenants.bootstrap.migrate_platform`), then times, one tenant at a time,
   - N tenants created by clone: `create_tenant(slug, name)`, as sign-up and the CLI do;
   - N tenants created by migration: a Tenant and a Domain row, CREATE SCHEMA, then
     `migrate_schemas --tenant --schema <name>` (what django-tenants' TenantMixin.create_schema
     does when there is no base schema);
3. times a no-op `migrate_schemas --tenant` over all 2N tenant schemas with the project's executor
   (GET_EXECUTOR_FUNCTION, repeated, median kept), the same with django-tenants' plain standard
   executor (on an evenly spread sample when --plain-sample is below 2N, extrapolated and marked
   so), and the whole no-op `tessera migrate` (`migrate_platform`);
4. prints progress on stderr and a fixed-width table with the machine facts on stdout.

Two things keep the numbers honest. On a server with autovacuum off, the system catalogs' statistics
go stale as schemas pile up and clone_schema() (which reads them through information_schema) slows
down by an order of magnitude; the script then ANALYZEs them by autovacuum's own rule, outside the
timings (--no-catalog-analyze to see the raw effect). And if a migration file appears while it runs
(the working tree is shared), the tenant schemas are brought up to date, untimed, before the no-op is
timed, and the table says so.

Run it from the repository root:

    .venv/bin/python bench/provisioning.py                 # 200 + 200 tenants
    .venv/bin/python bench/provisioning.py --tenants 10    # a quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/provisioning.py

(Running a script puts bench/ on sys.path, not the repository root, whose platform/ folder would
shadow the standard library's `platform` module; Tessera itself is imported as the installed
`tessera` package.)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from unittest import mock

from _common import (
    check_bench_database_name,
    code_version,
    cpu_facts,
    database_name,
    drop_database,
    median,
    ms,
    percentile,
    recreate_database,
    say,
    secs,
    server_label,
    with_database,
)

TARGET_SECONDS_PER_1000 = 60.0
CLONE_PREFIX = "bench-c-"
MIGRATE_PREFIX = "bench-m-"


@dataclass
class NoopRun:
    label: str
    #: Schemas the timed run went over.
    measured: int
    #: Schemas a real run would go over (the number the per-1,000 figure is about).
    total: int
    runs: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return median(self.runs)

    @property
    def per_1000(self) -> float:
        return self.seconds / self.measured * 1000 if self.measured else float("nan")

    @property
    def extrapolated(self) -> bool:
        return self.measured < self.total


@dataclass
class Results:
    tenants: int
    clone: list[float] = field(default_factory=list)
    migration: list[float] = field(default_factory=list)
    noops: list[NoopRun] = field(default_factory=list)
    #: Tenant schemas missing a migration before the no-op runs (brought up to date, untimed, first).
    behind_before_noop: int = 0
    #: Migrations that appeared on disk while the benchmark ran (someone editing the working tree).
    migrations_changed: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)


class CatalogAnalyzer:
    """ANALYZE the system catalogs the way autovacuum would, when the server runs without it.

    clone_schema() reads pg_class, pg_attribute… through information_schema views. With stale
    statistics on those catalogs (a server with autovacuum off, like some CI and developer machines)
    the planner picks plans that make each clone several times slower as schemas pile up: seconds per
    tenant after a few hundred. A production server autovacuums, so by default the benchmark applies
    autovacuum's analyze rule (threshold + scale factor x rows) after each tenant, outside the timings.
    """

    QUERY = """
        SELECT s.relname FROM pg_stat_sys_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.schemaname = 'pg_catalog' AND NOT c.relisshared
          AND s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8
              + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0)
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.runs = 0
        self.seconds = 0.0

    def __call__(self) -> None:
        if not self.enabled:
            return
        from django.db import connection
        from psycopg2 import sql

        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(self.QUERY)
            stale = [row[0] for row in cursor.fetchall()]
            if stale:
                targets = sql.SQL(", ").join(sql.Identifier("pg_catalog", name) for name in stale)
                cursor.execute(sql.SQL("ANALYZE {}").format(targets))
                self.runs += 1
        self.seconds += time.perf_counter() - start


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/provisioning.py",
        description=(
            "Time tenant provisioning by clone of the base schema against provisioning by migration, "
            "and a no-op `tessera migrate` over every tenant schema, in a throw-away database."
        ),
        epilog="Progress goes to stderr, the result table to stdout.",
    )
    parser.add_argument("--tenants", type=int, default=200, metavar="N",
                        help="tenants to create by clone, and as many by migration (default 200)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the benchmark database at the end (it is dropped by default)")
    parser.add_argument("--database", default="tessera_bench", metavar="NAME",
                        help="name of the benchmark's own database, dropped and re-created (default tessera_bench)")
    parser.add_argument("--repeat", type=int, default=3, metavar="R",
                        help="runs of the no-op migrate with Tessera's executor; the median is kept (default 3)")
    parser.add_argument("--plain-sample", type=int, default=400, metavar="K",
                        help="time the plain django-tenants executor on at most K schemas spread over all of "
                             "them and extrapolate (default 400; 0 means all)")
    parser.add_argument("--progress-every", type=int, default=20, metavar="M",
                        help="print progress every M tenants or schemas (default 20)")
    parser.add_argument("--json", metavar="PATH",
                        help="also write every timing to PATH as JSON (after the provisioning phases, then at the end)")
    parser.add_argument("--no-catalog-analyze", action="store_true",
                        help="on a server with autovacuum off, do not ANALYZE the system catalogs as autovacuum "
                             "would (shows what stale catalog statistics do to clone_schema)")
    args = parser.parse_args(argv)
    if args.tenants < 1:
        parser.error("--tenants must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.plain_sample < 0:
        parser.error("--plain-sample must be 0 or more")
    return args


# --- Measurements (Django is set up when these run) -------------------------------------------------


def provision_by_clone(count: int, every: int, after_each: Callable[[], None]) -> list[float]:
    from tenants.provisioning import create_tenant

    timings: list[float] = []
    for i in range(1, count + 1):
        start = time.perf_counter()
        create_tenant(f"{CLONE_PREFIX}{i:05d}", f"Bench clone {i}")
        timings.append(time.perf_counter() - start)
        after_each()
        _progress("clone", i, count, timings, every)
    return timings


def provision_by_migration(count: int, every: int, after_each: Callable[[], None]) -> list[float]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from psycopg2 import sql

    from tenants.models import Domain, Plan, Tenant
    from tenants.slugs import schema_name_for

    plan = Plan.objects.filter(is_default=True).first()
    timings: list[float] = []
    for i in range(1, count + 1):
        slug = f"{MIGRATE_PREFIX}{i:05d}"
        schema = schema_name_for(slug)
        start = time.perf_counter()
        with transaction.atomic():
            tenant = Tenant(slug=slug, schema_name=schema, name=f"Bench migration {i}", plan=plan)
            tenant.auto_create_schema = False  # the class says so already; this path must not clone
            tenant.save()
            Domain.objects.create(domain=f"{slug}.{settings.TESSERA_BASE_DOMAIN}", tenant=tenant, is_primary=True)
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0)
        connection.set_schema_to_public()
        timings.append(time.perf_counter() - start)
        after_each()
        _progress("migration", i, count, timings, every)
    return timings


def _progress(what: str, done: int, count: int, timings: list[float], every: int) -> None:
    if done % every == 0 or done == count:
        recent = timings[-every:]
        say(f"  {what:<9} {done:>6}/{count}  median of the last {len(recent)}: {ms(median(recent))}")


def tenant_schemas() -> list[str]:
    from django_tenants.utils import get_public_schema_name, get_tenant_model

    return sorted(
        get_tenant_model().objects.exclude(schema_name=get_public_schema_name()).values_list("schema_name", flat=True)
    )


def migration_names() -> set[str]:
    from tessera.core.migrations_executor import known_migrations

    return {f"{app}.{name}" for app, name in known_migrations()}


def settle(schemas: list[str]) -> int:
    """Make the no-op a no-op: bring every schema up to date first (untimed); return how many were behind.

    Schemas are behind only when a migration file appeared while the benchmark ran (another engineer
    editing the working tree): then the clones of the older base schema miss it.
    """
    from tenants.bootstrap import migrate_platform
    from tessera.core.migrations_executor import known_migrations, schemas_behind

    behind = len(schemas_behind(schemas, known_migrations()))
    if behind:
        say(f"  {behind} tenant schemas miss a migration; migrating them before timing the no-op …")
        migrate_platform(verbosity=0)
        still = len(schemas_behind(schemas, known_migrations()))
        if still:
            raise SystemExit(f"error: {still} tenant schemas are still behind after `tessera migrate`")
    return behind


def noop_with_project_executor(total: int, repeat: int) -> NoopRun:
    """`migrate_schemas --tenant` exactly as `tessera migrate` runs it (GET_EXECUTOR_FUNCTION)."""
    from django.core.management import call_command
    from django.db import connection

    run = NoopRun("Tessera skip-up-to-date executor", total, total)
    for attempt in range(1, repeat + 1):
        start = time.perf_counter()
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        run.runs.append(time.perf_counter() - start)
        connection.set_schema_to_public()
        say(f"  no-op, Tessera executor, run {attempt}/{repeat}: {secs(run.runs[-1])}")
    return run


def noop_with_plain_executor(schemas: list[str], sample: int, every: int) -> NoopRun:
    """The same command with django-tenants' own executor, limited to an evenly spread sample.

    migrate_schemas reads GET_EXECUTOR_FUNCTION when its module is imported, so the module attribute
    is swapped for the run; everything else (options, tenant query, per-schema migrate) is unchanged.
    """
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.management.commands import migrate_schemas as migrate_schemas_module
    from django_tenants.migration_executors import get_executor as plain_get_executor
    from django_tenants.signals import schema_migrated

    chosen = spread(schemas, sample) if sample else list(schemas)
    wanted = set(chosen)
    run = NoopRun("django-tenants standard executor", len(chosen), len(schemas))

    def get_executor(codename: str | None = None) -> type:
        base = plain_get_executor(codename)

        class SampledExecutor(base):
            def run_migrations(self, tenants=None):
                super().run_migrations([name for name in (tenants or []) if name in wanted])

        return SampledExecutor

    done = 0

    def on_migrated(sender: object, schema_name: str, **kwargs: object) -> None:
        nonlocal done
        done += 1
        if done % every == 0 or done == len(chosen):
            say(f"  no-op, plain executor: {done:>6}/{len(chosen)} schemas, {secs(time.perf_counter() - start)}")

    schema_migrated.connect(on_migrated, dispatch_uid="bench-provisioning-progress")
    try:
        with mock.patch.object(migrate_schemas_module, "GET_EXECUTOR_FUNCTION", get_executor):
            start = time.perf_counter()
            call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
            run.runs.append(time.perf_counter() - start)
    finally:
        schema_migrated.disconnect(dispatch_uid="bench-provisioning-progress")
        connection.set_schema_to_public()
    if done != len(chosen):
        say(f"  warning: the plain executor went over {done} schemas, {len(chosen)} were expected")
    return run


def noop_tessera_migrate(total: int, repeat: int) -> NoopRun:
    """The whole `tessera migrate`: public schema, clone function, base schema, every tenant."""
    from tenants.bootstrap import migrate_platform

    run = NoopRun("whole `tessera migrate` (migrate_platform)", total, total)
    for attempt in range(1, repeat + 1):
        start = time.perf_counter()
        migrate_platform(verbosity=0)
        run.runs.append(time.perf_counter() - start)
        say(f"  no-op `tessera migrate`, run {attempt}/{repeat}: {secs(run.runs[-1])}")
    return run


def spread(items: list[str], count: int) -> list[str]:
    """`count` items evenly spread over `items` (clones and migrated schemas alike), order kept."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def server_setting(name: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def collect_facts(url: str) -> dict[str, str]:
    from django.conf import settings
    from django.db import connection

    base = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p')), count(*) FILTER (WHERE c.relkind = 'S'), "
            "count(*) FILTER (WHERE c.relkind = 'i') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
            [base],
        )
        tables, sequences, indexes = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s",
            [base],
        )
        functions = cursor.fetchone()[0]
    return {
        "PostgreSQL": f"{pg_version} ({server_label(url)}, database {database_name(url)})",
        "CPUs": cpu_facts(),
        "Code": code_version(),
        "Software": (
            f"Python {sys.version.split()[0]}, Django {package_version('django')}, "
            f"django-tenants {package_version('django-tenants')}, psycopg2 {package_version('psycopg2-binary')}"
        ),
        "Base schema": (
            f"{base}: {tables} tables, {indexes} indexes, {sequences} sequences, {functions} functions"
        ),
    }


def measure(args: argparse.Namespace, url: str) -> Results:
    from tenants.bootstrap import migrate_platform

    results = Results(tenants=args.tenants)
    every = max(1, args.progress_every)
    load_at_start = load_average()
    say("Migrating the benchmark database …")
    start = time.perf_counter()
    migrate_platform(verbosity=0)
    say(f"  migrated in {secs(time.perf_counter() - start)}")
    migrations_at_start = migration_names()
    results.facts = collect_facts(url)
    autovacuum = server_setting("autovacuum") == "on"
    analyzer = CatalogAnalyzer(enabled=not autovacuum and not args.no_catalog_analyze)

    say(f"Creating {args.tenants} tenants by clone …")
    results.clone = provision_by_clone(args.tenants, every, analyzer)
    say(f"Creating {args.tenants} tenants by migration …")
    results.migration = provision_by_migration(args.tenants, every, analyzer)

    results.migrations_changed = sorted(migration_names() - migrations_at_start)
    save_json(results, args)
    schemas = tenant_schemas()
    say(f"No-op migrate over {len(schemas)} tenant schemas …")
    results.behind_before_noop = settle(schemas)
    analyzer()
    if autovacuum:
        results.facts["Autovacuum"] = "on (catalog statistics kept by the server)"
    elif analyzer.enabled:
        results.facts["Autovacuum"] = (
            f"off on this server: system catalogs ANALYZEd by autovacuum's rule instead, "
            f"{analyzer.runs} times, {secs(analyzer.seconds)}, outside the timings"
        )
    else:
        results.facts["Autovacuum"] = "off on this server, and --no-catalog-analyze: catalog statistics go stale"
    results.noops.append(noop_with_project_executor(len(schemas), args.repeat))
    results.noops.append(noop_with_plain_executor(schemas, args.plain_sample, every))
    results.noops.append(noop_tessera_migrate(len(schemas), args.repeat))
    results.facts["Load"] = (
        f"1-minute load average {load_at_start} at the start, {load_average()} at the end "
        f"(other processes on the machine skew the timings)"
    )
    return results


# --- Report ---------------------------------------------------------------------------------------------


def save_json(results: Results, args: argparse.Namespace) -> None:
    if not args.json:
        return
    data = {"arguments": vars(args), **dataclasses.asdict(results)}
    with open(args.json, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, ensure_ascii=False)
    say(f"  timings written to {args.json}")


def render(results: Results, args: argparse.Namespace) -> str:
    lines: list[str] = []
    add = lines.append
    add(f"Tessera provisioning benchmark: {results.tenants} tenants by clone + {results.tenants} by migration")
    add("")
    for key, value in results.facts.items():
        add(f"  {key:<12} {value}")
    add("")

    add(f"  {'provisioning, per tenant':<34} {'n':>5} {'median':>11} {'p95':>11} {'min':>11} {'max':>11}")
    add("  " + "-" * 87)
    rows = [("clone of base (create_tenant)", results.clone), ("migration (migrate_schemas)", results.migration)]
    for label, values in rows:
        add(
            f"  {label:<34} {len(values):>5} {ms(median(values)):>11} {ms(percentile(values, 95)):>11} "
            f"{ms(min(values)):>11} {ms(max(values)):>11}"
        )
    ratio_median = median(results.migration) / median(results.clone)
    ratio_p95 = percentile(results.migration, 95) / percentile(results.clone, 95)
    add(f"  {'ratio migration / clone':<34} {'':>5} {ratio_median:>10.1f}x {ratio_p95:>10.1f}x")
    tenth = max(1, results.tenants // 10)
    add(f"  drift as schemas pile up: median of the first {tenth} created -> of the last {tenth}")
    for label, values in rows:
        first, last = median(values[:tenth]), median(values[-tenth:])
        add(f"    {label:<32} {ms(first):>11} -> {ms(last):>11}  ({last / first:.2f}x)")
    add("")

    total = results.noops[0].total if results.noops else 0
    add(f"  no-op migrate over {total} tenant schemas")
    add(f"  {'executor':<44} {'schemas':>9} {'time':>10} {'per schema':>11} {'per 1,000':>10}")
    add("  " + "-" * 87)
    for run in results.noops:
        measured = f"{run.measured}/{run.total}" if run.extrapolated else f"{run.measured}"
        per_schema = ms(run.seconds / run.measured) if run.measured else "-"
        mark = "*" if run.extrapolated else " "
        add(f"  {run.label:<44} {measured:>9} {secs(run.seconds):>10} {per_schema:>11} {secs(run.per_1000):>10}{mark}")
    ours = results.noops[0]
    verdict = "met" if ours.per_1000 <= TARGET_SECONDS_PER_1000 else "MISSED"
    plain = results.noops[1]
    add("")
    add(f"  target: no-op with Tessera's executor <= {TARGET_SECONDS_PER_1000:.0f} s per 1,000 schemas: "
        f"{verdict} ({secs(ours.per_1000)}); plain executor / Tessera's: {plain.per_1000 / ours.per_1000:.0f}x")
    add(f"  Tessera executor and `tessera migrate`: median of {args.repeat} runs; per 1,000 = time / schemas x 1,000 "
        "(linear, so fixed costs count against it).")
    if any(run.extrapolated for run in results.noops):
        add("  * measured on an evenly spread sample of the schemas and extrapolated linearly.")
    if results.migrations_changed:
        add(f"  WARNING: migrations appeared during the run ({', '.join(results.migrations_changed)}); "
            "the tenants were not all made from the same code.")
    if results.behind_before_noop:
        add(f"  note: {results.behind_before_noop} schemas were behind before the no-op and were migrated first, "
            "untimed.")
    return "\n".join(line.rstrip() for line in lines)


# --- Database set-up ------------------------------------------------------------------------------------


@contextmanager
def bench_database(name: str, keep: bool) -> Iterator[str]:
    """Point DATABASE_URL at a fresh database of our own on the given or embedded server."""
    from tessera.embedded import DATABASE_NAME as EMBEDDED_DATABASE_NAME
    from tessera.embedded import EmbeddedServices

    with EmbeddedServices(database=True, broker=False):
        source_url = os.environ["DATABASE_URL"]
        check_bench_database_name(name, {EMBEDDED_DATABASE_NAME, database_name(source_url), "postgres", "template0",
                                         "template1"})
        url = with_database(source_url, name)
        say(f"Benchmark database: {name} on {server_label(url)} (dropped and re-created)")
        recreate_database(url)
        os.environ["DATABASE_URL"] = url
        try:
            yield url
        finally:
            os.environ["DATABASE_URL"] = source_url
            _close_django_connections()
            if keep:
                say(f"Kept the benchmark database {name} (--keep).")
            else:
                drop_database(url)
                say(f"Dropped the benchmark database {name}.")


def _close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    # One log line per created tenant would bury the progress lines.
    os.environ.setdefault("TESSERA_LOG_LEVEL", "WARNING")
    started = time.perf_counter()
    with bench_database(args.database, args.keep) as url:
        import django

        django.setup()
        results = measure(args, url)
    save_json(results, args)
    print(render(results, args))
    say(f"Benchmark finished in {secs(time.perf_counter() - started)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
