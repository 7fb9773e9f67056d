"""Benchmark: server time of the /setup/ designers built for people and rights, layouts,
categories, list views, custom links and the history — each page and each save — on an object with
300 fields and 20 layouts.

What it measures, and why
-------------------------
Issue 11 sets the budget: designer pages and saves p95 <= 150 ms on an object with 300 fields and
20 layouts. A save is a metadata change: it takes the tenant's metadata lock, validates against the
snapshot, writes, records the change and bumps the version; the next page then compiles a new
snapshot of the whole tenant (300 + the standard objects' fields, 20 + their layouts). Both are
measured as they happen: the saves alternate between two states (so each changes something), and
the page read right after a save pays the recompile (reported on its own line, "after a save").

The world: a throw-away database with one tenant, the object `wide` (300 text fields, 10 edit and 10
view layouts of 6 sections holding every field, 5 categories, 5 shared list views), 50 users in 10
departments and 10 roles, 2,000 records owned by the user being deactivated.

    .venv/bin/python bench/setup_people.py            # --repeat 40 by default
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import security as world_of
from _common import code_version, cpu_facts, median, percentile, print_profile, say, secs, server_label

BUDGET_MS = 150
FIELDS = 300
LAYOUTS = 20
SLUG = "benchsetup"
ADMIN = "admin@benchsetup.example.com"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/setup_people.py", description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=40, metavar="R", help="requests per page (default 40)")
    parser.add_argument("--database", default="tessera_bench_setup_people", metavar="NAME",
                        help="the benchmark's own database, dropped and re-created")
    parser.add_argument("--only", metavar="CASE", action="append",
                        help="measure only the cases whose name starts with CASE (repeatable)")
    parser.add_argument("--profile", metavar="CASE", action="append",
                        help="print a cProfile of the cases whose name starts with CASE (repeatable)")
    return parser.parse_args(argv)


def build() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from metadata.services import add_field, create_category, create_layout, create_list_view, create_object
    from tenants.bootstrap import migrate_platform
    from tenants.provisioning import create_tenant
    from tessera.records import service
    from tessera.security.access import SYSTEM
    from tessera.security.models import Department, Profile, Role

    say("Migrating …")
    migrate_platform(verbosity=0)
    tenant = create_tenant(SLUG, "Bench setup", admin_email=ADMIN, admin_password=world_of.ADMIN_PASSWORD).tenant
    connection.set_tenant(tenant)
    say(f"Creating `wide` with {FIELDS} fields …")
    create_object({"api_name": "wide", "labels": {"en": {"singular": "Wide", "plural": "Wides"}}}, SYSTEM)
    names = [f"field_{i:03d}" for i in range(FIELDS)]
    for i, name in enumerate(names):
        add_field("wide", {"api_name": name, "type": "text", "labels": {"en": f"Field {i}", "zh-hans": f"字段{i}"}},
                  SYSTEM, add_to_layouts=False)
    sections = [{"labels": {"en": f"Section {s}"}, "columns": 2,
                 "items": [{"field": n} for n in (["name", "owner"] if s == 0 else []) + names[s * 50:(s + 1) * 50]]}
                for s in range(6)]
    for n in range(LAYOUTS - 2):  # + default_edit and default_view
        create_layout("wide", {"api_name": f"layout_{n}", "kind": "edit" if n % 2 else "view",
                               "labels": {"en": f"Layout {n}"}, "sections": sections}, SYSTEM)
    for n in range(5):
        create_category("wide", {"api_name": f"category_{n}", "labels": {"en": f"Category {n}"},
                                 "edit_layout": "layout_1", "view_layout": "layout_0",
                                 "required_fields": names[:3]}, SYSTEM)
        create_list_view("wide", {"api_name": f"view_{n}", "labels": {"en": f"View {n}"}, "shared": True,
                                  "columns": ["name", *names[:8]], "sort": ["name"]}, SYSTEM)
    say("People: 10 departments, 10 roles, 50 users; 2,000 records of one of them …")
    departments = [Department.objects.create(name=f"Department {n}") for n in range(10)]
    roles = [Role.objects.create(name=f"Role {n}") for n in range(10)]
    sales = Profile.objects.get(api_name="salesperson")
    users = [get_user_model().objects.create_user(f"user{n}@benchsetup.example.com", None, full_name=f"User {n}",
                                                  profile=sales, department=departments[n % 10], role=roles[n % 10])
             for n in range(50)]
    for batch in range(2):
        service.create_records("wide", [{"name": f"W{batch}-{n}", "owner": users[0].pk} for n in range(1000)], SYSTEM)
    return {"tenant": tenant, "admin": get_user_model().objects.get(email=ADMIN), "leaver": users[0],
            "names": names, "sections": sections}


def designer_form(sections: list[dict], *, op: str, flip: bool) -> dict:
    """The layout designer's form as the browser posts it (flip: the last two sections swapped)."""
    order = list(range(len(sections)))
    if flip:
        order[-2], order[-1] = order[-1], order[-2]
    form: dict = {"label_en": "Layout 1", "op": op, "section": [str(k) for k in range(len(order))]}
    for k, s in enumerate(order):
        form[f"s{k}_columns"] = "2"
        form[f"s{k}_label_en"] = sections[s]["labels"]["en"]
        form[f"s{k}_item"] = [i["field"] for i in sections[s]["items"]]
    return form


def timed(call, repeat: int) -> list[float]:
    for _ in range(2):
        call(0)
    times = []
    for n in range(repeat):
        started = time.perf_counter()
        response = call(n + 1)
        times.append(time.perf_counter() - started)
        assert response.status_code in (200, 302), (response.status_code, response.content[:400])
    return times


