"""A Tessera stack of the tests' own, to break: an embedded PostgreSQL and an embedded Redis in a
temporary folder (never the shared servers), and the web server, Celery worker and beat run by
`tessera run`'s supervisor, with short heartbeat, sweep and drain periods so a fault heals in
seconds. The tests speak HTTP to it and read its database directly."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest

from tessera.embedded import EmbeddedPostgres, EmbeddedRedis
from tessera.runner import Supervisor, beat_argv, web_server_argv, worker_argv

BIN = Path(sys.executable).parent
HOST = "faults.localhost"

_BOOTSTRAP = """
import django
django.setup()
from django_tenants.utils import tenant_context
from tenants.bootstrap import migrate_platform
from tenants.provisioning import create_tenant
migrate_platform(verbosity=0)
tenant = create_tenant("faults", "Faults", admin_email="admin@faults.test", admin_password="faults-Pass-2026").tenant
with tenant_context(tenant):
    from django.contrib.auth import get_user_model
    from tessera.security.services.tokens import create_token
    _token, key = create_token(get_user_model().objects.get(email="admin@faults.test"), "faults")
print("KEY=" + key)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.2):
    """The predicate's first truthy value within `timeout` seconds, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


@dataclass
class Stack:
    postgres: EmbeddedPostgres
    redis: EmbeddedRedis
    supervisor: Supervisor
    port: int
    token: str = ""
    env: dict = field(default_factory=dict)

    def call(self, method: str, path: str, body=None, *, host: str = HOST, timeout: float = 30):
        """(status, headers, JSON body or None) of one request, on a connection of its own."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Host": host, "Authorization": f"Token {self.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            content = json.loads(raw) if response.getheader("Content-Type", "").startswith("application/json") else None
            return response.status, dict(response.getheaders()), content
        finally:
            connection.close()

    def sql(self, query: str, params=()) -> list[tuple]:
        """Read the stack's database directly (a connection per call: the server may restart)."""
        conn = psycopg2.connect(host=self.postgres.socket_dir, user="postgres", dbname="tessera")
        try:
            with conn, conn.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            conn.close()

    def child_pid(self, name: str) -> int:
        return next(c.process.pid for c in self.supervisor.children if c.name == name)

    def healthy(self) -> bool:
        try:
            return self.call("GET", "/healthz", host="localhost", timeout=5)[0] == 200
        except OSError:
            return False


@pytest.fixture(scope="package")
def stack():
    # Not under pytest's tmp_path: that is private to this user, and as root the embedded
    # PostgreSQL runs as a user of its own, whose pg_ctl (stop, status) must reach its data folder.
    root = Path(tempfile.mkdtemp(prefix="tessera-faults-"))
    root.chmod(0o755)
    try:
        yield from _run_stack(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run_stack(root: Path):
    postgres = EmbeddedPostgres(root / "pg")
    redis = EmbeddedRedis(root / "redis", socket_path=root / "redis.sock")
    postgres.start()
    redis.start()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TESSERA_", "DJANGO_ALLOW_ASYNC")) and key != "DATABASE_URL"}
    env.update({
        "DATABASE_URL": postgres.url(), "TESSERA_BROKER_URL": redis.url(), "TESSERA_VAR_DIR": str(root / "var"),
        "TESSERA_TASK_QUEUE": f"faults-{os.getpid()}", "TESSERA_LOG_LEVEL": "WARNING",
        "TESSERA_JOB_HEARTBEAT_SECONDS": "4", "TESSERA_JOB_SWEEP_SECONDS": "2", "TESSERA_OUTBOX_DRAIN_SECONDS": "2",
        "TESSERA_INDEX_INLINE_LIMIT": "100", "TESSERA_INDEX_BATCH": "5",
        "TESSERA_WEB_WORKERS": "1", "TESSERA_WORKER_CONCURRENCY": "1", "TESSERA_CONN_MAX_AGE": "0",
    })
    (root / "var").mkdir()
    bootstrap = subprocess.run([str(BIN / "python"), "-c", _BOOTSTRAP], env={**env, "DJANGO_SETTINGS_MODULE": "tessera.settings"},
                               cwd=root, capture_output=True, text=True, timeout=240)
    assert bootstrap.returncode == 0, bootstrap.stderr[-3000:]
    token = next(line[4:] for line in bootstrap.stdout.splitlines() if line.startswith("KEY="))
    port = _free_port()
    supervisor = Supervisor(env=env, cwd=root / "var")
    stack = Stack(postgres, redis, supervisor, port, token, env)
    try:
        supervisor.start("web", web_server_argv(BIN, "127.0.0.1", port, workdir=root / "var", env=env))
        supervisor.start("worker", worker_argv(BIN, env=env))
        supervisor.start("beat", beat_argv(BIN, root / "var" / "celerybeat-schedule"))
        assert wait_for(lambda: (supervisor.check(), stack.healthy())[1], timeout=60), "the stack did not start"
        yield stack
    finally:
        supervisor.stop()
        redis.stop()
        postgres.stop()


@pytest.fixture
def supervised(stack):
    """Keeps the supervisor supervising (restarting what dies) in the background during a test."""
    import threading

    stopped = threading.Event()

    def loop():
        while not stopped.is_set():
            stack.supervisor.check()
            time.sleep(0.2)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield stack
    stopped.set()
    thread.join()
