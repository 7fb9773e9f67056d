"""What the security tables hold about an object being deleted, kept or put back
(metadata.services.objects calls these in its transactions).

Deleting an object is soft (the object, its records and their history stay until its retention
ends), so `forget_object` takes off only what names the object where other definitions are listed
(sharing rules, every profile's and permission set's rights to it) and returns it, for
`remember_object` to put back on a restore. The records' shares and history stay with the records
and go with them when the object is purged (`forget_object_records`)."""

from __future__ import annotations

from typing import Any

from tessera.records.models import RecordChange

from .. import versioning
from ..models import Department, PermissionSet, Profile, RecordShare, Role, SharingRule

#: What of a sharing rule a restore writes back (its id and creation time are new).
RULE_COLUMNS = ("name", "filters", "department_id", "role_id", "include_sub", "access", "active", "created_by_id")
#: Where profiles' and permission sets' rights to the object are kept: key → model.
RIGHTS: dict[str, type[Profile] | type[PermissionSet]] = {"profiles": Profile, "permission_sets": PermissionSet}


def forget_object(object_id: int, api_name: str) -> dict[str, Any]:
    """Take the object off the sharing rules and the rights; returns what was taken (JSON)."""
    rules = SharingRule.objects.filter(object_id=object_id).order_by("id")
    kept: dict[str, Any] = {"sharing_rules": list(rules.values(*RULE_COLUMNS))}
    rules.delete()
    for key, model in RIGHTS.items():
        taken = {}
        for row in model.objects.all():
            objects = (row.spec or {}).get("objects") or {}
            if api_name in objects:
                taken[str(row.pk)] = objects.pop(api_name)
                row.save(update_fields=["spec"])
        kept[key] = taken
    versioning.bump()
    return kept


def remember_object(object_id: int, api_name: str, kept: dict[str, Any]) -> int:
    """Put back what `forget_object` took, where its holder still exists (a profile, department or
    role deleted meanwhile takes its part with it); returns how many parts could not come back."""
    lost = 0
    departments = set(Department.objects.values_list("id", flat=True))
    roles = set(Role.objects.values_list("id", flat=True))
    for rule in kept.get("sharing_rules") or ():
        if rule.get("department_id") not in departments and rule.get("role_id") not in roles:
            lost += 1
            continue
        SharingRule.objects.create(object_id=object_id, **{k: rule.get(k) for k in RULE_COLUMNS})
    for key, model in RIGHTS.items():
        taken = kept.get(key) or {}
        for row in model.objects.filter(pk__in=[int(pk) for pk in taken]):
            row.spec.setdefault("objects", {}).setdefault(api_name, taken[str(row.pk)])
            row.save(update_fields=["spec"])
        lost += len(taken) - model.objects.filter(pk__in=[int(pk) for pk in taken]).count()
    versioning.bump()
    return lost


def forget_object_records(object_id: int) -> None:
    """The records' shares and history, when the object's records are removed for good."""
    RecordShare.objects.filter(object_id=object_id).delete()
    RecordChange.objects.filter(object_id=object_id).delete()