def timed_after(change, call, repeat: int) -> list[float]:
    """`call`'s time when it comes right after `change` (not timed): a page that recompiles."""
    times = []
    for n in range(repeat):
        change(n + 1000)
        started = time.perf_counter()
        response = call(n)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return times


def measure(world: dict, args: argparse.Namespace) -> list[str]:
    from django.test import Client

    from metadata.models import MetadataChange
    from metadata.services import update_field

    client = Client(HTTP_HOST=f"{SLUG}.localhost", HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world["admin"])
    get = client.get
    designer = "/setup/objects/wide/layouts/layout_1/"
    leaver = world["leaver"].pk
    reads = [
        ("layouts of the object", lambda n: get("/setup/objects/wide/layouts/")),
        ("layout designer (300 fields)", lambda n: get(designer)),
        ("layout designer, preview as a profile", lambda n: get(designer + "?preview_profile=salesperson")),
        ("categories", lambda n: get("/setup/objects/wide/categories/")),
        ("category editor", lambda n: get("/setup/objects/wide/categories/category_1/")),
        ("list views", lambda n: get("/setup/objects/wide/list-views/")),
        ("list view editor", lambda n: get("/setup/objects/wide/list-views/view_1/")),
        ("custom links", lambda n: get("/setup/objects/wide/links/")),
        ("users (50)", lambda n: get("/setup/users/")),
        ("deactivation wizard (2,000 records)", lambda n: get(f"/setup/users/{leaver}/deactivate/")),
        ("departments", lambda n: get("/setup/departments/")),
        ("profile matrix (300 field levels)", lambda n: get("/setup/profiles/profile/salesperson/?object=wide")),
        ("sharing", lambda n: get("/setup/sharing/?object=wide")),
        ("audit log", lambda n: get("/setup/audit-log/")),
        ("history", lambda n: get("/setup/history/")),
        ("history of the object", lambda n: get("/setup/history/?object=wide")),
    ]
    # The same run's anchor: the metadata API's description of the object (its 300 fields), a
    # plain read of the same snapshot; the ratio holds where absolute times drift with the load.
    repeat = args.repeat
    anchor = median(timed(lambda n: get("/api/v1/meta/objects/wide/"), repeat))
    lines = [f"\nserver time p50 / p95 (ms), budget p95 <= {BUDGET_MS} ms; ratio: p50 / the metadata API's "
             f"GET of the object ({anchor * 1000:.1f} ms p50, same run)"]

    def wanted(name: str, call) -> bool:
        if call is not None and any(name.startswith(case) for case in args.profile or ()):
            print_profile(lambda: call(0), name)
        return not args.only or any(name.startswith(case) for case in args.only)

    def line(name: str, values: list[float]) -> None:
        verdict = "met" if percentile(values, 95) * 1000 <= BUDGET_MS else "MISSED"
        lines.append(f"  {name:<46} {median(values) * 1000:7.1f} / {percentile(values, 95) * 1000:7.1f}  "
                     f"{median(values) / anchor:5.1f}x  {verdict}")

    keyboard = designer_form(world["sections"], op="down:field_010", flip=False)
    reads.append(("designer: a keyboard move (redrawn, unsaved)", lambda n: client.post(designer, keyboard)))
    for name, call in reads:
        if wanted(name, call):
            line(name, timed(call, repeat))

    saves = [
        ("save a layout (300 fields)", lambda n: client.post(designer, designer_form(world["sections"], op="save",
                                                                                     flip=bool(n % 2)))),
        ("save a category", lambda n: client.post("/setup/objects/wide/categories/category_1/", {
            "label_en": f"Category 1{'b' if n % 2 else ''}", "active": "on", "edit_layout": "layout_1",
            "required": world["names"][:3]})),
        ("save a list view", lambda n: client.post("/setup/objects/wide/list-views/view_1/", {
            "label_en": f"View 1{'b' if n % 2 else ''}", "columns": ["name", *world["names"][:8]],
            "sort_field": "name", "op": "save"})),
        ("save a profile matrix", lambda n: client.post("/setup/profiles/profile/salesperson/?object=wide", {
            "object": "wide", "wide__read": "on", "wide__edit": "on" if n % 2 else "",
            **{f"level_{f}": "read_only" for f in world["names"][:20]}})),
    ]
    for name, call in saves:
        if wanted(name, call):
            line(name, timed(call, repeat))
            line("  the designer page right after it", timed_after(call, lambda n: get(designer), max(5, repeat // 4)))

    if not wanted("revert a change (history)", None):
        return lines
    for n in range(repeat + 2):
        update_field("wide", "field_000", {"labels": {"en": f"Field 0 ({n})"}}, world["admin"])
    changes = list(MetadataChange.objects.filter(entity="field", action="update").order_by("-id")
                   .values_list("id", flat=True)[: repeat + 2])
    line("revert a change (history)", timed(lambda n: client.post(f"/setup/history/{changes[n]}/revert/"), repeat))
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    os.environ.setdefault("TESSERA_LOG_LEVEL", "WARNING")
    started = time.perf_counter()
    with world_of.bench_database(args.database, False, False) as url:
        import django

        django.setup()
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        world = build()
        lines = measure(world, args)
        header = [f"bench/setup_people.py: {FIELDS} fields, {LAYOUTS} layouts, {code_version()}, {server_label(url)}",
                  cpu_facts()]
    print("\n".join(header + lines))
    say(f"Benchmark finished in {secs(time.perf_counter() - started)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
