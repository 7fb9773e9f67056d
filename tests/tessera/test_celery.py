"""Tenant-aware Celery: a task queued in tenant A runs in A's schema, through a real broker and worker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.models import Tenant
from tessera.celery import app
from tessera.core import jobs
from tessera.core.models import Job


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), start_worker(app, pool="threads", concurrency=2, perform_ping_check=False):
        yield
    connection.set_schema_to_public()


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _job_status(tenant, job_id):
    with tenant_context(tenant):
        return Job.objects.get(pk=job_id).status


@pytest.mark.parametrize("countdown", [None, 1])
def test_task_queued_in_tenant_a_runs_in_a_only(worker, committed, countdown):
    alpha, beta = Tenant.objects.get(slug="alpha"), Tenant.objects.get(slug="beta")
    with tenant_context(beta):
        b_job = Job.objects.create(kind="core.clear_expired_sessions")
    with tenant_context(alpha):
        a_job = jobs.queue_job("core.clear_expired_sessions", countdown=countdown)
    try:
        assert _wait_for(lambda: _job_status(alpha, a_job.pk) == Job.Status.DONE)
        with tenant_context(alpha):
            assert Job.objects.get(pk=a_job.pk).result == {"deleted": 0}
        assert _job_status(beta, b_job.pk) == Job.Status.QUEUED
    finally:
        with tenant_context(alpha):
            Job.objects.filter(pk=a_job.pk).delete()
        with tenant_context(beta):
            Job.objects.filter(pk=b_job.pk).delete()


def test_same_job_id_in_two_tenants_is_two_jobs(worker, committed):
    """Ids repeat across schemas; the schema travels with the task, not the id."""
    alpha, beta = Tenant.objects.get(slug="alpha"), Tenant.objects.get(slug="beta")
    with tenant_context(alpha):
        a_job = Job.objects.create(kind="core.clear_expired_sessions")
    with tenant_context(beta):
        b_job = Job.objects.create(kind="core.clear_expired_sessions", pk=a_job.pk)
        from tessera.core.tasks import run_job

        run_job.delay(b_job.pk)
    try:
        assert _wait_for(lambda: _job_status(beta, b_job.pk) == Job.Status.DONE)
        assert _job_status(alpha, a_job.pk) == Job.Status.QUEUED
    finally:
        with tenant_context(alpha):
            Job.objects.filter(pk=a_job.pk).delete()
        with tenant_context(beta):
            Job.objects.filter(pk=b_job.pk).delete()


@pytest.mark.django_db
def test_a_rolled_back_write_queues_nothing(in_tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.queue_job("core.clear_expired_sessions")
    assert len(callbacks) == 1  # sent only by the commit, which a rollback never reaches


def test_beat_fans_out_to_every_tenant(monkeypatch, db):
    sent = []

    def fake_apply_async(self, args=None, kwargs=None, **options):
        sent.append(connection.schema_name)

    task = app.tasks["tessera.core.tasks.clear_expired_sessions"]
    monkeypatch.setattr(type(task), "apply_async", fake_apply_async)
    from tenants.tasks import run_for_every_tenant

    count = run_for_every_tenant("tessera.core.tasks.clear_expired_sessions")
    assert count >= 2 and {"t_alpha", "t_beta"} <= set(sent) and "public" not in sent


@pytest.mark.django_db
def test_unknown_job_kind_fails_when_queued(in_tenant_a):
    from tessera.registry import NotRegistered

    with pytest.raises(NotRegistered):
        jobs.queue_job("no.such.kind")
