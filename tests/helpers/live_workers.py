"""Tessera served by gunicorn with several worker processes against the test database, for tests
whose claim is about separate processes (a lockout or a throttle shared by every worker, a counter
under concurrent writers): inside one test transaction, or one process, they would prove nothing.

The server reads only what is committed; the test commits what it needs (see conftest.committed)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The test database (the one the test session created), as a DATABASE_URL."""
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class LiveWorkers:
    """`with LiveWorkers(workers=2, env={...}) as server:` then `server.url` (http://127.0.0.1:<port>);
    send a tenant's host in the Host header. `restart()` stops every process and starts new ones."""

    def __init__(self, *, workers: int = 2, threads: int = 4, env: dict[str, str] | None = None):
        self.workers = workers
        self.threads = threads
        self.env = {**os.environ, "DATABASE_URL": database_url(), "TESSERA_CONN_MAX_AGE": "0", **(env or {})}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LiveWorkers:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.process = subprocess.Popen(
            [gunicorn, "tessera.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers",
             str(self.workers), "--threads", str(self.threads), "--worker-class", "gthread", "--log-level", "warning"],
            env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(urllib.request.Request(f"{self.url}/healthz", headers={"Host": "localhost"}),
                                       timeout=2)
                return
            except urllib.error.HTTPError:
                return  # answering (503 if, say, the broker is away): the workers are up
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def worker_pids(self) -> set[int]:
        import psutil

        return {child.pid for child in psutil.Process(self.process.pid).children()}


def post_json(url: str, host: str, body: dict, *, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    """POST JSON on a fresh connection; (status, parsed answer)."""
    import json

    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Host": host, "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
