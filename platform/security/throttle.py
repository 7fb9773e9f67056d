"""Failed-login throttling that holds under parallel attempts, and shared request-rate throttles.

Login: three counters, rows of LoginThrottle in the tenant's schema (so every process and machine
agrees, a restart forgets nothing, and the same email in two tenants counts twice, apart):

- pair, (account, client address): TESSERA_LOGIN_MAX_FAILURES attempts lock that pair for
  TESSERA_LOGIN_LOCK_MINUTES, even for the right password. Other addresses are not locked, so an
  attacker cannot lock a person out from everywhere by guessing from their own machine.
- account, from any address: past TESSERA_LOGIN_MAX_FAILURES failures, each further attempt must wait
  a delay that doubles with every failure (1 s, 2 s, 4 s …) up to TESSERA_LOGIN_MAX_DELAY_SECONDS. A
  guesser spread over many addresses gets a handful of guesses an hour; the person waits at most
  that long, and is never locked out.
- client, any account from one address: TESSERA_LOGIN_MAX_FAILURES_PER_CLIENT failures lock the
  address (password spraying); a success gives its attempt back, so an office behind one address
  is not locked by its own logins.

An attempt is counted *before* the password is checked (`begin_attempt`), in one transaction whose
INSERT … ON CONFLICT … DO UPDATE … RETURNING takes each row's lock: parallel attempts queue on the
rows, and at most the limit of them reach the (slow) password check; the rest are refused without
it. django-axes checks the lock before the password and counts the failure after it, so parallel
attempts all pass its check (jazzband/django-axes#592, "won't fix"): hence this module.

A counter starts again from zero after TESSERA_LOGIN_LOCK_MINUTES without an attempt; a successful
login clears the pair and account counters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, throttling

from .audit import client_ip
from .models import LoginThrottle, RateCounter

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


@dataclass(frozen=True)
class Counter:
    scope: str
    key: str
    #: Failures allowed before the lock or delay starts.
    free: int
    growing: bool = False

    def penalty(self, failures: int) -> dt.timedelta | None:
        """How long this counter refuses attempts after the `failures`-th one."""
        if failures < self.free:
            return None
        if not self.growing:
            return _lock_time()
        seconds = min(2 ** min(failures - self.free, 30), _max_delay())
        return dt.timedelta(seconds=seconds)


@dataclass(frozen=True)
class Attempt:
    """The outcome of `begin_attempt`: refused (with the time it may be tried again), or counted."""

    refused_until: dt.datetime | None
    #: The scopes this attempt locked or delayed (logged as login.locked if the password is wrong).
    locks: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return self.refused_until is not None


def _max_failures() -> int:
    return int(getattr(settings, "TESSERA_LOGIN_MAX_FAILURES", 5))


def _lock_time() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "TESSERA_LOGIN_LOCK_MINUTES", 15)))


def _max_delay() -> int:
    return int(getattr(settings, "TESSERA_LOGIN_MAX_DELAY_SECONDS", 300))


def _counters(email: str | None, ip: str | None) -> list[Counter]:
    """In a fixed order (pair, account, client), the order their rows are locked in: no deadlocks."""
    email = (email or "").strip().lower()[:254]
    counters = []
    if email and ip:
        counters.append(Counter("pair", f"{email} {ip}", _max_failures()))
    if email:
        counters.append(Counter("account", email, _max_failures(), growing=True))
    if ip:
        counters.append(Counter("client", ip, int(getattr(settings, "TESSERA_LOGIN_MAX_FAILURES_PER_CLIENT", 30))))
    return counters


_COUNT = """
    INSERT INTO security_loginthrottle AS t (scope, key, failures, last_attempt_at, locked_until)
    VALUES (%(scope)s, %(key)s, 1, %(now)s, NULL)
    ON CONFLICT (scope, key) DO UPDATE SET
        failures = CASE WHEN t.last_attempt_at < %(quiet_since)s THEN 1 ELSE t.failures + 1 END,
        last_attempt_at = %(now)s,
        locked_until = NULL
    WHERE t.locked_until IS NULL OR t.locked_until <= %(now)s
    RETURNING failures
