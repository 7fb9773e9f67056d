"""An invited person opens the emailed link in a browser, chooses a password and is in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection, transaction
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser

PASSWORD = "Invited-and-in-2026!"


@pytest.fixture
def invitation_link(committed, settings, live_server_url):
    """An invitation of tenant A, committed (the live server reads it on its own connection), and
    removed afterwards with the user it made. No test transaction: see conftest.committed."""
    from django.contrib.auth import get_user_model

    from tenants.models import Tenant
    from tessera.security import services
    from tessera.security.models import Invitation

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    tenant = Tenant.objects.get(slug="alpha")
    email = "browser.invitee@alpha.test"
    base = live_server_url.format(slug="alpha")
    with tenant_context(tenant):
        admin = get_user_model().objects.get(email="admin@alpha.test")
        with transaction.atomic():
            invitation = services.invite_user({"email": email, "full_name": "Li Lei"}, admin, base_url=base)
    try:
        yield re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    finally:
        with tenant_context(tenant):
            Invitation.objects.filter(pk=invitation.pk).delete()
            get_user_model().objects.filter(email=email).delete()
        connection.set_schema_to_public()


def test_an_invited_person_chooses_a_password_and_is_signed_in(page, invitation_link):
    page.goto(invitation_link)
    assert "browser.invitee@alpha.test" in page.inner_text("main")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD + "?")
    page.click("button[type=submit]")
    assert page.locator(".error").count() == 1  # the two passwords differ: said, nothing lost
    assert page.input_value("input[name=full_name]") == "Li Lei"
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    assert "Li Lei" in page.inner_text("header")

    page.goto(invitation_link)  # once only
    assert page.locator(".error").count() == 1 and page.locator("input[name=password]").count() == 0
