"""Writing tasks to the outbox, and relaying them to the broker."""

from __future__ import annotations

import enum
import logging
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from tessera.celery import app

from .models import OutboxMessage

logger = logging.getLogger(__name__)

#: Messages relayed per drain; the rest wait for the next one.
DRAIN_BATCH = 500


def send_on_commit(task_name: str, args: list | None = None, kwargs: dict | None = None, *,
                   countdown: float | None = None) -> OutboxMessage:
    """Queue `task_name` to run in the current schema once the current transaction commits (at once
    outside a transaction). Never fails for want of a broker."""
    message = OutboxMessage.objects.create(
        task=task_name, args=list(args or []), kwargs=dict(kwargs or {}), schema_name=connection.schema_name,  # type: ignore[attr-defined]
        not_before=timezone.now() + timedelta(seconds=countdown) if countdown else None,
    )
    transaction.on_commit(lambda: relay([message.pk]))
    return message


def relay(ids: list[int] | None = None) -> int:
    """Hand the given messages (all of them when None) to the broker; returns how many went.

    Messages are locked (SKIP LOCKED: a concurrent relay takes the others), sent, and deleted in
    short transactions of up to DRAIN_BATCH. When the broker refuses, the rest stay for the next
    drain. A database error (the database is down) is logged and left for the next drain too: the
    relay runs after a commit, where nothing may fail the request that committed."""
    sent = 0
    last_id = 0
    try:
        while True:
            with transaction.atomic():
                queryset = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk__gt=last_id)
                if ids is not None:
                    queryset = queryset.filter(pk__in=ids)
                messages = list(queryset.order_by("id")[:DRAIN_BATCH])
                if not messages:
                    return sent
                for message in messages:
                    last_id = message.pk
                    outcome = _send(message)
                    if outcome is _Outcome.BROKER_DOWN:
                        return sent  # no use trying the others now
                    if outcome is _Outcome.SENT:
                        message.delete()
                        sent += 1
    except DatabaseError as exc:
        logger.warning("outbox relay interrupted by the database: %s", exc)
        return sent


class _Outcome(enum.Enum):
    SENT = "sent"
    BROKER_DOWN = "broker down"
    UNKNOWN_TASK = "unknown task"  # kept, for a person to look at (a task renamed in a release)


def _send(message: OutboxMessage) -> _Outcome:
    task = app.tasks.get(message.task)
    if task is None:
        logger.error("outbox: no task named %s; %s kept", message.task, message)
        OutboxMessage.objects.filter(pk=message.pk).update(last_error="unknown task")
        return _Outcome.UNKNOWN_TASK
    now = timezone.now()
    eta = message.not_before if message.not_before and message.not_before > now else None
    try:
        task.apply_async(args=message.args, kwargs=message.kwargs, eta=eta,
                         headers={"_schema_name": message.schema_name}, retry=False)
    except (BrokerError, OSError) as exc:
        logger.warning("broker unavailable, %s stays in the outbox: %s", message, exc)
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:300])
        return _Outcome.BROKER_DOWN
    return _Outcome.SENT
