"""`tessera run` and `tessera test`: start what is needed, supervise it, stop everything on exit.

`run` prepares the database (migrations, demo tenant) in this process, then starts the web server
(gunicorn), a Celery worker and Celery beat as child processes, each in its own session so that
Ctrl-C reaches only this supervisor, which then stops them in order and the embedded servers after
them. No PID files are written, so the next start is always clean.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from tessera.embedded import EmbeddedServices
from tessera.settings_paths import BASE_DIR, VAR_DIR


class Supervisor:
    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str]) -> None:
        # Not the repository root as working directory: tools that put the working directory on
        # sys.path would find platform/ there and shadow the standard library's `platform`.
        process = subprocess.Popen(argv, start_new_session=True, cwd=VAR_DIR)
        self.children.append((name, process))

    def wait(self) -> int:
        """Block until a child dies (then stop the rest) or a signal asks us to stop."""
        stop: dict[str, int | None] = {"signal": None}

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop["signal"] = signum

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while stop["signal"] is None:
            for name, process in self.children:
                if process.poll() is not None:
                    print(f"tessera: {name} exited with status {process.returncode}; stopping.", file=sys.stderr)
                    return process.returncode or 1
            time.sleep(0.3)
        return 0

    def stop(self) -> None:
        for _name, process in reversed(self.children):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name, process in reversed(self.children):
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"tessera: {name} did not stop in time; killing it.", file=sys.stderr)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.children.clear()


def run(*, host: str, port: int, demo: bool = True) -> int:
    print("Tessera: starting…", flush=True)
    with EmbeddedServices(database=True, broker=True):
        import django

        django.setup()
        from django.db import connection

        from tenants.bootstrap import migrate_platform

        migrate_platform(verbosity=0)
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        login = None
        if demo:
            from tenants.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, ensure_demo_tenant

            ensure_demo_tenant(progress=lambda message: print(f"  … {message}", flush=True))
            login = (DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)
        connection.close()  # the children open their own connections

        bin_dir = Path(sys.executable).parent
        beat_schedule = str(VAR_DIR / "celerybeat-schedule")
        supervisor = Supervisor()
        status = 1
        try:
            supervisor.start(
                "web",
                [str(bin_dir / "gunicorn"), "tessera.wsgi:application", "--chdir", str(VAR_DIR), "--bind", f"{host}:{port}",
                 "--workers", "2", "--threads", "4", "--worker-class", "gthread",
                 "--access-logfile", "-", "--graceful-timeout", "10"],
            )
            supervisor.start(
                "worker",
                [str(bin_dir / "celery"), "-A", "tessera.celery:app", "worker", "--loglevel", "INFO",
                 "--concurrency", "2", "-Q", os.environ.get("TESSERA_TASK_QUEUE", "tessera")],
            )
            supervisor.start(
                "beat",
                [str(bin_dir / "celery"), "-A", "tessera.celery:app", "beat", "--loglevel", "INFO",
                 "--schedule", beat_schedule, "--pidfile="],
            )
            _print_banner(port, login)
            status = supervisor.wait()
        finally:
            print("Tessera: stopping…", flush=True)
            supervisor.stop()
    print("Tessera: stopped.", flush=True)
    return status


def _print_banner(port: int, login: tuple[str, str] | None) -> None:
    from django.conf import settings

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
