"""`tessera run` and `tessera test`: start what is needed, supervise it, stop everything on exit.

`run` prepares the database (migrations, demo tenant) in this process, then starts the web server
(gunicorn), a Celery worker and Celery beat as child processes, each in its own session so that
Ctrl-C reaches only this supervisor, which restarts any of them that dies (the others keep
serving) and on Ctrl-C stops them in order and the embedded servers after them. No PID files are
written, so the next start is always clean.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tessera.embedded import EmbeddedServices
from tessera.settings_paths import BASE_DIR, VAR_DIR


@dataclass
class Child:
    """A supervised process: how to start it, the running process, and when to restart it."""

    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0  # crashes in a row, for the back-off
    restart_at: float | None = None


class Supervisor:
    """Runs the web server, the Celery worker and beat; restarts whichever of them dies.

    A crashed child is restarted after a back-off that doubles with each crash in a row (1 s, 2 s,
    4 s… up to 30 s) and starts again from 1 s once the child has run for a minute, so a child that
    cannot start does not spin, and the others keep serving meanwhile. Before a restart, whatever
    is left of the dead child's process group (a Celery pool's children) is killed.
    """

    BACKOFF_FIRST = 1.0
    BACKOFF_MAX = 30.0
    STABLE_AFTER = 60.0

    def __init__(self, *, env: dict[str, str] | None = None, cwd: Path = VAR_DIR) -> None:
        self.children: list[Child] = []
        self.env = env  # None: this process's environment
        self.cwd = cwd

    def start(self, name: str, argv: list[str]) -> None:
        child = Child(name, argv)
        self.children.append(child)
        self._spawn(child)

    def _spawn(self, child: Child) -> None:
        # Not the repository root as working directory: tools that put the working directory on
        # sys.path would find platform/ there and shadow the standard library's `platform`.
        child.process = subprocess.Popen(child.argv, start_new_session=True, cwd=self.cwd, env=self.env)
        child.started_at = time.monotonic()
        child.restart_at = None

    def check(self) -> None:
        """Notice children that died and restart those whose back-off has passed."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is None and child.process is not None and child.process.poll() is not None:
                _kill_group(child.process.pid)
                child.failures = 1 if now - child.started_at >= self.STABLE_AFTER else child.failures + 1
                delay = min(self.BACKOFF_MAX, self.BACKOFF_FIRST * 2 ** (child.failures - 1))
                child.restart_at = now + delay
                print(f"tessera: {child.name} exited with status {child.process.returncode}; "
                      f"restarting it in {delay:.0f} s.", file=sys.stderr, flush=True)
            elif child.restart_at is not None and now >= child.restart_at:
                print(f"tessera: restarting {child.name}.", file=sys.stderr, flush=True)
                self._spawn(child)

    def wait(self) -> int:
        """Supervise until a signal asks us to stop."""
        stop: dict[str, int | None] = {"signal": None}

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop["signal"] = signum

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while stop["signal"] is None:
            self.check()
            time.sleep(0.3)
        return 0

    def stop(self) -> None:
        running = [(c.name, c.process) for c in reversed(self.children)
                   if c.process is not None and c.process.poll() is None]
        for _name, process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name, process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"tessera: {name} did not stop in time; killing it.", file=sys.stderr)
                _kill_group(process.pid)
                process.wait()
        for child in self.children:
            if child.process is not None:
                _kill_group(child.process.pid)  # leftovers of a child that died on its own
        self.children.clear()


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def web_server_argv(bin_dir: Path, host: str, port: int, *, workdir: Path = VAR_DIR,
                    env: Mapping[str, str] = os.environ) -> list[str]:
    """gunicorn, threaded. Keep-alive outlives the idle time after which clients and proxies reuse a
    connection (browsers ~60 s, nginx's upstream keepalive_timeout 60 s): a server that closed an
    idle connection first (gunicorn's default is 2 s) would close it under a client's next request.
    A proxy in front must close idle connections before Tessera does (see README)."""
    return [
        str(bin_dir / "gunicorn"), "tessera.wsgi:application", "--chdir", str(workdir), "--bind", f"{host}:{port}",
        "--workers", env.get("TESSERA_WEB_WORKERS", "2"),
        "--threads", env.get("TESSERA_WEB_THREADS", "4"), "--worker-class", "gthread",
        "--keep-alive", env.get("TESSERA_KEEPALIVE_SECONDS", "75"),
        "--timeout", "60", "--graceful-timeout", "10", "--access-logfile", "-",
    ]


def worker_argv(bin_dir: Path, *, env: Mapping[str, str] = os.environ) -> list[str]:
    return [str(bin_dir / "celery"), "-A", "tessera.celery:app", "worker", "--loglevel", "INFO",
            "--concurrency", env.get("TESSERA_WORKER_CONCURRENCY", "2"),
            "-Q", env.get("TESSERA_TASK_QUEUE", "tessera")]


def beat_argv(bin_dir: Path, schedule: Path) -> list[str]:
    return [str(bin_dir / "celery"), "-A", "tessera.celery:app", "beat", "--loglevel", "INFO",
            "--schedule", str(schedule), "--pidfile="]


def run(*, host: str, port: int, with_demo: bool = True) -> int:
    print("Tessera: starting…", flush=True)
    with EmbeddedServices(database=True, broker=True):
        django.setup()
        # Modules with models: importable once django.setup() has loaded the apps, which needs the
        # database URL the embedded server has only just given.
        from tenants import bootstrap, demo  # noqa: PLC0415 - after django.setup()

        bootstrap.migrate_platform(verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        login = None
        if with_demo:
            demo.ensure_demo_tenant(progress=lambda message: print(f"  … {message}", flush=True))
            login = (demo.DEMO_ADMIN_EMAIL, demo.DEMO_ADMIN_PASSWORD)
        connection.close()  # the children open their own connections

        bin_dir = Path(sys.executable).parent
        supervisor = Supervisor()
        status = 1
        try:
            supervisor.start("web", web_server_argv(bin_dir, host, port))
            supervisor.start("worker", worker_argv(bin_dir))
            supervisor.start("beat", beat_argv(bin_dir, VAR_DIR / "celerybeat-schedule"))
            _print_banner(port, login)
            status = supervisor.wait()
        finally:
            print("Tessera: stopping…", flush=True)
            supervisor.stop()
    print("Tessera: stopped.", flush=True)
    return status


def _print_banner(port: int, login: tuple[str, str] | None) -> None:
    base = settings.TESSERA_BASE_DOMAIN
    lines = ["", "=" * 64, f"  Tessera is running:  http://demo.{base}:{port}/"]
    if login:
        lines.append(f"  Log in as {login[0]} / {login[1]}")
    lines += [f"  Platform health:     http://{base}:{port}/healthz", "  Stop with Ctrl-C.", "=" * 64, ""]
    print("\n".join(lines), flush=True)


def run_tests(pytest_args: list[str]) -> int:
    """Run pytest against the given servers, or embedded ones started (and stopped) here."""
    env_queue = f"tessera-test-{os.getpid()}"
    with EmbeddedServices(database=True, broker=True):
        env = {**os.environ, "TESSERA_TASK_QUEUE": os.environ.get("TESSERA_TASK_QUEUE", env_queue)}
        # The pytest script, not `python -m pytest`, which would put the repository root (and so
        # platform/) on sys.path ahead of the standard library.
        pytest = str(Path(sys.executable).parent / "pytest")
        return subprocess.call([pytest, *pytest_args], cwd=BASE_DIR, env=env)
