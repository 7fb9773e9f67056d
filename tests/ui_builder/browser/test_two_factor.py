"""In a real browser: an administrator of a tenant that requires two-factor sign-in sets up an
authenticator at their first login, then logs in with password and code."""

from __future__ import annotations

import pyotp
import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser

PASSWORD = "Boss-with-phone-2026!"


@pytest.fixture
def policy_and_admin(committed):
    """Tenant A requires a second factor of administrators; a new administrator (committed: the live
    server reads on its own connection). Both undone afterwards."""
    from django.contrib.auth import get_user_model

    from tenants.models import Tenant
    from tessera.security.models import AuditEntry, LoginThrottle, SecuritySettings

    tenant = Tenant.objects.get(slug="alpha")
    email = "browser.boss@alpha.test"
    with tenant_context(tenant):
        SecuritySettings.objects.update_or_create(pk=1, defaults={"require_two_factor_for_admins": True})
        user = get_user_model().objects.create_admin(email, PASSWORD, full_name="Boss Wang")
    yield user
    with tenant_context(tenant):
        SecuritySettings.objects.filter(pk=1).update(require_two_factor_for_admins=False)
        LoginThrottle.objects.all().delete()
        AuditEntry.objects.filter(actor_email=email).delete()
        get_user_model().objects.filter(pk=user.pk).delete()
    connection.set_schema_to_public()


def _code(secret: str, offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(timezone.now()) + offset)


def test_an_administrator_sets_up_and_uses_an_authenticator(page, live_server_url, policy_and_admin):
    base = live_server_url.format(slug="alpha")
    page.goto(base + "/login/")
    page.fill("input[name=username]", policy_and_admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/login/two-factor/set-up/")
    assert "设置双重验证登录" in page.inner_text("main") and "您的组织要求" in page.inner_text("main")
    assert page.locator(".qr svg").count() == 1
    secret = page.inner_text("code.secret")

    page.fill("input[name=code]", "000000")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "验证码无效" in page.inner_text("main") and page.inner_text("code.secret") == secret

    page.fill("input[name=code]", _code(secret))
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "双重验证登录已开启" in page.inner_text("main")
    assert page.locator(".recovery-codes li").count() == 10
    page.click("a.button")
    page.wait_for_url(base + "/app/")
    assert "Boss Wang" in page.inner_text("header")

    page.click("header .user-button")  # the user's menu
    with page.expect_navigation():
        page.click("header .menu-items button[type=submit]")  # log out
    page.goto(base + "/login/")
    page.fill("input[name=username]", policy_and_admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/login/two-factor/")
    assert "Boss Wang" not in page.inner_text("header")
    page.fill("input[name=code]", _code(secret, 1))  # the set-up used the current step
    page.click("button[type=submit]")
    page.wait_for_url(base + "/app/")
    assert "Boss Wang" in page.inner_text("header")
