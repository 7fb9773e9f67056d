"""`tessera run`'s supervisor restarts a child that dies, with a growing back-off, and leaves the
others running. (The whole stack with a killed Celery worker: tests/faults.)"""

import os
import signal
import time

from tessera.runner import Supervisor


def _until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_dead_child_is_restarted_and_the_others_keep_running(tmp_path):
    supervisor = Supervisor(cwd=tmp_path)
    supervisor.BACKOFF_FIRST = 0.1
    supervisor.start("web", ["sleep", "60"])
    supervisor.start("worker", ["sleep", "60"])
    try:
        web, worker = (c.process.pid for c in supervisor.children)
        os.kill(worker, signal.SIGKILL)

        assert _until(lambda: (supervisor.check(), supervisor.children[1].process.pid != worker)[1])
        assert supervisor.children[1].process.poll() is None
        assert supervisor.children[0].process.pid == web and supervisor.children[0].process.poll() is None
    finally:
        supervisor.stop()


def test_a_child_that_keeps_dying_waits_longer_each_time(tmp_path):
    supervisor = Supervisor(cwd=tmp_path)
    supervisor.BACKOFF_FIRST = 0.05
    supervisor.start("beat", ["false"])
    delays = []
    try:
        child = supervisor.children[0]
        while len(delays) < 4:
            supervisor.check()
            if child.restart_at is not None and (not delays or delays[-1][0] != child.failures):
                delays.append((child.failures, child.restart_at - time.monotonic()))
            time.sleep(0.01)
    finally:
        supervisor.stop()
    waits = [delay for _failures, delay in delays]
    assert [failures for failures, _delay in delays] == [1, 2, 3, 4]
    assert waits[0] < waits[1] < waits[2] < waits[3] <= supervisor.BACKOFF_MAX
