"""Failed-login throttling, per account and per client address.

TESSERA_LOGIN_MAX_FAILURES failures (default 5) within TESSERA_LOGIN_LOCK_MINUTES (default 15) lock the
account, or the address, for TESSERA_LOGIN_LOCK_MINUTES: while locked, even the right password is
refused. Counters live in the database (each schema its own), so every process and machine agrees.
A successful login clears the account's counter (not the address's: one valid account must not let
an address go on guessing others).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone


def _max_failures() -> int:
    return int(getattr(settings, "TESSERA_LOGIN_MAX_FAILURES", 5))


def _lock_time() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "TESSERA_LOGIN_LOCK_MINUTES", 15)))


def _keys(email: str | None, ip: str | None) -> list[tuple[str, str]]:
    keys = []
    if email:
        keys.append(("account", email.strip().lower()[:254]))
    if ip:
        keys.append(("ip", ip))
    return keys


def locked(email: str | None, ip: str | None) -> bool:
    from .models import LoginThrottle

    keys = _keys(email, ip)
    if not keys:
        return False
    now = timezone.now()
    for scope, key in keys:
        if LoginThrottle.objects.filter(scope=scope, key=key, locked_until__gt=now).exists():
            return True
    return False


def record_failure(email: str | None, ip: str | None) -> bool:
    """Count a failure; returns True when it locks the account or the address."""
    window = _lock_time()
    now = timezone.now()
    tripped = False
    with connection.cursor() as cursor:
        for scope, key in _keys(email, ip):
            cursor.execute(
                """
                INSERT INTO security_loginthrottle (scope, key, failures, window_start, locked_until)
                VALUES (%(scope)s, %(key)s, 1, %(now)s, NULL)
                ON CONFLICT (scope, key) DO UPDATE SET
                    failures = CASE WHEN security_loginthrottle.window_start < %(since)s
                                    THEN 1 ELSE security_loginthrottle.failures + 1 END,
                    window_start = CASE WHEN security_loginthrottle.window_start < %(since)s
                                        THEN %(now)s ELSE security_loginthrottle.window_start END
                RETURNING failures, locked_until
                """,
                {"scope": scope, "key": key, "now": now, "since": now - window},
            )
            failures, locked_until = cursor.fetchone()
            if failures >= _max_failures() and (locked_until is None or locked_until <= now):
                cursor.execute("UPDATE security_loginthrottle SET locked_until = %s WHERE scope = %s AND key = %s",
                               [now + window, scope, key])
                tripped = True
    return tripped


def clear_account(email: str) -> None:
    from .models import LoginThrottle

    LoginThrottle.objects.filter(scope="account", key=email.strip().lower()[:254]).delete()
