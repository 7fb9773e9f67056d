"""A page that is not there, or not the reader's, says so in the reader's language, in the app's
look, with a way home: a salesperson following an old link is not left on a bare server page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "heading"), [("en", "Page not found"), ("zh-hans", "找不到页面")])
def test_a_missing_page_says_so_in_the_readers_language(in_tenant_a, admin_a, language, heading):
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(admin_a)
    response = client.get("/app/no_such_object/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page and 'href="/"' in page and "tessera.css" in page


def test_the_platform_site_draws_it_too(db):
    response = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en").get("/no-such-page/")
    assert response.status_code == 404 and "<h1>Page not found</h1>" in response.content.decode()
