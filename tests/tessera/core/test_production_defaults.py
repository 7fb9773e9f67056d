"""Production defaults: security headers on every response (also those answered before tenant
routing), no browsable API, and a deploy check that leaves only the documented choices."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db

REQUIRED_POLICY = ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                   "base-uri 'none'", "frame-ancestors 'none'"]


def _assert_protected(response):
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert set(REQUIRED_POLICY) <= set(policy), policy
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_html_pages_of_tenants_and_platform_carry_the_headers(client_a, public_client):
    login = client_a.get("/login/")
    assert login.status_code == 200 and login["Content-Type"].startswith("text/html")
    _assert_protected(login)
    _assert_protected(public_client.get("/"))


def test_the_unknown_host_page_carries_the_headers_too():
    response = Client(HTTP_HOST="nobody-here.localhost").get("/")
    assert response.status_code == 404 and b"nobody-here.localhost" in response.content
    _assert_protected(response)


def test_api_answers_json_never_the_browsable_html_api(client_a, admin_a):
    client_a.force_login(admin_a)
    for accept in ("text/html", "text/html,application/xhtml+xml,*/*;q=0.8"):
        response = client_a.get("/api/v1/meta/objects/", HTTP_ACCEPT=accept)
        assert response.status_code in (200, 406)
        assert not response["Content-Type"].startswith("text/html")
    response = client_a.get("/api/v1/meta/objects/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    _assert_protected(response)


@pytest.mark.slow
def test_deploy_check_leaves_only_the_documented_choices(tmp_path, django_db_setup):
    """`check --deploy` with production settings: only HSTS (W004) and the HTTPS redirect (W008),
    which README leaves to the proxy in front, remain; no duplicate operationId (W001)."""
    unset = ("DEBUG", "TESSERA_SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE")  # the browser tests set the last
    env = {key: value for key, value in os.environ.items() if key not in unset}
    database = connection.settings_dict
    env["DATABASE_URL"] = (f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
                           f"{database['PORT'] or 5432}/{database['NAME']}")
    env.update(DEBUG="0", TESSERA_HTTPS="1", SECRET_KEY="x" * 20 + "production-like-secret-key-0123456789abcdef",
               TESSERA_VAR_DIR=str(tmp_path))
    tessera = Path(sys.executable).parent / "tessera"
    result = subprocess.run([str(tessera), "manage", "check", "--deploy"], env=env, capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert set(re.findall(r"\(([a-z_]+\.[EW]\d{3})\)", output)) == {"security.W004", "security.W008"}, output
