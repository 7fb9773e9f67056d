"""Helpers for report tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection


def sleeping_before(run: Callable[..., Any], seconds: float = 0.2) -> Callable[..., Any]:
    """`run` after PostgreSQL sleeps `seconds` in the same transaction: a report slower than a
    statement timeout shorter than that, to send it down the prepared (background) path."""

    def slow(*args: Any, **kwargs: Any) -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
        return run(*args, **kwargs)

    return slow
