"""Benchmark: the setup designers' server time, on a wide object and a large configuration.

What it measures, and why
-------------------------
Issue 11 sets the budgets: designer pages and saves p95 <= 150 ms on an object with 300 fields and
20 layouts; the setup home (search over everything configurable) with 100 objects × 100 fields
<= 100 ms; a formula check while typing <= 30 ms. An administrator's SMB tenant rarely has more,
and a designer that slows down as the tenant grows is the NocoBase complaint we avoid.

The world, in a throw-away database: a tenant with an object `wide` of 300 custom fields (text,
number, date, a 20-value picklist each tenth field, lookups to the account) and 20 edit layouts of
30 fields each (the designer pages and saves are measured there), and a second tenant of 100
objects × 100 text fields (written as metadata rows in bulk: building 10,000 fields through
add_field would only measure add_field) for the setup home. Every request goes through the Django test
client as the tenant's administrator; the save toggles a field's help text through update_field.

    .venv/bin/python bench/setup.py                # about two minutes
    .venv/bin/python bench/setup.py --repeat 60
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import security as world_of
from _common import code_version, cpu_facts, median, percentile, print_profile, say, secs, server_label

BUDGETS_MS = {"fields list (300 fields)": 150, "field designer (picklist)": 150, "designer preview (htmx)": 150,
              "field save (update_field)": 150, "object designer": 150, "setup home, search": 100,
              "setup home, recent changes": 100, "formula check (through a lookup)": 30}
TENANT_SLUG = "benchsetup"
BIG_SLUG = "benchhome"
BIG_ADMIN = "admin@home.bench.example.com"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/setup.py", description="Server time of the setup designers.")
    parser.add_argument("--repeat", type=int, default=40, metavar="R", help="requests per page (default 40)")
    parser.add_argument("--database", default="tessera_bench_setup", metavar="NAME",
                        help="the benchmark's own database, dropped and re-created (default tessera_bench_setup)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--profile", metavar="CASE", help="print a cProfile of one case (its name's first word)")
    return parser.parse_args(argv)


def build(args):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from metadata.models import FieldDef, ObjectDef
    from metadata.services import add_field, create_layout, create_object
    from metadata.versioning import lock_metadata, record_change
    from tenants.bootstrap import migrate_platform
    from tenants.provisioning import create_tenant
    from tessera.security.access import SYSTEM

    say("Migrating the benchmark database …")
    migrate_platform(verbosity=0)
    tenant = create_tenant(TENANT_SLUG, "Bench setup", admin_email=world_of.ADMIN_EMAIL,
                           admin_password=world_of.ADMIN_PASSWORD).tenant
    connection.set_tenant(tenant)
    say("The object `wide`: 300 fields through add_field, 20 layouts …")
    create_object({"api_name": "wide", "labels": {"zh-hans": {"singular": "宽对象"}, "en": {"singular": "Wide"}}}, SYSTEM)
    values = [{"key": f"v{i}", "labels": {"zh-hans": f"值{i}", "en": f"Value {i}"}} for i in range(20)]
    kinds = ("text", "number", "date", "text", "number", "text", "date", "text", "number")
    for i in range(300):
        spec = {"api_name": f"f{i:03d}", "labels": {"zh-hans": f"字段{i:03d}", "en": f"Field {i:03d}"},
                "type": kinds[i % len(kinds)]}
        if i % 10 == 9:
            spec.update(type="picklist", options={"values": values})
        if i % 50 == 49:
            spec.update(type="lookup", options={"target": "account"})
        add_field("wide", spec, SYSTEM, add_to_layouts=False)
    for n in range(20):
        items = [{"field": "name"}] + [{"field": f"f{(n * 13 + k) % 300:03d}"} for k in range(30)]
        create_layout("wide", {"api_name": f"layout_{n}", "kind": "edit", "labels": {"en": f"Layout {n}"},
                               "sections": [{"labels": {"en": "Main"}, "columns": 2, "items": items}]}, SYSTEM)
    admin = get_user_model().objects.get(email=world_of.ADMIN_EMAIL)
    connection.set_schema_to_public()
    big = create_tenant(BIG_SLUG, "Bench setup home", admin_email=BIG_ADMIN, admin_password=world_of.ADMIN_PASSWORD).tenant
    connection.set_tenant(big)
    say("A second tenant: 100 objects of 100 text fields (metadata rows in bulk) …")
    for n in range(100):
        create_object({"api_name": f"obj_{n:02d}", "labels": {"zh-hans": {"singular": f"对象{n:02d}"},
                                                               "en": {"singular": f"Object {n:02d}"}}}, SYSTEM)
    with transaction.atomic():
        lock_metadata()
        rows = []
        for obj in ObjectDef.objects.filter(api_name__startswith="obj_"):
            for i in range(100):
                rows.append(FieldDef(object=obj, api_name=f"c{i:03d}", type="text", key=f"b{obj.id}_{i}",
                                     position=10 + i, spec={"labels": {"zh-hans": f"客户等级{obj.id}_{i}",
                                                                       "en": f"Column {obj.id}_{i}"}}))
        FieldDef.objects.bulk_create(rows)
        record_change(entity="bench", action="bulk", user=SYSTEM)
    big_admin = get_user_model().objects.get(email=BIG_ADMIN)
    connection.set_tenant(tenant)
    return admin, tenant, big_admin, big


def timed(call, repeat: int) -> list[float]:
    for _ in range(3):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - started)
        assert response.status_code in (200, 302), (response.status_code, response.content[:400])
    return times


def measure(admin, tenant, big_admin, big, args) -> list[str]:
    from django.test import Client

    client = Client(HTTP_HOST=f"{tenant.slug}.localhost", HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin)
    home = Client(HTTP_HOST=f"{big.slug}.localhost", HTTP_ACCEPT_LANGUAGE="zh-hans")
    home.force_login(big_admin)
    designer = client.get("/setup/objects/wide/fields/f009/")
    assert designer.status_code == 200
    form = {"type": "picklist", "labels.zh-hans": "字段009", "labels.en": "Field 009",
            "values.uid": [f"u{i}" for i in range(20)], "values.key": [f"v{i}" for i in range(20)],
            "values.label.zh-hans": [f"值{i}" for i in range(20)], "values.label.en": [f"Value {i}" for i in range(20)],
            "values.color": [""] * 20, "values.active": [f"u{i}" for i in range(20)]}
    saves = iter(range(10**6))

    def save():
        return client.post("/setup/objects/wide/fields/f000/",
                           {"type": "text", "labels.zh-hans": "字段000", "labels.en": "Field 000",
                            "help_text.en": f"help {next(saves)}"})

    cases = [
        ("fields list (300 fields)", lambda: client.get("/setup/objects/wide/fields/")),
        ("field designer (picklist)", lambda: client.get("/setup/objects/wide/fields/f009/")),
        ("designer preview (htmx)", lambda: client.post("/setup/objects/wide/fields/f009/?preview=1", form,
                                                         HTTP_HX_REQUEST="true")),
        ("field save (update_field)", save),
        ("object designer", lambda: client.get("/setup/objects/wide/")),
        ("setup home, search", lambda: home.get("/setup/?q=客户等级", HTTP_HX_REQUEST="true")),
        ("setup home, recent changes", lambda: home.get("/setup/")),
        ("formula check (through a lookup)", lambda: client.post(
            "/setup/formulas/check/", {"object": "wide", "formula": 'IF(f049.name = "x", f001 * 2, f004 + 1)',
                                       "result_type": "number"})),
    ]
    lines = ["\nserver time p50 / p95 (ms)                 p50      p95   budget"]
    for name, call in cases:
        if args.profile and name.startswith(args.profile):
            print_profile(call, name)
        values = timed(call, args.repeat)
        verdict = "met" if percentile(values, 95) * 1000 <= BUDGETS_MS[name] else "MISSED"
        lines.append(f"  {name:<36} {median(values) * 1000:7.1f}  {percentile(values, 95) * 1000:7.1f}   "
                     f"p95 <= {BUDGETS_MS[name]} ms {verdict}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    os.environ.setdefault("TESSERA_LOG_LEVEL", "WARNING")
    started = time.perf_counter()
    with world_of.bench_database(args.database, args.keep, False) as url:
        import django

        django.setup()
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        admin, tenant, big_admin, big = build(args)
        lines = measure(admin, tenant, big_admin, big, args)
        header = [f"bench/setup.py: 1 object × 300 fields and 20 layouts, 100 objects × 100 fields, "
                  f"{code_version()}, {server_label(url)}", cpu_facts()]
    print("\n".join(header + lines))
    say(f"Benchmark finished in {secs(time.perf_counter() - started)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
