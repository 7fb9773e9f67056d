"""Provisioning through the service, the `tessera` command and the sign-up API."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_exists, tenant_context

from tenants import provisioning
from tenants.models import Domain, Tenant
from tessera import cli
from tessera.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def _counts():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't\\_%%'")
        schemas = cursor.fetchone()[0]
    return Tenant.objects.count(), Domain.objects.count(), schemas


def test_create_tenant_clones_the_base_schema_and_makes_an_admin():
    created = provisioning.create_tenant("acme", "Acme 有限公司", admin_email="Boss@Acme.test")
    tenant = created.tenant
    assert tenant.schema_name == "t_acme" and schema_exists("t_acme")
    assert Domain.objects.get(tenant=tenant).domain == "acme.localhost"
    assert created.admin_password  # generated, shown once
    with tenant_context(tenant):
        admin = get_user_model().objects.get()
        assert admin.email == "boss@acme.test" and admin.is_admin
        assert admin.check_password(created.admin_password)
        with connection.cursor() as cursor:  # the clone carried the migration history along
            cursor.execute("SELECT count(*) FROM django_migrations")
            assert cursor.fetchone()[0] > 0
    page = Client(HTTP_HOST="acme.localhost").post(
        "/login/", {"username": "boss@acme.test", "password": created.admin_password}
    )
    assert page.status_code == 302


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("Bad Slug", "invalid_slug"),
        ("-dash", "invalid_slug"),
        ("a" * 41, "invalid_slug"),
        ("www", "reserved_slug"),
        ("admin", "reserved_slug"),
        ("api", "reserved_slug"),
        ("xn--abc", "reserved_slug"),
        ("alpha", "slug_taken"),
    ],
)
def test_bad_slugs_are_refused_and_nothing_is_created(slug, code):
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        provisioning.create_tenant(slug, "Name")
    assert [d.code for d in caught.value.field_errors["slug"]] == [code]
    assert _counts() == before


def test_all_field_errors_come_together():
    with pytest.raises(ValidationFailed) as caught:
        provisioning.create_tenant("www", "", admin_email="not-an-email")
    assert set(caught.value.field_errors) == {"slug", "name", "admin_email"}


def test_a_failure_half_way_leaves_nothing_behind(monkeypatch):
    before = _counts()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(get_user_model().objects, "create_admin", explode)
    with pytest.raises(RuntimeError):
        provisioning.create_tenant("halfway", "Half", admin_email="a@halfway.test")
    assert _counts() == before
    assert not schema_exists("t_halfway")


def test_delete_tenant_drops_schema_domain_and_row():
    provisioning.create_tenant("doomed", "Doomed")
    provisioning.delete_tenant("doomed")
    assert not schema_exists("t_doomed")
    assert not Tenant.objects.filter(slug="doomed").exists()
    assert not Domain.objects.filter(domain="doomed.localhost").exists()


def test_delete_unknown_tenant_is_not_found():
    with pytest.raises(NotFound):
        provisioning.delete_tenant("ghost")


# --- the `tessera` command, in process ---------------------------------------------------------


def test_cli_create_list_delete(capsys):
    assert cli.main(["tenant", "create", "cli-co", "--name", "CLI Co", "--admin-email", "x@cli.test"]) == 0
    out = capsys.readouterr().out
    assert "cli-co.localhost:8000" in out and "Password (shown once)" in out
    assert cli.main(["tenant", "list"]) == 0
    assert "cli-co" in capsys.readouterr().out
    assert cli.main(["tenant", "delete", "cli-co", "--yes"]) == 0
    assert not schema_exists("t_cli_co")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tenant", "create", "Bad_Slug", "--name", "X"], "slug: A slug is"),
        (["tenant", "create", "www", "--name", "X"], "is reserved"),
        (["tenant", "create", "alpha", "--name", "X"], "already taken"),
        (["tenant", "delete", "ghost", "--yes"], "No tenant with the slug"),
    ],
)
def test_cli_errors_are_one_line_and_exit_non_zero(argv, message, capsys):
    before = _counts()
    assert cli.main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("tessera: error:") and message in err and "\n" not in err
    assert _counts() == before


def test_cli_delete_without_confirmation_refuses_when_not_interactive(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert cli.main(["tenant", "delete", "alpha"]) == 1
    assert "add --yes" in capsys.readouterr().err
    assert schema_exists("t_alpha")


def test_cli_as_a_real_process_prints_no_traceback():
    settings_dict = connection.settings_dict
    host = settings_dict["HOST"] or settings_dict.get("OPTIONS", {}).get("host", "")
    port = settings_dict["PORT"] or "5432"
    if host.startswith("/"):
        url = f"postgres://{settings_dict['USER']}@/{settings_dict['NAME']}?host={host}"
    else:
        url = f"postgres://{settings_dict['USER']}@{host}:{port}/{settings_dict['NAME']}"
    tessera = Path(sys.executable).parent / "tessera"
    env = {**os.environ, "DATABASE_URL": url}
    for argv in (["tenant", "create", "NOPE!", "--name", "x"], ["tenant", "delete", "ghost", "--yes"]):
        done = subprocess.run([str(tessera), *argv], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().count("\n") == 0 and done.stderr.startswith("tessera: error:")
    usage = subprocess.run([str(tessera), "tenant", "frobnicate"], env=env, capture_output=True, text=True)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


# --- the sign-up API on the public host -------------------------------------------------------


def test_signup_api_creates_a_tenant(public_client):
    response = public_client.post(
        "/api/v1/tenants/",
        {"slug": "self-serve", "name": "Self Serve", "admin_email": "me@self.test", "admin_password": "Str0ng-pass-word"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["url"] == "http://self-serve.localhost/"
    assert "admin_password" not in response.json()
    assert schema_exists("t_self_serve")


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"slug": "Bad Slug", "name": "X", "admin_email": "a@b.test"}, "slug", "invalid_slug"),
        ({"slug": "public", "name": "X", "admin_email": "a@b.test"}, "slug", "reserved_slug"),
        ({"slug": "beta", "name": "X", "admin_email": "a@b.test"}, "slug", "slug_taken"),
        ({"slug": "fine", "name": "X", "admin_email": "nope"}, "admin_email", "invalid_email"),
        ({"slug": "fine", "name": "X", "admin_email": "a@b.test", "admin_password": "123"}, "admin_password", "weak_password"),
        ({"name": "X", "admin_email": "a@b.test"}, "slug", "required"),
    ],
)
def test_signup_api_rejects_bad_input_with_field_errors(public_client, body, field, code):
    before = _counts()
    response = public_client.post("/api/v1/tenants/", body, content_type="application/json")
    assert response.status_code == 400
    payload = response.json()
    assert code in [e["code"] for e in payload["errors"][field]]
    assert _counts() == before


def test_tenant_admin_api_is_for_platform_operators(public_client):
    assert public_client.get("/api/v1/tenants/").status_code == 403
    operator = get_user_model().objects.create_admin("ops@tessera.test", "Operat0r-pass")
    public_client.force_login(operator)
    listing = public_client.get("/api/v1/tenants/")
    assert listing.status_code == 200
    assert {"alpha", "beta"} <= {t["slug"] for t in listing.json()}
    assert public_client.delete("/api/v1/tenants/ghost/").status_code == 404


def test_the_signup_api_does_not_exist_on_a_tenant_host(client_a):
    response = client_a.post("/api/v1/tenants/", {"slug": "x"}, content_type="application/json")
    assert response.status_code in (403, 404)


def _catalog(schema):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "replace(coalesce(pg_get_expr(d.adbin, d.adrelid), ''), %s, '') "
            "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
            "WHERE c.relnamespace = %s::regnamespace ORDER BY 1, 3", [f"{schema}.", schema])
        columns = cursor.fetchall()
        cursor.execute("SELECT indexname, replace(indexdef, %s, '') FROM pg_indexes WHERE schemaname = %s "
                       "ORDER BY 1", [f"{schema}.", schema])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conname, contype FROM pg_constraint WHERE connamespace = %s::regnamespace "
                       "ORDER BY 1", [schema])
        constraints = cursor.fetchall()
    return columns, indexes, constraints


def test_a_new_tenant_schema_is_the_base_schema_exactly():
    from django.conf import settings

    from tenants.schema_template import current_template

    assert current_template(settings.TENANT_BASE_SCHEMA) is not None  # the fast path is the one tested
    provisioning.create_tenant("twin", "Twin")
    base = _catalog(settings.TENANT_BASE_SCHEMA)
    twin = _catalog("t_twin")
    assert base[0] and twin == base
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t_twin.metadata_objectdef")
        assert cursor.fetchone()[0] == 5  # the standard objects came along
        cursor.execute("SELECT nextval('t_twin.record_id_seq') > 0")
        assert cursor.fetchone()[0]
