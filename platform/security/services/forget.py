"""What the security tables hold about an object being deleted (metadata.services.delete_object
calls this in its transaction): its records' shares and history, its sharing rules, and its entry in
every profile and permission set (whose specs name only existing objects)."""

from __future__ import annotations

from tessera.records.models import RecordChange

from .. import versioning
from ..models import PermissionSet, Profile, RecordShare, SharingRule


def forget_object(object_id: int, api_name: str) -> None:
    RecordShare.objects.filter(object_id=object_id).delete()
    SharingRule.objects.filter(object_id=object_id).delete()
    RecordChange.objects.filter(object_id=object_id).delete()
    for model in (Profile, PermissionSet):
        for row in model.objects.all():
            objects = (row.spec or {}).get("objects") or {}
            if api_name in objects:
                del objects[api_name]
                row.save(update_fields=["spec"])
    versioning.bump()
