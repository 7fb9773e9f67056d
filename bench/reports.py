"""Benchmark: reports at 1M deals against the same questions answered by hand-written SQL.

What it measures, and why
-------------------------
A report compiles to ONE statement through the records query compiler (reports_engine.compiler),
with the viewer's row predicate and field-level security. Whether that costs more than a person
writing the SQL by hand is a number: each report's statement against the best plain SQL on the
record table's typed slot columns asking the same question (the same groups, subtotals and grand
total by ROLLUP, the same permission predicate, the same guard on values read through a lookup),
in the same database and the same run, interleaved. Targets: summary and matrix <= 1.5x,
cross-object columns <= 2x, a drill-down page (the service call: ids, then the 50 records) <= 80 ms.

The world is bench/security.py's: the `deal` object of the records benchmark (30 custom fields,
stage / close date / amount indexed, a lookup to account), 2,000 accounts, N deals owned evenly by a
50-user organisation (a CEO, 4 sales managers, 45 salespeople); accounts are then owned round-robin by
the 50 users, so a manager reads a cross-object value only through the accounts their team owns.

Cases, each as a sales manager (13 owners: `owner_id = ANY(…)`) and as the administrator (no
predicate):
1. summary: deals by stage and owner (with the owner's name), sum of amount and count;
2. matrix: stage × close-date year, sum of amount and count, totals both ways;
3. cross-object: a tabular report of 500 deals by amount with the account's name, industry and
   annual revenue (the record count and the sum of amounts over every row, as a report shows them);
4. drill-down: the first 50 records behind one cell of the summary (stage = proposal, one owner);
5. prepared reports: each report through `prepared.run_or_prepare` (the API's path): answered within
   5 s, or queued as a background job, which the bench then runs inline and picks up as the page would
   (`prepared_result`); one run with the timeout forced down shows the queued path even when no
   report takes 5 s;
6. the builder's live preview (issue: each change re-renders within 300 ms on 100k records): server
   time (Django's test client, in process) of typical edits — change a value, add a group, add a
   column, add a filter, switch to a matrix — through the preview endpoint and the builder's htmx
   form changes, as each viewer; the baseline column is the same edit with the whole report run
   and drawn (the preview before it sampled the viewer's 10,000 latest records and drew 50 rows);
   the rows marked *** give the CPU one edit costs (this process + its PostgreSQL backend, from
   /proc): about its time on an idle machine, where a loaded one adds the wait for a CPU.

`--only sql,drill,prepared,preview` runs some of them (with --reuse: measure again without reloading).

    .venv/bin/python bench/reports.py --records 100000            # quick
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/reports.py   # 1M deals

Progress goes to stderr; the table, machine facts and both EXPLAIN (ANALYZE, BUFFERS) plans of each
case to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from _common import cpu_facts, median, percentile, say, secs, server_label
from records import CpuMeter
from security import (
    add_formula_columns,
    bench_database,
    create_world,
    explain,
    load,
    raw_connection,
    sql_runner,
    time_pair,
)

TARGETS = {"summary": 1.5, "matrix": 1.5, "cross-object": 2.0}
DRILL_TARGET_MS = 80.0
PREVIEW_BUDGET_MS = 300.0
CASES = ("sql", "drill", "prepared", "preview")


@dataclass
class Row:
    measurement: str
    ours: str
    hand: str
    ratio: str
    target: str = "-"
    verdict: str = "-"


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    plans: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def p50_p95(values: list[float]) -> str:
    return f"{ms(median(values))} / {ms(percentile(values, 95))}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/reports.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, metavar="N", help="deals (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=15, metavar="R", help="repetitions of each SQL (default 15)")
    parser.add_argument("--database", default="tessera_bench_reports", metavar="NAME",
                        help="the benchmark's own database, dropped and re-created (default tessera_bench_reports)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--reuse", action="store_true", help="measure again in a database kept by --keep")
    parser.add_argument("--only", default=",".join(CASES), metavar="CASES",
                        help=f"comma-separated cases to measure (default all: {','.join(CASES)})")
    args = parser.parse_args(argv)
    if args.records < 5_000:
        parser.error("--records must be at least 5,000")
    args.only = {c.strip() for c in args.only.split(",") if c.strip()}
    if args.only - set(CASES):
        parser.error(f"--only: unknown case(s) {', '.join(sorted(args.only - set(CASES)))}")
    return args


# --- the reports and their hand-written twins -----------------------------------------------------

SUMMARY = {"api_name": "by_stage_owner", "object": "deal", "shape": "summary",
           "groups": [{"field": "stage"}, {"field": "owner"}],
           "aggregates": [{"key": "amount", "function": "sum", "of": "amount"}, {"key": "n", "function": "count"}]}
MATRIX = {"api_name": "stage_year", "object": "deal", "shape": "matrix",
          "groups": [{"field": "stage"}], "column_groups": [{"field": "close_date", "granularity": "year"}],
          "aggregates": [{"key": "amount", "function": "sum", "of": "amount"}, {"key": "n", "function": "count"}]}
CROSS = {"api_name": "big_deals", "object": "deal", "shape": "tabular", "sort": ["-amount"], "limit": 500,
         "columns": [{"field": "name"}, {"field": "amount"}, {"field": "account.name"},
                     {"field": "account.industry"}, {"field": "account.annual_revenue"}],
         "aggregates": [{"key": "amount", "function": "sum", "of": "amount"}]}


def owner_condition(owner_ids: tuple[int, ...] | None, alias: str = "r") -> str:
    if owner_ids is None:
        return ""
    return f" AND {alias}.owner_id = ANY('{{{','.join(str(i) for i in owner_ids)}}}'::bigint[])"


def hand_sql(case: str, owner_ids: tuple[int, ...] | None) -> str:
    """The same question, written by hand on the typed slots (and `data` where a field has none)."""
    from metadata.cache import get_meta

    meta = get_meta()
    deal, account = meta.objects["deal"], meta.objects["account"]
    stage, amount = deal.fields_by_name["stage"].slot, deal.fields_by_name["amount"].slot
    close, link = deal.fields_by_name["close_date"].slot, deal.fields_by_name["account"].slot
    where = f"r.deleted_at IS NULL{owner_condition(owner_ids)}"
    if case == "summary":
        return (f"SELECT s.*, (SELECT u.full_name FROM security_user u WHERE u.id = s.owner_id) FROM ("
                f"SELECT r.{stage}, r.owner_id, GROUPING(r.{stage}, r.owner_id), count(*), sum(r.{amount}) "
                f"FROM {deal.table} r WHERE {where} GROUP BY ROLLUP (r.{stage}, r.owner_id)) s")
    if case == "matrix":
        year = f"date_trunc('year', r.{close})::date"
        return (f"SELECT r.{stage}, {year}, GROUPING(r.{stage}, {year}), count(*), sum(r.{amount}) "
                f"FROM {deal.table} r WHERE {where} GROUP BY ROLLUP (r.{stage}), ROLLUP ({year})")
    industry = account.fields_by_name["industry"]
    revenue = account.fields_by_name["annual_revenue"]
    industry_sql = f"a.{industry.slot}" if industry.slot else f"(a.data ->> '{industry.key}')"
    revenue_sql = f"a.{revenue.slot}" if revenue.slot else f"(a.data ->> '{revenue.key}')::numeric"
    guard = (lambda value: value) if owner_ids is None else (
        lambda value: f"CASE WHEN (a.id IS NULL OR a.owner_id = ANY('{{{','.join(map(str, owner_ids))}}}'::bigint[])) "
                      f"THEN {value} END")
    return (f"SELECT r.id, r.name, r.{amount}, {guard('a.name')}, {guard(industry_sql)}, {guard(revenue_sql)}, "
            f"count(*) OVER (), sum(r.{amount}) OVER () FROM {deal.table} r "
            f"LEFT JOIN {account.table} a ON a.id = r.{link} AND a.deleted_at IS NULL "
            f"WHERE {where} ORDER BY r.{amount} DESC NULLS LAST, r.id LIMIT 500")


def our_sql(spec: dict, actor) -> str:
    """The statement run_report executes for `actor` (the service's own compiler)."""
    from django.db import connection

    from metadata.cache import get_meta
    from reports_engine import services
    from tessera.security.access import access_for

    tenant = get_meta()
    compiled = services._compiler(tenant, tenant.objects[spec["object"]], spec, access_for(actor)).compile()
    assert not compiled.params, "these reports use no NOW()"
    connection.ensure_connection()
    return compiled.statement.as_string(connection.connection)


# --- measuring -------------------------------------------------------------------------------------


def viewers_of(world) -> list[tuple[str, object, tuple[int, ...] | None]]:
    """(label, user, the owners the hand-written SQL reads or None): a sales manager, the administrator."""
    from tessera.security.access import access_for

    manager = world.managers[0]
    owners = tuple(access_for(manager).owner_ids)
    return [(f"sales manager ({len(owners)} owners)", manager, owners), ("administrator (no predicate)", world.admin, None)]


def measure(world, args, url: str) -> Results:
    from django.db import connection

    from reports_engine import services

    results = Results()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {services.get_meta().objects['deal'].table}")
        results.notes.append(f"deals: {cursor.fetchone()[0]:,}")
    if "sql" in args.only:
        pg = raw_connection(url, world.schema)
        measure_sql(world, args, pg, results)
        pg.close()
    if "drill" in args.only:
        measure_drill(world, args, results)
    if "prepared" in args.only:
        measure_prepared(world, results)
    if "preview" in args.only:
        measure_preview(world, args, results)
    return results


def measure_sql(world, args, pg, results: Results) -> None:
    from reports_engine import services

    for case, spec in (("summary", SUMMARY), ("matrix", MATRIX), ("cross-object", CROSS)):
        for label, actor, owners in viewers_of(world):
            say(f"Measuring: {case}, {label} …")
            ours, hand = our_sql(spec, actor), hand_sql(case, owners)
            check_same_answer(pg, ours, hand, case)
            timings = time_pair(sql_runner(pg, ours), sql_runner(pg, hand), args.repeat, warmup=2)
            ratio = median(timings[0]) / median(timings[1])
            target = TARGETS[case]
            results.rows.append(Row(f"{case}, {label}: SQL", p50_p95(timings[0]), p50_p95(timings[1]),
                                    f"{ratio:.2f}x", f"<= {target}x", "met" if ratio <= target else "MISSED"))
            service = time_pair(lambda spec=spec, actor=actor: services.run_report(spec, actor),
                                sql_runner(pg, hand), max(3, args.repeat // 3), warmup=1)
            results.rows.append(Row(f"{case}, {label}: run_report (compile + SQL + result)",
                                    p50_p95(service[0]), p50_p95(service[1]),
                                    f"{median(service[0]) / median(service[1]):.2f}x"))
            results.plans.append((f"{case}, {label}: the report's statement", explain(pg, ours)))
            results.plans.append((f"{case}, {label}: hand-written SQL", explain(pg, hand)))


def measure_drill(world, args, results: Results) -> None:
    from reports_engine import services

    for label, actor, _owners in viewers_of(world):
        say(f"Measuring: a drill-down page, {label} …")
        summary = services.run_report(SUMMARY, actor)
        group = next(g for g in summary.groups if g.value == "proposal")
        cell = group.children[0].cell
        pages = []
        for _ in range(5):
            services.drill_down(SUMMARY, actor, cell=cell, limit=50)
        for _ in range(max(20, args.repeat * 2)):
            start = time.perf_counter()
            page = services.drill_down(SUMMARY, actor, cell=cell, limit=50)
            pages.append(time.perf_counter() - start)
        p50 = median(pages) * 1000
        results.rows.append(Row(f"drill-down page, {label}: 50 of {group.children[0].count:,} records "
                                "(service: ids + records)", p50_p95(pages), "-", "-", f"<= {DRILL_TARGET_MS:.0f} ms",
                                "met" if p50 <= DRILL_TARGET_MS else "MISSED"))
        assert len(page.records) == min(50, group.children[0].count)


def prepared_once(spec: dict, actor, timeout: float) -> tuple[str, float, float | None]:
    """(status run_or_prepare answered, its wall time, the background job's time when it was queued).
    A queued job is run inline here (no worker in the bench) and picked up through `prepared_result`,
    as the page polls for it."""
    from reports_engine import prepared
    from tessera.core.jobs import run_job

    start = time.perf_counter()
    answer = prepared.run_or_prepare(spec, actor, timeout_seconds=timeout)
    answered = time.perf_counter() - start
    if answer["status"] == "done":
        return "done", answered, None
    start = time.perf_counter()
    run_job(answer["job"])
    ran = time.perf_counter() - start
    picked = prepared.prepared_result(answer["job"], actor)
    assert picked["status"] == "done" and picked["result"]["shape"] == spec["shape"], picked.get("message")
    return "queued", answered, ran


def measure_prepared(world, results: Results) -> None:
    """Each report through the API's path: within PREPARE_AFTER_SECONDS it answers at once; a
    statement cancelled at that timeout becomes a background job."""
    from reports_engine import prepared

    limit = prepared.PREPARE_AFTER_SECONDS
    for case, spec in (("summary", SUMMARY), ("matrix", MATRIX), ("cross-object", CROSS)):
        for label, actor, _owners in viewers_of(world):
            say(f"Measuring: prepared path, {case}, {label} …")
            status, answered, ran = prepared_once(spec, actor, limit)
            shown = (f"answered in {ms(answered)}" if ran is None
                     else f"queued after {ms(answered)}; job {ms(ran)}, picked up")
            results.rows.append(Row(f"prepared path, {case}, {label}", shown, "-", "-", f"> {limit} s: queued",
                                    "met"))
    status, answered, ran = prepared_once(SUMMARY, world.admin, 0.001)  # forced: the queued path at any size
    results.rows.append(Row("prepared path, summary, administrator, timeout forced to 1 ms",
                            f"{status} after {ms(answered)}; job {ms(ran or 0)}, picked up", "-", "-",
                            "queued", "met" if status == "queued" else "MISSED"))


#: The builder's form for a summary of deals by stage, sum and count of amount (field names as
#: ui_builder/app/reports_builder.state_from reads them).
PREVIEW_FORM = {"object": "deal", "name": "Preview bench", "shape": "summary", "group": ["stage"], "group_period": [""],
                "agg_function": ["sum", "count"], "agg_of": ["amount", ""], "scope": "all"}
TABLE_FORM = {**PREVIEW_FORM, "shape": "tabular", "group": [], "group_period": [],
              "column": ["name", "amount", "account.name"], "agg_function": ["sum"], "agg_of": ["amount"]}


def preview_edits() -> list[tuple[str, str, dict]]:
    """(edit, endpoint: preview | builder (an htmx form change: form and preview re-rendered), form)."""
    return [
        ("change a value (sum → average)", "preview", {**PREVIEW_FORM, "agg_function": ["avg", "count"]}),
        ("add a group (owner)", "builder", {**PREVIEW_FORM, "op": "add:group", "add_group": "owner"}),
        ("add a date group (close date by month)", "preview",
         {**PREVIEW_FORM, "group": ["stage", "close_date"], "group_period": ["", "month"]}),
        ("add a column (account › industry), table", "builder",
         {**TABLE_FORM, "op": "add:column", "add_column": "account.industry"}),
        ("add a filter (close date in 2024)", "builder",
         {**PREVIEW_FORM, "op": "add_filter", "fb_field": "close_date", "fb_op": "range",
          "fb_low": "2024-01-01", "fb_high": "2024-12-31"}),
        ("change a filter (stage = proposal)", "preview", {**PREVIEW_FORM, "filter": ["stage=proposal"]}),
        ("switch to a matrix (stage × close year)", "preview",
         {**PREVIEW_FORM, "shape": "matrix", "colgroup": ["close_date"], "colgroup_period": ["year"]}),
    ]


@contextmanager
def whole_report_preview() -> Iterator[None]:
    """The preview as it was before it sampled and cut: the whole report, every group drawn (the
    same-run baseline of the preview's timings)."""
    from reports_engine.result import ReportResult
    from ui_builder.app import reports_builder

    saved_sample, saved_cut = reports_builder.PREVIEW_SAMPLE, ReportResult.cut
    reports_builder.PREVIEW_SAMPLE = None  # type: ignore[assignment]
    ReportResult.cut = lambda self, rows: self  # type: ignore[method-assign]
    try:
        yield
    finally:
        reports_builder.PREVIEW_SAMPLE, ReportResult.cut = saved_sample, saved_cut  # type: ignore[method-assign]


def measure_preview(world, args, results: Results) -> None:
    """Server time of each edit: the preview as it is (sampled, cut) and, interleaved, the whole
    report drawn whole (the baseline column)."""
    from django.conf import settings
    from django.test import Client

    urls = {"preview": "/app/reports/preview/deal/", "builder": "/app/reports/new/"}
    for label, actor, _owners in viewers_of(world):
        client = Client(HTTP_HOST=f"{world.tenant.slug}.{settings.TESSERA_BASE_DOMAIN}", HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(actor)
        for edit, endpoint, form in preview_edits():
            say(f"Measuring: builder preview, {edit}, {label} …")

            def call(endpoint=endpoint, form=form, client=client, edit=edit):
                response = client.post(urls[endpoint], form, HTTP_HX_REQUEST="true")
                body = response.content.decode()
                assert response.status_code == 200 and 'role="alert"' not in body, (edit, body[:600])
                return response

            def whole(call=call):
                with whole_report_preview():
                    return call()

            times, before = time_pair(call, whole, max(10, args.repeat), warmup=2)
            p95 = percentile(times, 95) * 1000
            results.rows.append(Row(f"builder preview ({endpoint}), {edit}, {label}", p50_p95(times),
                                    p50_p95(before), f"{median(times) / median(before):.2f}x",
                                    f"p95 <= {PREVIEW_BUDGET_MS:.0f} ms", "met" if p95 <= PREVIEW_BUDGET_MS else "MISSED"))
            cpu, cpu_before = cpu_per_call(call), cpu_per_call(whole)
            results.rows.append(Row("   *** CPU per edit (web process + PostgreSQL)", ms(cpu), ms(cpu_before),
                                    f"{cpu / cpu_before:.2f}x", f"<= {PREVIEW_BUDGET_MS:.0f} ms",
                                    "met" if cpu * 1000 <= PREVIEW_BUDGET_MS else "MISSED"))


def cpu_per_call(call, n: int = 5) -> float:
    """CPU seconds one call costs, this process's and its PostgreSQL backend's together (about its
    wall time on an idle machine; a loaded one adds the wait for a CPU)."""
    meter = CpuMeter()
    with meter:
        for _ in range(n):
            call()
    return (meter.web + meter.db) / n


def check_same_answer(pg, ours: str, hand: str, case: str) -> None:
    """Both statements answer the same question: for the grouped ones the same (count, sum) of every
    group, subtotal and total; for the tabular one the same rows in the same order."""
    with pg.cursor() as cursor:
        cursor.execute(ours)
        a = cursor.fetchall()
        cursor.execute(hand)
        b = cursor.fetchall()
    if case == "cross-object":
        same = [r[0] for r in a] == [r[0] for r in b] and a[:1] and a[0][-2] == b[0][-2]
    else:  # two groups in both: GROUPING at 2, count at 3, sum at 4
        same = sorted((r[3], r[4] or 0) for r in a) == sorted((r[3], r[4] or 0) for r in b)
    if not same:
        raise SystemExit(f"{case}: the report and the hand-written SQL disagree")


def render(results: Results, args, url: str) -> str:
    import psycopg2
    from django.conf import settings

    width = max(len(r.measurement) for r in results.rows)
    cols = ("measurement".ljust(width), "report p50 / p95".rjust(22), "baseline p50 / p95".rjust(22),
            "ratio".rjust(7), "target".rjust(9), "verdict".rjust(7))
    lines = ["", "Reports against hand-written SQL asking the same question (same predicate, same run)", "",
             "  ".join(cols), "-" * (sum(len(c) for c in cols) + 10)]
    for r in results.rows:
        lines.append("  ".join((r.measurement.ljust(width), r.ours.rjust(22), r.hand.rjust(22), r.ratio.rjust(7),
                                r.target.rjust(9), r.verdict.rjust(7))))
    pg = psycopg2.connect(url)
    with pg.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    pg.close()
    lines += ["", f"{'; '.join(results.notes)}; repeat {args.repeat}; PostgreSQL {server} on {server_label(url)}; "
                  f"CPUs {cpu_facts()}; database {settings.DATABASES['default']['NAME']}"]
    for title, plan in results.plans:
        lines += ["", f"EXPLAIN (ANALYZE, BUFFERS): {title}", plan]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    os.environ.setdefault("TESSERA_LOG_LEVEL", "WARNING")
    started = time.perf_counter()
    with bench_database(args.database, args.keep, args.reuse) as url:
        import django

        django.setup()
        world = create_world(args, url)
        if not args.reuse:
            load(world, args)
            add_formula_columns(world)  # also owns the accounts round-robin by the 50 users
        results = measure(world, args, url)
        output = render(results, args, url)
    print(output)
    say(f"Benchmark finished in {secs(time.perf_counter() - started)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
