"""Small helpers shared by the benchmarks in bench/: a throw-away database, statistics, machine facts.

A benchmark never touches the database `tessera run` uses: it derives the URL of a database of its
own from DATABASE_URL (or from the embedded PostgreSQL's URL) by swapping the database name, drops
and re-creates that database, and drops it again at the end.
"""

from __future__ import annotations

import cProfile
import math
import os
import pstats
import re
import statistics
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

_DATABASE_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def say(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the results."""
    print(message, file=sys.stderr, flush=True)


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    """The same server, user and options (`?host=/socket/dir` included), another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _maintenance_connection(url: str):
    last_error: Exception | None = None
    for name in ("postgres", "template1"):
        try:
            conn = psycopg2.connect(with_database(url, name))
        except psycopg2.OperationalError as exc:
            last_error = exc
            continue
        conn.autocommit = True
        return conn
    raise RuntimeError(f"cannot reach the PostgreSQL server of {redact(url)}: {last_error}")


def check_bench_database_name(name: str, forbidden: set[str]) -> None:
    if not _DATABASE_NAME_RE.match(name):
        raise SystemExit(f"error: {name!r} is not a plain lowercase database name")
    if name in forbidden:
        raise SystemExit(
            f"error: refusing to use database {name!r} for a benchmark: it is (or may be) the one Tessera "
            "runs on, and the benchmark drops its database. Pass another --database."
        )


def recreate_database(url: str) -> None:
    """Drop (disconnecting any session left by an interrupted run) and create the database of `url`."""
    name = database_name(url)
    conn = _maintenance_connection(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def drop_database(url: str) -> None:
    name = database_name(url)
    conn = _maintenance_connection(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()


def redact(url: str) -> str:
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def server_label(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname:
        return f"{parts.hostname}:{parts.port or 5432}"
    match = re.search(r"host=([^&]+)", parts.query)
    return f"unix socket {match.group(1)}" if match else "local socket"


#: The server settings a bulk write's speed depends on at a million records: whether the indexes'
#: pages stay in PostgreSQL's buffers, and how often a checkpoint makes the next change of each page
#: write the whole page to the WAL again (docs/benchmarks.md, issue 13).
WRITE_SETTINGS = ("shared_buffers", "max_wal_size", "checkpoint_timeout", "wal_compression", "synchronous_commit")


def write_settings(cursor) -> str:
    """The server's WRITE_SETTINGS, as one line for a benchmark's facts."""
    values = []
    for name in WRITE_SETTINGS:
        cursor.execute(f"SHOW {name}")
        values.append(f"{name} {cursor.fetchone()[0]}")
    return ", ".join(values)


def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), for 0 <= pct <= 100."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def cpu_facts() -> str:
    total = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = total
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    count = f"{usable}" if usable == total else f"{usable} usable of {total}"
    return f"{count} ({model})" if model else count


def database_cpu(database: str) -> float:
    """CPU seconds (user + system) used so far by the PostgreSQL backends connected to `database` on
    this machine (read from /proc; 0 when the server runs elsewhere)."""
    total = 0
    marker = f" {database} ".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
            if not command.startswith(b"postgres:") or marker not in command:
                continue
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:,.2f} s"


def code_version() -> str:
    """The commit measured, and how many tracked files differed from it (the checkout is shared)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True, timeout=10).stdout.strip()
        changed = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                                 capture_output=True, text=True, check=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        exported = os.environ.get("TESSERA_SOURCE_COMMIT")
        return f"commit {exported} (exported tree)" if exported else "unknown (no git)"
    return f"commit {head}" + (f" + {len(changed)} modified files" if changed else "")


def print_profile(call, label: str) -> None:
    """One call of `call` under cProfile, to stderr, after two unprofiled ones (the first request
    of a process builds URL patterns and compiles templates): where a case's time goes."""
    for _ in range(2):
        call()
    say(f"cProfile of {label}:")
    profiler = cProfile.Profile()
    profiler.runcall(call)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