"""


def begin_attempt(email: str | None, ip: str | None) -> Attempt:
    """Count a login attempt before its password is checked, or refuse it (counting nothing) while
    one of its counters is locked or delayed."""
    now = timezone.now()
    locks = []
    with transaction.atomic(), connection.cursor() as cursor:
        for counter in _counters(email, ip):
            params: dict[str, Any] = {"scope": counter.scope, "key": counter.key, "now": now, "quiet_since": now - _lock_time()}
            cursor.execute(_COUNT, params)
            row = cursor.fetchone()
            if row is None:  # locked: the row is ours until commit, its lock time cannot move
                cursor.execute("SELECT locked_until FROM security_loginthrottle WHERE scope = %s AND key = %s",
                               [counter.scope, counter.key])
                transaction.set_rollback(True)  # the counters before this one count nothing either
                return Attempt(refused_until=cursor.fetchone()[0])
            penalty = counter.penalty(row[0])
            if penalty is not None:
                cursor.execute("UPDATE security_loginthrottle SET locked_until = %s WHERE scope = %s AND key = %s",
                               [now + penalty, counter.scope, counter.key])
                locks.append(counter.scope)
    return Attempt(refused_until=None, locks=tuple(locks))


def succeeded(email: str, ip: str | None) -> None:
    """The password was right: forget the pair's and the account's failures, give the client its
    attempt back."""
    counters = {c.scope: c for c in _counters(email, ip)}
    with transaction.atomic():
        LoginThrottle.objects.filter(scope__in=["pair", "account"],
                                     key__in=[c.key for s, c in counters.items() if s != "client"]).delete()
        if "client" in counters:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE security_loginthrottle SET failures = GREATEST(failures - 1, 0) "
                               "WHERE scope = 'client' AND key = %s", [counters["client"].key])


def locked_until(email: str | None, ip: str | None) -> dt.datetime | None:
    """Until when an attempt for this account from this address would be refused (None: it would not)."""
    counters = _counters(email, ip)
    if not counters:
        return None
    found: dt.datetime | None = None
    for counter in counters:
        row = LoginThrottle.objects.filter(scope=counter.scope, key=counter.key,
                                           locked_until__gt=timezone.now()).first()
        if row is not None and (found is None or row.locked_until > found):  # type: ignore[operator]
            found = row.locked_until
    return found


def clear_account(email: str) -> None:
    """Lift every lock of an account (its owner proved who they are, e.g. by resetting the password)."""
    email = email.strip().lower()[:254]
    LoginThrottle.objects.filter(scope="account", key=email).delete()
    LoginThrottle.objects.filter(scope="pair", key__startswith=f"{email} ").delete()


# --- request rates shared by every process ---------------------------------------------------------


class StoreUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = _("This service is unavailable for a moment; try again shortly.")
    default_code = "service_unavailable"


class SharedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's ScopedRateThrottle (rates in DEFAULT_THROTTLE_RATES by the view's `throttle_scope`),
    counting in the database of the current schema instead of the process's cache: every web
    worker and machine shares the count, and a restart forgets nothing. Fixed windows of the rate's
    duration. If the count cannot be kept (the database is unreachable), the request is refused
    with a 503 rather than let through unthrottled."""

    now: dt.datetime  # type: ignore[assignment]  # a moment, where DRF's throttles keep time.time()
    window_start: dt.datetime

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        assert self.num_requests is not None and self.duration is not None  # a scope has a rate
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = timezone.now()
        try:
            hits, self.window_start = _hit(self.key[:200], self.now, self.duration)
        except DatabaseError:
            raise StoreUnavailable() from None
        return hits <= self.num_requests

    def get_ident(self, request: Request) -> str:
        """The client's address as the audit log reads it (X-Forwarded-For only behind
        TESSERA_TRUSTED_PROXIES proxies; DRF's own reading trusts any client's header)."""
        return client_ip(request) or "unknown"

    def wait(self) -> float:
        elapsed = (self.now - self.window_start).total_seconds()
        return max((self.duration or 0) - elapsed, 1.0)


def allow(scope: str, ident: str) -> bool:
    """Count one request of `ident` (a client address) against the rate DEFAULT_THROTTLE_RATES gives
    `scope`, for views outside DRF; False once over it. Raises DatabaseError if it cannot count."""
    num_requests, duration = throttling.SimpleRateThrottle.parse_rate(None, settings.REST_FRAMEWORK[  # type: ignore[arg-type]
        "DEFAULT_THROTTLE_RATES"][scope])  # type: ignore[index]
    assert num_requests is not None and duration is not None  # a scope has a rate
    hits, _start = _hit(f"throttle_{scope}_{ident}"[:200], timezone.now(), duration)
    return hits <= num_requests


def _hit(key: str, now: dt.datetime, duration: int) -> tuple[int, dt.datetime]:
    """Count one request on `key`; returns the window's count so far and its start. In a savepoint:
    a failure here must not spoil a surrounding transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO security_ratecounter AS c (key, window_start, hits) VALUES (%(key)s, %(now)s, 1)
            ON CONFLICT (key) DO UPDATE SET
                hits = CASE WHEN c.window_start <= %(expired)s THEN 1 ELSE c.hits + 1 END,
                window_start = CASE WHEN c.window_start <= %(expired)s THEN %(now)s ELSE c.window_start END
            RETURNING hits, window_start
            """,
            {"key": key, "now": now, "expired": now - dt.timedelta(seconds=duration)},
        )
        return cursor.fetchone()


__all__ = ["Attempt", "RateCounter", "SharedRateThrottle", "allow", "begin_attempt", "clear_account", "locked_until",
           "succeeded"]
