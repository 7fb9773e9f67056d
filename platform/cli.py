"""The `tessera` command.

    tessera run [--host H] [--port P]      web server, Celery worker and beat, demo tenant
    tessera test [pytest args…]            the whole test suite
    tessera migrate                        public, base and tenant schemas up to date
    tessera tenant create SLUG --name N [--admin-email E] [--admin-password P] [--plan CODE]
    tessera tenant list
    tessera tenant delete SLUG [--yes]
    tessera manage ARGS…                   any Django management command

Servers not given by DATABASE_URL / TESSERA_BROKER_URL are started embedded (see tessera.embedded).
Errors are one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tessera.errors import TesseraError

import django
from django.core.management import execute_from_command_line
from django.db import OperationalError
from django.utils import translation

from tessera import runner
from tessera.embedded import EmbeddedServices
from tessera.errors import TesseraError, ValidationFailed

EXIT_ERROR = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tessera", description="Tessera, the CRM a business configures itself.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run Tessera (web, worker, beat) with a demo tenant")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--no-demo", action="store_true", help="do not create the demo tenant")

    test = sub.add_parser("test", help="run the test suite", add_help=False)
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)

    sub.add_parser("migrate", help="migrate the public, base and tenant schemas")

    tenant = sub.add_parser("tenant", help="create, list and delete tenants")
    tenant_sub = tenant.add_subparsers(dest="tenant_command", required=True, metavar="ACTION")
    create = tenant_sub.add_parser("create", help="create a tenant")
    create.add_argument("slug")
    create.add_argument("--name", required=True)
    create.add_argument("--admin-email")
    create.add_argument("--admin-password", help="generated and printed when omitted")
    create.add_argument("--plan")
    tenant_sub.add_parser("list", help="list tenants")
    delete = tenant_sub.add_parser("delete", help="delete a tenant and all its data")
    delete.add_argument("slug")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    manage = sub.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("manage_args", nargs=argparse.REMAINDER)
    return parser


PASSTHROUGH = {"test": "pytest_args", "manage": "manage_args"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASSTHROUGH:
        # Everything after `test` / `manage` belongs to pytest / Django, options included.
        args = argparse.Namespace(command=argv[0], **{PASSTHROUGH[argv[0]]: argv[1:]})
    else:
        args = build_parser().parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    try:
        if args.command == "run":
            return runner.run(host=args.host, port=args.port, with_demo=not args.no_demo)
        if args.command == "test":
            return runner.run_tests(args.pytest_args)
        return _with_database(args)
    except KeyboardInterrupt:
        return 130
    except CommandFailed as exc:
        print(f"tessera: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


class CommandFailed(Exception):
    """A failure to report as one line."""


def cli_language() -> str:
    """Messages in the language of the terminal: zh-hans for a Chinese locale, else English."""
    for name in ("TESSERA_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").lower()
        if value:
            return "zh-hans" if value.startswith("zh") else "en"
    return "en"


def _with_database(args: argparse.Namespace) -> int:
    with EmbeddedServices(database=True, broker=False, quiet=True):
        django.setup()
        translation.activate(cli_language())
        try:
            return _dispatch(args)
        except OperationalError as exc:
            raise CommandFailed(f"cannot reach the database: {str(exc).strip().splitlines()[0]}") from None
        except TesseraError as exc:
            raise CommandFailed(_one_line(exc)) from None


def _one_line(exc: TesseraError) -> str:
    if isinstance(exc, ValidationFailed):
        parts = [f"{name}: {d.message}" for name, details in exc.field_errors.items() for d in details]
        parts += [str(d.message) for d in exc.non_field_errors]
        return "; ".join(parts)
    return str(exc.message)


def _dispatch(args: argparse.Namespace) -> int:
    # Modules with models are imported once django.setup() has loaded the apps (it needs the
    # database URL, which the embedded server may have only just given).
    from tenants import bootstrap, provisioning  # noqa: PLC0415 - after django.setup()

    if args.command == "migrate":
        bootstrap.migrate_platform()
        return 0
    if args.command == "manage":
        execute_from_command_line(["tessera manage", *args.manage_args])
        return 0

    if args.tenant_command == "create":
        created = provisioning.create_tenant(
            args.slug,
            args.name,
            admin_email=args.admin_email,
            admin_password=args.admin_password,
            plan_code=args.plan,
            progress=lambda message: print(f"  … {message}", file=sys.stderr),
        )
        print(f"Created tenant {created.tenant.slug}: {provisioning.tenant_url(created.tenant, 8000)}")
        if created.admin_email:
            print(f"Administrator: {created.admin_email}")
        if created.admin_password:
            print(f"Password (shown once): {created.admin_password}")
        return 0
    if args.tenant_command == "list":
        rows = [(t.slug, t.name, t.plan.code if t.plan else "-", "active" if t.is_active else "inactive")
                for t in provisioning.list_tenants()]
        if not rows:
            print("No tenants yet. Create one with: tessera tenant create SLUG --name NAME")
        for slug, name, plan, state in rows:
            print(f"{slug:<24} {plan:<10} {state:<8} {name}")
        return 0
    if args.tenant_command == "delete":
        tenant = provisioning.get_tenant(args.slug)  # NotFound before asking anything
        if not args.yes:
            if not sys.stdin.isatty():
                raise CommandFailed("refusing to delete without confirmation: add --yes")
            answer = input(f"Delete tenant '{tenant.slug}' ({tenant.name}) and ALL its data? Type the slug to confirm: ")
            if answer.strip() != tenant.slug:
                print("Not deleted.")
                return EXIT_ERROR
        provisioning.delete_tenant(args.slug)
        print(f"Deleted tenant {args.slug}.")
        return 0
    raise CommandFailed(f"unknown command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
