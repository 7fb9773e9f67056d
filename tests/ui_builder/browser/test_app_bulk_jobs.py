"""Walk-through: a salesperson filters a list, selects "all N matching" (more than the page shows)
and sets a field on all of them; the action runs on a Celery worker while a progress page shows
how far it got, survives a reload, and ends with the result."""

from __future__ import annotations

import re

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.app_world import build_world, drop_world

pytestmark = [pytest.mark.browser]

MANY = 60  # more than a list page (50)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from tessera.celery import app
    from tessera.records import service
    from tessera.security.access import SYSTEM

    with django_db_blocker.unblock(), start_worker(app, pool="threads", concurrency=1, perform_ping_check=False):
        built = build_world()
        with tenant_context(built.tenant):
            service.create_records("lead", [{"name": f"展会线索 {i:02d}", "owner": built.rep.pk} for i in range(MANY)],
                                   SYSTEM, confirm_duplicates=True)
        connection.set_schema_to_public()
        yield built
        drop_world()


def test_set_a_field_on_all_matching_records_with_progress(world, live_server_url, browser):
    base = live_server_url.format(slug=world.tenant.slug)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    try:
        world.login(page, base)
        page.goto(base + "/app/lead/?q=" + "展会线索")
        assert "60 records" in page.inner_text(".count")
        page.select_option("#bulk-action", "field")
        page.select_option("#bulk-field", "status")
        page.locator("#bulk-value select").wait_for()
        page.locator("#bulk-value select").select_option(index=2)
        page.check("input[name=all_matching]")
        page.click("#bulk-form button:has-text('Apply')")
        page.wait_for_url(re.compile(r".*/app/lead/bulk/\d+/.*"))
        assert page.locator("progress").count() == 1
        page.locator("#bulk-job", has_text="60 records done").wait_for(timeout=60000)
        page.reload()  # the job's page is its URL: the result is still there
        assert "60 records done" in page.inner_text("#bulk-job")
        page.click("a:has-text('Back to the list')")
        page.wait_for_url(re.compile(r".*/app/lead/\?q=.*"))
    finally:
        context.close()
