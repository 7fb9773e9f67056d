"""Metadata versions and change history.

Every metadata change calls `record_change` in its own transaction: the tenant's version row is
locked (serialising metadata changes of one tenant), bumped, given a fresh token, and the change is
appended to the history. Cached snapshots are keyed by (schema, version, token), so the next read
after the commit compiles a new snapshot and no request ever sees stale metadata.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, transaction

from .models import MetadataChange, MetadataVersion

if TYPE_CHECKING:
    from tessera.security.actor import Actor
    from tessera.security.models import User


#: The change being reverted while a revert runs (see `reverting`).
_reverting: contextvars.ContextVar[int | None] = contextvars.ContextVar("tessera_metadata_reverting", default=None)


@contextmanager
def reverting(change_id: int) -> Iterator[None]:
    """Changes recorded inside this block undo the change `change_id`: the history says so."""
    token = _reverting.set(change_id)
    try:
        yield
    finally:
        _reverting.reset(token)


def current_version() -> tuple[int, str, bool]:
    """(version, token, changed in this transaction). A snapshot of metadata the current transaction
    is changing must not be cached: the change is not committed, and may still change."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version, token::text, "
            "position(',' || %s || ',' in coalesce(current_setting('tessera.metadata_changing', true), '') || ',') > 0 "
            "FROM metadata_metadataversion ORDER BY id LIMIT 1",
            [connection.schema_name],  # type: ignore[attr-defined]
        )
        row = cursor.fetchone()
    if row is None:
        return 0, "", False
    return row[0], row[1], bool(row[2])


def record_change(*, entity: str, action: str, entity_id: int | None = None, before: Any = None,
                  after: Any = None, user: Actor | None = None, object_id: int | None = None) -> int:
    """Bump the version and append a change record. Must run inside the change's transaction.
    `object_id`: the object the change belongs to (an object's own id and a field's object are
    known from the change itself)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("metadata changes must run inside a transaction")
    row = MetadataVersion.objects.select_for_update().first()
    if row is None:
        row = MetadataVersion.objects.create(version=0, token=uuid.uuid4())
        row = MetadataVersion.objects.select_for_update().get(pk=row.pk)
    row.version += 1
    row.token = uuid.uuid4()
    row.save(update_fields=["version", "token"])
    with connection.cursor() as cursor:
        # The change is complete: its snapshot (under this new token, never reused even if the
        # transaction rolls back) may be cached and served from here on.
        cursor.execute(
            "SELECT set_config('tessera.metadata_changing', "
            "replace(coalesce(current_setting('tessera.metadata_changing', true), '') || ',', ',' || %s || ',', ','), "
            "true)", [connection.schema_name])  # type: ignore[attr-defined]
    MetadataChange.objects.create(
        version=row.version,
        changed_by=cast("User", user) if getattr(user, "pk", None) else None,  # SYSTEM: None
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        object_id=object_id or _object_of(entity, entity_id, before, after),
        reverts=_reverting.get(),
    )
    return row.version


def _object_of(entity: str, entity_id: int | None, before: Any, after: Any) -> int | None:
    if entity == "object":
        return entity_id
    snapshot = after if isinstance(after, dict) else before if isinstance(before, dict) else {}
    return snapshot.get("object_id")


def lock_metadata() -> None:
    """Take the tenant's metadata lock first, so checks (is this name taken?) and writes of one
    change cannot interleave with another's. Released when the transaction ends.

    The version row is updated (new token), and a transaction-local setting records that this
    transaction (or savepoint: rolling it back reverts the setting) changes this schema's metadata:
    get_meta() then compiles fresh snapshots of it instead of serving or caching them.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("metadata changes must run inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('tessera.metadata_changing', "
            "coalesce(current_setting('tessera.metadata_changing', true), '') || ',' || %s, true)",
            [connection.schema_name])  # type: ignore[attr-defined]
    if not MetadataVersion.objects.update(token=uuid.uuid4()):
        MetadataVersion.objects.create(version=0, token=uuid.uuid4())
