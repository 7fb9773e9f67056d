"""`/healthz`: is the database reachable, the broker reachable, are migrations pending? As JSON.

Answers 200 when everything is fine, 503 otherwise, so a load balancer or `make run`'s caller can
wait on it. Pending migrations are counted for the public schema and for the base schema new tenants
are cloned from (`tessera migrate` brings existing tenants along).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET
from django_tenants.utils import schema_exists

from tessera.celery import app

from .migrations_executor import known_migrations, schemas_behind


def is_health_request(request: HttpRequest) -> bool:
    """`/healthz`, which answers (503, saying what is down) even when the tenant routing cannot run
    for want of a database (tessera.core.middleware.DatabaseUnavailableMiddleware)."""
    return request.path == "/healthz"


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "broker": _check_broker()}
    if checks["database"]["ok"]:
        checks["migrations"] = _check_migrations()
    else:
        checks["migrations"] = {"ok": False, "error": "database unavailable"}
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "fail", **checks}, status=200 if ok else 503)


def _timed(func: Callable[[], dict | None]) -> dict:
    started = time.perf_counter()
    try:
        extra = func() or {}
    except Exception as exc:  # noqa: BLE001 - a health check reports failures, it does not raise them
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 1), **extra}


def _check_database() -> dict:
    def probe() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    return _timed(probe)


def _check_broker() -> dict:
    def probe() -> None:
        if settings.TESSERA_BROKER_URL.startswith("memory://"):
            raise RuntimeError("no broker configured (TESSERA_BROKER_URL)")
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)

    return _timed(probe)


def _check_migrations() -> dict:
    def probe() -> dict:
        expected = known_migrations()
        schemas = ["public"]
        if schema_exists(settings.TENANT_BASE_SCHEMA):
            schemas.append(settings.TENANT_BASE_SCHEMA)
        behind = schemas_behind(schemas, expected)
        if not schema_exists(settings.TENANT_BASE_SCHEMA):
            behind.append(settings.TENANT_BASE_SCHEMA)
        if behind:
            raise RuntimeError(f"pending migrations in: {', '.join(behind)}")
        return {"pending": 0}

    return _timed(probe)
