"""JSON forms of security objects (plain functions: the shapes are small and fixed)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..models import Profile
from ..services import has_two_factor

if TYPE_CHECKING:
    from metadata.meta import ObjectMeta

    from ..models import (
        ApiToken,
        AuditEntry,
        Department,
        Invitation,
        PermissionSet,
        RecordShare,
        Role,
        SharingRule,
        SupportGrant,
        User,
    )


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.pk, "email": user.email, "full_name": user.full_name, "is_active": user.is_active,
        "is_admin": user.is_admin, "is_support": user.is_support, "language": user.language,
        "profile": user.profile.api_name if user.profile else None, "role": user.role_id,
        "department": user.department_id,
        "permission_sets": sorted(s.api_name for s in user.permission_sets.all()),
        "date_joined": _iso(user.date_joined), "last_login": _iso(user.last_login),
        "deactivated_at": _iso(user.deactivated_at),
        "two_factor": _two_factor_on(user),
    }


def _two_factor_on(user: User) -> bool:
    """Annotated on lists (services.list_users), asked otherwise."""
    annotated = getattr(user, "two_factor_on", None)
    if annotated is not None:
        return bool(annotated)
    return has_two_factor(user)


def node_json(node: Role | Department) -> dict[str, Any]:
    return {"id": node.pk, "name": node.name, "parent": node.parent_id}


def spec_json(row: Profile | PermissionSet) -> dict[str, Any]:
    body = {"api_name": row.api_name, "spec": row.spec}
    if isinstance(row, Profile):  # permission sets have neither
        body["is_standard"] = row.is_standard
        body["is_default"] = row.is_default
    return body


def rule_json(rule: SharingRule, obj: ObjectMeta | None) -> dict[str, Any]:
    return {"id": rule.pk, "name": rule.name, "object": obj.api_name if obj else None, "filters": rule.filters,
            "department": rule.department_id, "role": rule.role_id, "include_sub": rule.include_sub,
            "access": rule.access, "active": rule.active, "created_at": _iso(rule.created_at)}


def share_json(share: RecordShare) -> dict[str, Any]:
    return {"id": share.pk, "user": share.user_id, "department": share.department_id,
            "include_sub": share.include_sub, "access": share.access, "created_by": share.created_by_id,
            "created_at": _iso(share.created_at)}


def token_json(token: ApiToken, key: str | None = None) -> dict[str, Any]:
    body = {"id": token.pk, "name": token.name, "prefix": token.prefix, "created_at": _iso(token.created_at),
            "last_used_at": _iso(token.last_used_at), "expires_at": _iso(token.expires_at),
            "revoked_at": _iso(token.revoked_at)}
    if key is not None:
        body["key"] = key
    return body


def invitation_json(invitation: Invitation) -> dict[str, Any]:
    return {"id": invitation.pk, "email": invitation.email, "full_name": invitation.full_name,
            "status": invitation.status, "profile": invitation.profile.api_name if invitation.profile else None,
            "role": invitation.role_id, "department": invitation.department_id,
            "permission_set_ids": invitation.permission_set_ids, "invited_by": invitation.invited_by_id,
            "created_at": _iso(invitation.created_at), "expires_at": _iso(invitation.expires_at),
            "accepted_at": _iso(invitation.accepted_at)}


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.pk, "at": _iso(entry.at), "actor": {"id": entry.actor_id, "email": entry.actor_email},
            "support": entry.support, "action": entry.action, "target_type": entry.target_type,
            "target_id": entry.target_id, "detail": entry.detail, "ip": entry.ip, "request_id": entry.request_id}


def grant_json(grant: SupportGrant) -> dict[str, Any]:
    return {"id": grant.pk, "granted_by": grant.granted_by_id, "profile": grant.profile.api_name,
            "reason": grant.reason, "created_at": _iso(grant.created_at), "expires_at": _iso(grant.expires_at),
            "revoked_at": _iso(grant.revoked_at), "active": grant.active}
