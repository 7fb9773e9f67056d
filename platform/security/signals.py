"""Signal receivers: bump the security version on every change to rights, and mirror metadata
changes into the audit log (linked to their MetadataChange row)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connection
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from metadata.models import MetadataChange

from . import audit, versioning
from .models import (
    Department,
    PermissionSet,
    Profile,
    RecordShare,
    Role,
    SharingRule,
    SupportGrant,
    User,
)

if TYPE_CHECKING:
    from metadata.models import MetadataChange

_ready_schemas: set[str] = set()


def _ready() -> bool:
    """Whether this schema has the security tables yet (not while older migrations run)."""
    schema = connection.schema_name  # type: ignore[attr-defined]
    if schema in _ready_schemas:
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('security_securityversion') IS NOT NULL "
                       "AND to_regclass('security_auditentry') IS NOT NULL")
        ready = bool(cursor.fetchone()[0])
    if ready:
        _ready_schemas.add(schema)
    return ready

#: Saves of a user that change nobody's rights.
HARMLESS_USER_FIELDS = frozenset({"last_login", "password", "full_name", "language"})


def _bump(sender: type[Model], **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if sender.__name__ == "User" and update_fields and set(update_fields) <= HARMLESS_USER_FIELDS:
        return
    if _ready():
        versioning.bump()


def _m2m(sender: type[Model], action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and _ready():
        versioning.bump()


def _metadata_change(sender: type[Model], instance: MetadataChange, created: bool, **kwargs: Any) -> None:
    if not created or not _ready():
        return

    user = instance.changed_by
    audit.log(user, f"metadata.{instance.entity}.{instance.action}", target_type=f"metadata:{instance.entity}",
              target_id=instance.entity_id if instance.entity_id is not None else "",
              email=None if user is not None else "system",
              detail={"metadata_change": instance.pk, "version": instance.version})


def connect() -> None:
    for model in (Department, PermissionSet, Profile, RecordShare, Role, SharingRule, SupportGrant, User):
        post_save.connect(_bump, sender=model, dispatch_uid=f"security-bump-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"security-bump-delete-{model.__name__}")
    m2m_changed.connect(_m2m, sender=User.permission_sets.through, dispatch_uid="security-bump-m2m")
    if apps.is_installed("metadata"):
        post_save.connect(_metadata_change, sender=MetadataChange, dispatch_uid="security-audit-metadata")
