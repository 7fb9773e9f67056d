"""Walk-throughs in a real browser: a person who forgot their password gets a link by email (sent by
a real Celery worker) and sets a new one; a deactivated person's open page stops working at once."""

from __future__ import annotations

import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser

OLD_PASSWORD = "Forgot-it-2026!"
NEW_PASSWORD = "Remembered-now-88"


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker):
    from tessera.celery import app

    with django_db_blocker.unblock(), start_worker(app, pool="threads", concurrency=1, perform_ping_check=False):
        yield
    connection.set_schema_to_public()


@pytest.fixture
def person(committed, settings, request):
    """A committed user of tenant A (the live server reads it on its own connection), removed after."""
    from django.contrib.auth import get_user_model

    from tenants.models import Tenant
    from tessera.security.models import AuditEntry, LoginThrottle

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    language = getattr(request, "param", "zh-hans")
    tenant = Tenant.objects.get(slug="alpha")
    email = f"browser.person.{language}@alpha.test"
    with tenant_context(tenant):
        LoginThrottle.objects.all().delete()
        user = get_user_model().objects.create_user(email, OLD_PASSWORD, full_name="Han Meimei", language=language)
    yield user
    with tenant_context(tenant):
        LoginThrottle.objects.all().delete()
        AuditEntry.objects.filter(actor_email=email).delete()
        get_user_model().objects.filter(pk=user.pk).delete()
    connection.set_schema_to_public()


def _wait_for_mail(to: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mail.outbox if m.to == [to]]
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no email to {to} within {timeout} s")


def _log_in(page, base, email, password):
    page.goto(base + "/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize(("person", "locale", "words"), [
    ("zh-hans", "zh-CN", {"sent": "正在发出", "mismatch": "不一致", "done": "密码已修改", "used": "此链接无法使用",
                          "subject": "重置"}),
    ("en", "en-US", {"sent": "is on its way", "mismatch": "didn’t match", "done": "Your password is changed",
                     "used": "This link cannot be used", "subject": "Reset your password"}),
], indirect=["person"])
def test_a_person_resets_a_forgotten_password_by_email(browser, live_server_url, worker, person, locale, words):
    base = live_server_url.format(slug="alpha")
    context = browser.new_context(locale=locale)
    page = context.new_page()
    try:
        page.goto(base + "/login/")
        page.click("a[href='/password-reset/']")
        page.wait_for_url(base + "/password-reset/")

        page.fill("input[name=email]", "nobody.at.all@alpha.test")  # an unknown address: the same answer
        page.click("button[type=submit]")
        unknown = page.inner_text("main").replace("nobody.at.all@alpha.test", "…")
        page.goto(base + "/password-reset/")
        page.fill("input[name=email]", person.email)
        page.click("button[type=submit]")
        assert words["sent"] in page.inner_text("main")
        assert page.inner_text("main").replace(person.email, "…") == unknown

        message = _wait_for_mail(person.email)
        assert words["subject"] in message.subject
        link = re.search(r"https?://\S+", message.body).group(0)
        assert [m.to for m in mail.outbox] == [[person.email]]  # nothing went to the unknown address

        page.goto(link)
        page.fill("input[name=new_password1]", NEW_PASSWORD)
        page.fill("input[name=new_password2]", NEW_PASSWORD + "x")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert words["mismatch"] in page.inner_text("main")  # in place, on the same form
        page.fill("input[name=new_password1]", "12345678")
        page.fill("input[name=new_password2]", "12345678")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert page.locator(".error").count() >= 1 and page.locator("input[name=new_password1]").count() == 1
        page.fill("input[name=new_password1]", NEW_PASSWORD)
        page.fill("input[name=new_password2]", NEW_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/login/")
        assert words["done"] in page.inner_text("main")

        _log_in(page, base, person.email, OLD_PASSWORD)
        assert "/login/" in page.url  # the old password is gone
        _log_in(page, base, person.email, NEW_PASSWORD)
        assert page.url == base + "/app/" and "Han Meimei" in page.inner_text("header")

        page.goto(link)  # once only
        assert words["used"] in page.inner_text("main") and page.locator("input[name=new_password1]").count() == 0
    finally:
        context.close()


def test_a_deactivated_persons_open_page_stops_working_at_once(page, live_server_url, person):
    from django.contrib.auth import get_user_model

    from tenants.models import Tenant
    from tessera.security.services import deactivate_user

    base = live_server_url.format(slug="alpha")
    _log_in(page, base, person.email, OLD_PASSWORD)
    assert page.url == base + "/app/" and "Han Meimei" in page.inner_text("header")
    with tenant_context(Tenant.objects.get(slug="alpha")):
        admin = get_user_model().objects.get(email="admin@alpha.test")
        deactivate_user(person.pk, admin, transfer_to=admin.pk)
    connection.set_schema_to_public()
    page.reload()
    assert "/login/" in page.url and "Han Meimei" not in page.inner_text("header")
    _log_in(page, base, person.email, OLD_PASSWORD)
    assert "/login/" in page.url  # and the right password no longer opens it
