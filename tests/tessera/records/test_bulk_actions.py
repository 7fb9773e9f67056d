""""All N matching" bulk actions run as a job on a real Celery worker: every record the list's filters
match that the user may read, a chunk at a time, with progress on the job row and a result per
record (the ones the user may read but not change are reported with the reason); the job page
shows progress until done, and only to the user who asked."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from tests.helpers.tenants import host_of

SLUG = "bulkjobs"
MINE = 230  # more than one chunk of writes and one page of reads


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from tenants.provisioning import create_tenant, delete_tenant
    from tessera.celery import app
    from tessera.records import service
    from tessera.security import services as security
    from tessera.security.access import SYSTEM
    from tessera.security.models import Profile

    with django_db_blocker.unblock(), start_worker(app, pool="threads", concurrency=1, perform_ping_check=False):
        tenant = create_tenant(SLUG, "Bulk Co", admin_email="admin@bulk.test", admin_password="bulk-pass-99").tenant
        try:
            with tenant_context(tenant):
                users = get_user_model()
                admin = users.objects.get(email="admin@bulk.test")
                rep = users.objects.create_user("rep@bulk.test", None, full_name="Rep",
                                                profile=Profile.objects.get(api_name="salesperson"))
                rows = [{"name": f"Acme {i:03d}", "owner": rep.pk, "industry": "it"} for i in range(MINE)]
                service.create_records("account", rows, SYSTEM, confirm_duplicates=True)
                service.create_record("account", {"name": "Retail shop", "owner": rep.pk, "industry": "retail"}, SYSTEM)
                shared = service.create_record("account", {"name": "Boss's IT client", "owner": admin.pk,
                                                           "industry": "it"}, SYSTEM)
                security.share_record("account", shared.id, {"user": rep.pk, "access": "read"}, SYSTEM)
                service.create_record("account", {"name": "Hidden IT client", "owner": admin.pk, "industry": "it"},
                                      SYSTEM)
            connection.set_schema_to_public()
            yield {"tenant": tenant, "admin": admin, "rep": rep, "shared": shared.id}
        finally:
            connection.set_schema_to_public()
            delete_tenant(SLUG)


def _finished(tenant, job_id, timeout=90.0):
    from tessera.core.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with tenant_context(tenant):
            job = Job.objects.get(pk=job_id)
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} ({job.done}/{job.total})")


def test_set_a_field_on_all_matching_reports_the_records_not_editable(world):
    from tessera.records import bulk_actions, service

    tenant, rep = world["tenant"], world["rep"]
    with tenant_context(tenant):
        job = bulk_actions.queue_bulk_action("account", rep, action="field", filters=[("industry", "it")],
                                             field="rating", value="a", language="en")
        assert job.params["matched"] == MINE + 1  # what the rep may read: theirs and the one shared to read
    job = _finished(tenant, job.pk)
    assert job.status == "done", job.message
    assert (job.done, job.total) == (MINE + 1, MINE + 1)
    assert job.result["done"] == MINE and job.result["failed"] == 1
    [refused] = job.result["errors"]
    assert refused["id"] == world["shared"] and refused["name"] == "Boss's IT client"
    assert "edit" in refused["message"]
    with tenant_context(tenant):
        page = service.list_records("account", rep, filters=[("rating", "a")], count=True, limit=1)
        assert page.total == MINE
        retail = service.list_records("account", rep, filters=[("industry", "retail")]).records[0]
        assert retail.values.get("rating") is None


def test_delete_all_matching_from_the_list_runs_in_the_background_with_its_page(world):
    tenant, rep, admin = world["tenant"], world["rep"], world["admin"]
    client = Client(HTTP_HOST=host_of(tenant))
    with tenant_context(tenant):
        client.force_login(rep)
    response = client.post("/app/account/bulk/", {"action": "delete", "all_matching": "1",
                                                  "back": "?q=Acme 00&sort=name"})
    assert response.status_code == 302 and "/app/account/bulk/" in response["Location"], response.content[:300]
    job_url = response["Location"]
    job_id = int(job_url.split("/bulk/")[1].split("/")[0])
    first = client.get(job_url)
    assert first.status_code == 200 and b"<progress" in first.content
    job = _finished(tenant, job_id)
    assert job.result == {"done": 10, "failed": 0, "errors": []}
    partial = client.get(job_url, HTTP_HX_REQUEST="true")
    assert b"10" in partial.content and b"hx-trigger" not in partial.content and b"<nav" not in partial.content
    with tenant_context(tenant):
        admin_client = Client(HTTP_HOST=host_of(tenant))
        admin_client.force_login(admin)
    assert admin_client.get(job_url).status_code == 404  # someone else's job
    nothing = client.post("/app/account/bulk/", {"action": "delete", "all_matching": "1", "back": "?q=Nobody"})
    assert nothing.status_code == 302 and "problem=" in nothing["Location"]
