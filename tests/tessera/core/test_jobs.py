"""Jobs survive faults: claimed once per attempt, re-queued by the sweeper when their heartbeat
stops, queued through the outbox in the transaction that asks for them, and a field shows the
state of its index. (The same against killed workers and stopped servers: tests/faults.)"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tessera.core import jobs
from tessera.core.models import Job
from tessera.outbox.models import OutboxMessage
from tessera.records import indexing
from tessera.registry import AlreadyRegistered

pytestmark = pytest.mark.django_db

SEEN: list[tuple[int, int]] = []


def _counting_job(job, progress):
    """A job kind for these tests: reports progress from zero, remembers each attempt."""
    progress.set_total(3)
    for _ in range(3):
        progress.advance(1)
    SEEN.append((job.pk, job.attempts))
    return {"attempt": job.attempts}


@pytest.fixture(autouse=True)
def counting_kind():
    try:
        jobs.job_kinds.register("test.counting", _counting_job)
    except AlreadyRegistered:
        pass
    SEEN.clear()
    yield
    jobs.job_kinds.unregister("test.counting")


def _stale(job_id, *, status, attempts=1, seconds=3600):
    Job.objects.filter(pk=job_id).update(status=status, attempts=attempts,
                                         heartbeat_at=timezone.now() - timedelta(seconds=seconds), done=2)


def test_queueing_writes_the_job_and_its_message_in_one_transaction(in_tenant_a):
    before = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.queue_job("test.counting")
        raise RuntimeError("the change fails after queueing")
    assert OutboxMessage.objects.count() == before and not Job.objects.filter(kind="test.counting").exists()

    job = jobs.queue_job("test.counting")
    (message,) = OutboxMessage.objects.filter(args=[job.pk])
    assert message.task == jobs.RUN_TASK and message.schema_name == "t_alpha"
    assert job.status == Job.Status.QUEUED and job.heartbeat_at is not None


def test_a_job_runs_once_and_a_second_delivery_does_nothing(in_tenant_a):
    job = jobs.queue_job("test.counting")
    assert jobs.run_job(job.pk).status == Job.Status.DONE
    again = jobs.run_job(job.pk)  # the message delivered again (a crash after the job, before the ack)
    assert again.status == Job.Status.DONE and again.attempts == 1 and SEEN == [(job.pk, 1)]


def test_a_live_attempt_is_never_run_twice(in_tenant_a):
    job = jobs.queue_job("test.counting")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1, heartbeat_at=timezone.now())
    assert jobs.run_job(job.pk).status == Job.Status.RUNNING and SEEN == []


def test_a_lost_attempt_is_taken_over_and_progress_restarts(in_tenant_a):
    job = jobs.queue_job("test.counting")
    _stale(job.pk, status=Job.Status.RUNNING)
    finished = jobs.run_job(job.pk)
    assert finished.status == Job.Status.DONE and finished.attempts == 2
    assert (finished.done, finished.total) == (3, 3) and finished.result == {"attempt": 2}


def test_progress_of_a_replaced_attempt_is_ignored(in_tenant_a):
    job = jobs.queue_job("test.counting")
    old = jobs._claim(job.pk)
    Job.objects.filter(pk=job.pk).update(attempts=2, done=0)  # taken over meanwhile
    jobs.Progress(old).advance(5)
    assert Job.objects.get(pk=job.pk).done == 0


def test_the_sweeper_requeues_jobs_whose_heartbeat_stopped(in_tenant_a, settings):
    lost = jobs.queue_job("test.counting")
    alive = jobs.queue_job("test.counting")
    given_up = jobs.queue_job("test.counting")
    _stale(lost.pk, status=Job.Status.RUNNING)
    Job.objects.filter(pk=alive.pk).update(status=Job.Status.RUNNING, attempts=1, heartbeat_at=timezone.now())
    _stale(given_up.pk, status=Job.Status.RUNNING, attempts=settings.TESSERA_JOB_MAX_ATTEMPTS)
    OutboxMessage.objects.all().delete()

    assert jobs.sweep("t_alpha") == {"requeued": 1, "failed": 1}

    assert Job.objects.get(pk=lost.pk).status == Job.Status.QUEUED
    assert list(OutboxMessage.objects.values_list("args", flat=True)) == [[lost.pk]]
    assert Job.objects.get(pk=alive.pk).status == Job.Status.RUNNING
    failed = Job.objects.get(pk=given_up.pk)
    assert failed.status == Job.Status.FAILED and "lost" in failed.message


def test_the_relay_keeps_messages_while_the_broker_is_down(in_tenant_a, monkeypatch):
    """After the commit the relay tries the broker once; refused, the message stays for beat's
    drain and the caller (a request that committed) sees no error. (A real stopped Redis: tests/faults.)"""
    from kombu.exceptions import OperationalError as BrokerError

    from tessera.core import tasks
    from tessera.outbox import relay

    def refused(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    job = jobs.queue_job("test.counting")
    message = OutboxMessage.objects.get(args=[job.pk])
    monkeypatch.setattr(tasks.run_job, "apply_async", refused)
    assert relay.relay([message.pk]) == 0
    message.refresh_from_db()
    assert message.attempts == 1 and "refused" in message.last_error

    sent = []
    monkeypatch.setattr(tasks.run_job, "apply_async", lambda **options: sent.append(options))
    assert relay.relay() >= 1  # beat's drain, the broker back
    assert not OutboxMessage.objects.filter(pk=message.pk).exists()
    assert {"args": [job.pk], "headers": {"_schema_name": "t_alpha"}}.items() <= next(
        o for o in sent if o["args"] == [job.pk]).items()


def test_a_fields_index_state_follows_its_build(in_tenant_a, make_object, admin_a, client_a, monkeypatch):
    from metadata.services import update_field

    make_object("widget", fields=[{"api_name": "weight", "type": "number", "indexed": True},
                                  {"api_name": "size", "type": "number"}, {"api_name": "note", "type": "text"}])
    monkeypatch.setattr(indexing, "INLINE_LIMIT", -1)  # "large": indexing is a background job
    update_field("widget", "size", {"indexed": True}, admin_a)
    client_a.force_login(admin_a)

    def state(field_name):
        return client_a.get(f"/api/v1/meta/objects/widget/fields/{field_name}/").json()["index_state"]

    assert state("weight") == indexing.IndexState.READY and state("note") is None
    assert state("size") == indexing.IndexState.BUILDING
    fields = client_a.get("/api/v1/meta/objects/widget/fields/").json()
    assert {f["api_name"]: f["index_state"] for f in fields} == {
        **{f["api_name"]: None for f in fields}, "weight": "ready", "size": "building"}
    job = Job.objects.get(kind="records.build_field_index", status=Job.Status.QUEUED)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED)
    assert state("size") == indexing.IndexState.FAILED
    detail = client_a.get("/api/v1/meta/objects/widget/").json()
    assert {f["api_name"]: (f["indexed"], f["index_state"]) for f in detail["fields"]}["size"] == (True, "failed")
