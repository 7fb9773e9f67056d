"""Parallel wrong passwords against a server of two worker processes: the lockout holds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tests.helpers.live_workers import LiveWorkers, post_json

pytestmark = pytest.mark.slow

EMAIL = "race.target@alpha.test"


@pytest.fixture
def target(committed):
    from django.contrib.auth import get_user_model

    from tenants.models import Tenant
    from tessera.security.models import AuditEntry, LoginThrottle

    tenant = Tenant.objects.get(slug="alpha")
    with tenant_context(tenant):
        LoginThrottle.objects.all().delete()
        user = get_user_model().objects.create_user(EMAIL, "Race-target-2026!")
    yield tenant
    with tenant_context(tenant):
        LoginThrottle.objects.all().delete()
        AuditEntry.objects.filter(actor_email=EMAIL).delete()
        user.delete()
    connection.set_schema_to_public()


def test_forty_parallel_wrong_passwords_check_at_most_the_limit(target):
    from tessera.security.models import AuditEntry

    # The anonymous-API rate must not be what stops them: the lockout is under test.
    with LiveWorkers(workers=2, env={"TESSERA_SECURITY_ANON_RATE": "100000/hour"}) as server:
        assert len(server.worker_pids()) == 2

        def attempt(n):
            return post_json(f"{server.url}/api/v1/security/session/", "alpha.localhost",
                             {"email": EMAIL, "password": f"wrong-{n}"})

        with ThreadPoolExecutor(max_workers=40) as pool:
            answers = list(pool.map(attempt, range(40)))

    assert {status for status, _ in answers} == {403}
    codes = sorted(body["non_field_errors"][0]["code"] for _, body in answers)
    with tenant_context(target):
        checked = AuditEntry.objects.filter(action="login.failed", actor_email=EMAIL).count()
        refused = AuditEntry.objects.filter(action="login.locked", actor_email=EMAIL, detail__refused=True).count()
    assert checked == 5  # TESSERA_LOGIN_MAX_FAILURES: no more passwords were tried
    assert refused == 35 and codes.count("login_locked") >= 35
