"""Sign-up limits: the rate holds across worker processes and restarts, a throttle that cannot
count refuses (503) instead of letting everyone through, and names the product uses are reserved."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import checks
from django.db import connection

from tests.helpers.live_workers import LiveWorkers, post_json

SIGNUP = {"slug": "admin", "name": "X", "admin_email": "a@b.test"}  # refused (reserved), but counted first


@pytest.fixture
def no_signup_counts(committed):
    from tessera.security.models import RateCounter

    RateCounter.objects.filter(key__startswith="throttle_signup_").delete()
    yield
    RateCounter.objects.filter(key__startswith="throttle_signup_").delete()


@pytest.mark.slow
def test_the_signup_rate_is_shared_by_every_worker_and_survives_a_restart(no_signup_counts):
    with LiveWorkers(workers=2, env={"TESSERA_SIGNUP_RATE": "4/hour"}) as server:
        assert len(server.worker_pids()) == 2

        def sign_up(_):
            return post_json(f"{server.url}/api/v1/tenants/", "localhost", SIGNUP)

        with ThreadPoolExecutor(max_workers=10) as pool:
            statuses = sorted(status for status, _ in pool.map(sign_up, range(10)))
        assert statuses == [400] * 4 + [429] * 6
        server.restart()
        status, body = sign_up(0)
        assert status == 429 and body["non_field_errors"][0]["code"] == "throttled"


@pytest.mark.django_db
def test_signup_fails_closed_when_its_counter_cannot_be_kept(public_client):
    with connection.cursor() as cursor:  # the store breaks (rolled back with the test)
        cursor.execute("ALTER TABLE security_ratecounter RENAME TO security_ratecounter_away")
    response = public_client.post("/api/v1/tenants/", {**SIGNUP, "slug": "fine-name"}, content_type="application/json")
    assert response.status_code == 503
    assert response.json()["non_field_errors"][0]["code"] == "service_unavailable"
    assert not _tenant_exists("fine-name")


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["demo", "setup", "app", "api", "static", "media", "login", "healthz", "www",
                                  "admin", "mail", "help", "docs", "status", "password-reset"])
def test_names_the_product_uses_are_reserved(public_client, slug):
    response = public_client.post("/api/v1/tenants/", {**SIGNUP, "slug": slug}, content_type="application/json")
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]["slug"]] == ["reserved_slug"]


@pytest.mark.django_db
def test_a_check_reports_an_existing_tenant_with_a_reserved_slug(tenant_a):
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    from tenants.checks import reserved_slugs_in_use
    from tenants.demo import DEMO_ADMIN_EMAIL
    from tenants.models import Tenant

    assert reserved_slugs_in_use(databases=["default"]) == []
    # A row only (bulk_create skips save(), which would want a schema of its own), and tenant A
    # renamed "demo" as if a customer had signed up under that name (both rolled back).
    Tenant.objects.bulk_create([Tenant(slug="status", name="Old customer", schema_name="t_status")])
    Tenant.objects.filter(pk=tenant_a.pk).update(slug="demo")
    found = reserved_slugs_in_use(databases=["default"])
    assert [(m.id, m.obj.slug) for m in found] == [("tenants.W001", "demo"), ("tenants.W001", "status")]
    with tenant_context(tenant_a):  # the demo tenant `tessera run` made is the platform's own
        get_user_model().objects.create_user(DEMO_ADMIN_EMAIL, None)
    connection.set_schema_to_public()
    assert [m.obj.slug for m in reserved_slugs_in_use(databases=["default"])] == ["status"]
    assert any(m.id == "tenants.W001" for m in checks.run_checks(databases=["default"]))


def _tenant_exists(slug: str) -> bool:
    from tenants.models import Tenant

    return Tenant.objects.filter(slug=slug).exists()
