"""Faults lose nothing and stop nothing: a worker killed mid-job, Redis stopped during a metadata
change, PostgreSQL stopped under requests. Each asserts that nothing acknowledged is lost and that
everything queued runs again within 60 seconds, against a stack of its own (conftest.py)."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from .conftest import wait_for

pytestmark = pytest.mark.slow

RECORDS = 1500
RECOVERY_SECONDS = 60


@pytest.fixture(scope="module")
def part(stack):
    """An object large enough that indexing a field is a background job of a few seconds."""
    status, _, body = stack.call("POST", "/api/v1/meta/objects/", {"api_name": "part", "labels": {"en": {"singular": "Part"}}})
    assert status == 201, body
    for name, kind in (("weight", "number"), ("code", "text"), ("size", "number")):
        status, _, body = stack.call("POST", "/api/v1/meta/objects/part/fields/",
                                     {"api_name": name, "type": kind, "labels": {"en": name}})
        assert status == 201, body
    for start in range(0, RECORDS, 500):
        rows = [{"name": f"p{i}", "weight": i, "code": f"c{i}", "size": i % 7} for i in range(start, start + 500)]
        status, _, body = stack.call("POST", "/api/v1/records/part/bulk/", rows)
        assert status == 201, body
    return "part"


def _job(stack, job_id):
    rows = stack.sql("SELECT status, attempts, done, total, result::text FROM t_faults.core_job WHERE id = %s", [job_id])
    return rows[0] if rows else None


def _index_job(stack, field_name):
    rows = stack.sql("SELECT j.id FROM t_faults.core_job j JOIN t_faults.metadata_fielddef f "
                     "ON f.id = (j.params->>'field_id')::int WHERE j.kind = 'records.build_field_index' "
                     "AND f.api_name = %s ORDER BY j.id DESC LIMIT 1", [field_name])
    return rows[0][0] if rows else None


def _index_state(stack, field_name):
    status, _, body = stack.call("GET", f"/api/v1/meta/objects/part/fields/{field_name}/")
    assert status == 200, body
    return body["index_state"]


def _count(stack, query):
    status, _, body = stack.call("GET", f"/api/v1/records/part/?{query}&limit=1")
    assert status == 200, body
    return body.get("count", body)


def test_a_worker_killed_mid_job_is_restarted_and_the_job_runs_again(supervised, part):
    stack = supervised
    status, _, body = stack.call("PATCH", "/api/v1/meta/objects/part/fields/weight/", {"indexed": True})
    assert status == 200 and body["indexed"] is True and body["index_state"] == "building", body
    job_id = _index_job(stack, "weight")
    assert wait_for(lambda: (lambda j: j and j[0] == "running" and j[2] > 0)(_job(stack, job_id)), timeout=30), \
        _job(stack, job_id)

    worker = stack.child_pid("worker")
    os.kill(worker, signal.SIGKILL)  # the worker's main process, mid-job

    assert wait_for(lambda: stack.child_pid("worker") != worker, timeout=10), "the worker was not restarted"
    assert stack.call("GET", "/healthz", host="localhost")[0] == 200  # the web kept serving
    finished = wait_for(lambda: (lambda j: j if j and j[0] == "done" else None)(_job(stack, job_id)),
                        timeout=RECOVERY_SECONDS)
    assert finished, _job(stack, job_id)
    status_, attempts, done, total, result = finished
    assert attempts >= 2 and done <= total and f'"filled": {RECORDS}' in result  # progress restarted
    assert _index_state(stack, "weight") == "ready"
    assert stack.sql("SELECT slot_ready FROM t_faults.metadata_fielddef WHERE api_name = 'weight' "
                     "AND object_id = (SELECT id FROM t_faults.metadata_objectdef WHERE api_name = 'part')") == [(True,)]
    status, _, body = stack.call("GET", "/api/v1/records/part/?weight__gte=1400&limit=200")
    assert status == 200 and len(body["results"]) == RECORDS - 1400


def test_with_redis_down_a_metadata_change_commits_and_its_job_runs_later(supervised, part):
    stack = supervised
    stack.redis.stop()
    try:
        started = time.monotonic()
        status, _, body = stack.call("PATCH", "/api/v1/meta/objects/part/fields/code/", {"indexed": True})
        assert status == 200 and body["index_state"] == "building", body
        assert time.monotonic() - started < 10
        status, _, created = stack.call("POST", "/api/v1/records/part/", {"name": "during the outage", "weight": 1})
        assert status == 201, created
        job_id = _index_job(stack, "code")
        assert _job(stack, job_id)[0] == "queued"
        assert stack.sql("SELECT count(*) FROM public.outbox_outboxmessage WHERE args = %s::jsonb",
                         [f"[{job_id}]"]) == [(1,)]
        time.sleep(3)  # beat's drain cannot reach the broker either
        assert _job(stack, job_id)[0] == "queued"
    finally:
        stack.redis.start()
    assert wait_for(lambda: (_job(stack, job_id) or ("",))[0] == "done", timeout=RECOVERY_SECONDS), _job(stack, job_id)
    assert stack.sql("SELECT count(*) FROM public.outbox_outboxmessage") == [(0,)]
    assert _index_state(stack, "code") == "ready"
    status, _, body = stack.call("GET", f"/api/v1/records/part/{created['id']}/")
    assert status == 200 and body["name"] == "during the outage"


def test_with_postgres_stopped_requests_answer_503_and_nothing_acknowledged_is_lost(supervised, part):
    stack = supervised
    status, _, body = stack.call("PATCH", "/api/v1/meta/objects/part/fields/size/", {"indexed": True})
    assert status == 200, body
    job_id = _index_job(stack, "size")
    acknowledged: dict[int, str] = {}
    outage_answers: list[tuple[int, dict, dict | None]] = []
    health: list[int] = []
    stop = threading.Event()

    def write():
        n = 0
        while not stop.is_set():
            n += 1
            name = f"w{n}"
            try:
                status, headers, body = stack.call("POST", "/api/v1/records/part/", {"name": name, "weight": n}, timeout=15)
            except OSError:
                continue  # no answer is no acknowledgement
            if status == 201:
                acknowledged[body["id"]] = name
            else:
                outage_answers.append((status, headers, body))
            time.sleep(0.05)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        time.sleep(1.5)
        stack.postgres.stop()
        time.sleep(1)
        health.append(stack.call("GET", "/healthz", host="localhost", timeout=15)[0])
        status, headers, body = stack.call("GET", "/api/v1/records/part/?limit=5", timeout=15)
        outage_answers.append((status, headers, body))
        time.sleep(2)
        stack.postgres.start()
        time.sleep(2)
    finally:
        stop.set()
        writer.join(timeout=30)

    assert health == [503]
    assert outage_answers, "no request met the outage"
    for status, headers, body in outage_answers:
        assert status == 503 and headers.get("Retry-After"), (status, body)
        assert body["non_field_errors"][0]["code"] == "unavailable"
    assert acknowledged, "no write succeeded around the outage"
    stored = dict(stack.sql("SELECT id, name FROM t_faults.record WHERE id = ANY(%s)", [list(acknowledged)]))
    assert stored == acknowledged  # every acknowledged write is there
    assert wait_for(stack.healthy, timeout=30)
    assert wait_for(lambda: (_job(stack, job_id) or ("",))[0] == "done", timeout=RECOVERY_SECONDS), _job(stack, job_id)
    assert _index_state(stack, "size") == "ready"
