"""Benchmark: the CRM pages' server time, page weight and browser load, at N records.

What it measures, and why
-------------------------
/work/shared/UI.md sets budgets for the pages a salesperson uses all day, at 1,000,000 records of
the object, as a salesperson who may see 2-5% of them (record-level rules) and as a manager of 10+
salespeople: the list page filtered on a picklist and sorted on an indexed date (50 rows), a record
page, a form, an htmx partial (a cell's inline editor), global search; shipped JS + CSS and the list
HTML, compressed; navigation to the load event in Chromium. Server times are printed beside the
same-run records API call for the same query (the ratio holds on a noisy machine where absolute
times drift). Run it at 10,000 and at 1,000,000 records: the two tables side by side show whether a
page's cost grows with the object's size.

The world is bench/security.py's: the `deal` object of the records benchmark (30 custom fields,
private), a 50-user organisation (CEO, 4 managers, 45 salespeople), N deals owned evenly.

    .venv/bin/python bench/ui.py --records 10000
    .venv/bin/python bench/ui.py --records 1000000 --keep     # then --reuse to measure again
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import sys
import time
from urllib.parse import quote

import _records_data as data
import security as world_of
from _common import code_version, cpu_facts, median, percentile, say, secs, server_label

BUDGETS_MS = {"list page (50 rows)": 80, "record page": 80, "form (new)": 60, "htmx partial (cell editor)": 30,
              "global search": 100}
#: Global search, each way it finds a deal (names are "<Chinese or English words> <suffix> #<n>").
SEARCHES = [("name prefix", "cloud"), ("Chinese prefix", "华东"), ("pinyin initials", "hd"),
            ("full pinyin", "huadong"), ("name, 1 letter", "s")]


def budget(name: str) -> int:
    return BUDGETS_MS[name.split(":")[0]]
BROWSER_BUDGET_MS = 400
JS_CSS_BUDGET_KB = 150
HTML_BUDGET_KB = 60


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/ui.py", description="Server time, weight and browser load of "
                                     "the CRM pages at N records, in a throw-away database.")
    parser.add_argument("--records", type=int, default=1_000_000, metavar="N", help="deals (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=60, metavar="R", help="requests per page (default 60)")
    parser.add_argument("--database", default="tessera_bench_ui", metavar="NAME",
                        help="the benchmark's own database, dropped and re-created (default tessera_bench_ui)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--reuse", action="store_true", help="measure again in a database kept by --keep")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium load times")
    args = parser.parse_args(argv)
    if args.records < 5_000:
        parser.error("--records must be at least 5,000")
    return args


def timed(client, url: str, repeat: int, **headers) -> list[float]:
    for _ in range(3):
        client.get(url, **headers)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, **headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return times


def ms(values: list[float]) -> str:
    return f"{median(values) * 1000:7.2f} / {percentile(values, 95) * 1000:7.2f}"


def weight(client, html: bytes, host: str) -> tuple[int, int]:
    """(JS + CSS bytes gzipped that the page loads, the HTML gzipped)."""
    total = 0
    for path in re.findall(rb'(?:src|href)="(/static/[^"]+\.(?:js|css))"', html):
        body = b"".join(client.get(path.decode(), HTTP_HOST=host).streaming_content)
        total += len(gzip.compress(body))
    return total, len(gzip.compress(html))


def browser_loads(base: str, login: tuple[str, str], paths: list[str], repeat: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"]
    found: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("TESSERA_CHROMIUM", "/usr/bin/chromium"),
                                             headless=True, args=flags)
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(base + "/login/")
        page.fill("input[name=username]", login[0])
        page.fill("input[name=password]", login[1])
        page.click("button[type=submit]")
        page.wait_for_url(base + "/app/")
        for path in paths:
            found[path] = []
            for i in range(repeat + 2):
                page.goto(base + path, wait_until="load")
                if i >= 2:
                    found[path].append(page.evaluate(
                        "performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
        browser.close()
    return found


def measure(world, args) -> list[str]:
    from django.test import Client
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    from tessera.records import search as record_search
    from tessera.records import service

    host = f"{world.tenant.slug}.localhost"
    stage = data.LIST_STAGE
    lines = []
    deal = service.list_records("deal", world.reps[0], filters=[("stage", stage)], limit=1).records[0]
    with_phone = service.list_records("deal", world.reps[0], filters=[("contact_phone__isnull", "false")],
                                      limit=1).records[0]
    phone = "".join(c for c in with_phone.values["contact_phone"] if c.isdigit())  # typed without separators
    for what, text in SEARCHES:
        hits = sum(len(g.records) for g in record_search.search_records(world.reps[0], text))
        lines.append(f"global search {what} {text!r}: {hits} hits for the salesperson")
    from tessera.security.access import access_for

    manager = world.managers[0]
    for label, actor in (("salesperson", world.reps[0]),
                         (f"manager ({len(access_for(manager).owner_ids)} owners)", manager)):
        client = Client(HTTP_HOST=host)
        client.force_login(actor)
        api = timed(client, f"/api/v1/records/deal/?stage={stage}&sort=-close_date&limit=50", args.repeat)
        pages: list[tuple[str, str, dict]] = [
            ("list page (50 rows)", f"/app/deal/?f.stage={stage}&sort=-close_date", {}),
            ("record page", f"/app/deal/{deal.id}/", {}),
            ("form (new)", "/app/deal/new/", {}),
            ("htmx partial (cell editor)", f"/app/deal/{deal.id}/cell/amount/", {"HTTP_HX_REQUEST": "true"}),
            *[(f"global search: {what}", f"/app/search/?q={quote(text)}", {"HTTP_HX_REQUEST": "true"})
              for what, text in SEARCHES],
            ("global search: phone", f"/app/search/?q={quote(phone)}", {"HTTP_HX_REQUEST": "true"}),
        ]
        if label == "salesperson":
            visible = service.list_records("deal", actor, filters=[("stage", stage)], limit=1, count=True).total
            lines.append(f"salesperson sees {visible:,} of the deals in stage {stage}")
        lines.append(f"\n{label}: server time p50 / p95 (ms)          page              API list     ratio  budget")
        for name, url, headers in pages:
            page_times = timed(client, url, args.repeat, **headers)
            ratio = median(page_times) / median(api)
            verdict = "met" if percentile(page_times, 95) * 1000 <= budget(name) else "MISSED"
            lines.append(f"  {name:<34} {ms(page_times)}   {ms(api)}  {ratio:5.2f}x  p95 <= "
                         f"{budget(name)} ms {verdict}")
        if label == "salesperson":
            html = client.get(pages[0][1]).content
            js_css, html_size = weight(client, html, host)
            lines.append(f"  list page weight: JS+CSS {js_css / 1024:.1f} KB gzipped (budget {JS_CSS_BUDGET_KB} KB), "
                         f"HTML {html_size / 1024:.1f} KB gzipped for 50 rows (budget {HTML_BUDGET_KB} KB)")
    if not args.no_browser:
        say("Chromium load times …")
        thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override=None, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        try:
            rep = world.reps[0]
            rep.set_password(world_of.ADMIN_PASSWORD)
            rep.save()
            loads = browser_loads(f"http://{host}:{thread.port}", (rep.email, world_of.ADMIN_PASSWORD),
                                  [f"/app/deal/?f.stage={stage}&sort=-close_date", f"/app/deal/{deal.id}/",
                                   "/app/deal/new/"], max(5, args.repeat // 4))
        finally:
            thread.terminate()
        lines.append("\nChromium on loopback, navigation to load event p50 / p95 (ms), salesperson")
        for path, values in loads.items():
            verdict = "met" if percentile(values, 95) * 1000 <= BROWSER_BUDGET_MS else "MISSED"
            lines.append(f"  {path:<48} {ms(values)}   p95 <= {BROWSER_BUDGET_MS} ms {verdict}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    os.environ.setdefault("TESSERA_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    started = time.perf_counter()
    with world_of.bench_database(args.database, args.keep, args.reuse) as url:
        import django

        django.setup()
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        world = world_of.create_world(args, url)
        if not args.reuse:
            world_of.load(world, args)
        lines = measure(world, args)
        header = [f"bench/ui.py at {args.records:,} deals, {code_version()}, {server_label(url)}", cpu_facts()]
    print("\n".join(header + lines))
    say(f"Benchmark finished in {secs(time.perf_counter() - started)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
